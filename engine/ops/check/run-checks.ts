/**
 * `junction check` as data: one row per connection and integration check, offline (secrets, URLs) and, given the
 * connectors, online (DNS, HTTP, auth). Given a NATS connection it also reads each source's state: a schedule's
 * stored cursor, a NATS subject's subscription. The CLI prints the rows; the engine keeps them for its status.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import { positionOwner, readPollCursor } from '../../runtime/sources/poll-cursor.js';
import { DEAD_LETTER_RESERVE } from '../../runtime/stores/dead-letter-room.js';
import { configProblems } from './config-problems.js';
import { probeConnection } from './connection-probe.js';
import type { ProbeResult } from './connection-probe.js';

export interface CheckRow {
  kind: 'connection' | 'integration';
  name: string;
  check: 'secret' | 'url' | 'connection' | ProbeResult['check'];
  status: ProbeResult['status'];
  message: string;
}

export interface CheckOptions {
  env: NodeJS.ProcessEnv;
  /** The connectors to probe with; without them only the offline checks run. */
  connectors?: ConnectorRegistry;
  /** The engine's secret allowlist and the private hosts a probe may reach. */
  security?: ConnectionSecurity;
  /** The runtime's cursor bucket, to read schedule cursors. */
  cursors?: KV;
  /** A NATS connection, to try each NATS source's subscription (and read the server's `max_payload`). */
  nc?: NatsConnection;
  /** The NATS server's `max_payload`, when known without `nc` (the engine's connection). */
  maxPayload?: number;
}

export async function runChecks(specSet: CompiledSpecSet, options: CheckOptions): Promise<CheckRow[]> {
  const offline = configProblems(specSet, options.env);
  const rows: CheckRow[] = [];
  const probes = new Map<string, ProbeResult[]>();
  if (options.connectors) {
    await Promise.all(
      [...specSet.connections.values()].map(async (c) => {
        const connector = options.connectors!.get(c.type);
        if (connector && !offline.connections.get(c.name)?.length)
          probes.set(c.name, await probeConnection(c, connector, options.env, options.security));
      }),
    );
  }
  for (const name of [...specSet.connections.keys()].sort()) {
    const problems = offline.connections.get(name) ?? [];
    for (const p of problems)
      rows.push({ kind: 'connection', name, check: p.check, status: 'problem', message: p.message });
    if (problems.length === 0) rows.push({ kind: 'connection', name, check: 'secret', status: 'ok', message: 'set' });
    for (const p of probes.get(name) ?? []) rows.push({ kind: 'connection', name, ...p });
  }
  for (const integration of [...specSet.integrations.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    const name = integration.name;
    const problems = offline.integrations.get(name) ?? [];
    for (const p of problems)
      rows.push({ kind: 'integration', name, check: p.check, status: 'problem', message: p.message });
    // A used connection that failed its probe makes the integration fail too.
    for (const connection of new Set(integration.steps.map((s) => s.connection)))
      if ((probes.get(connection) ?? []).some((p) => p.status === 'problem'))
        rows.push({
          kind: 'integration',
          name,
          check: 'connection',
          status: 'problem',
          message: `connection ${connection} failed its check`,
        });
    rows.push({ kind: 'integration', name, check: 'source', ...(await probeSource(integration, options)) });
  }
  return rows;
}

/** The source's own state: a schedule's cursor, a NATS subscription, a webhook's route. */
async function probeSource(
  integration: CompiledIntegration,
  options: CheckOptions,
): Promise<Pick<CheckRow, 'status' | 'message'>> {
  const source = integration.source;
  if (source.kind === 'webhook') {
    // An event is one NATS message, which leaves room for its dead letter: a larger body is refused (413
    // event-too-large), whatever the spec. Equal defaults (1 MiB each) are not a problem: only the last
    // DEAD_LETTER_RESERVE bytes and the headers' are refused.
    const maxPayload = options.maxPayload ?? options.nc?.info?.max_payload;
    if (maxPayload !== undefined && source.maxBodyBytes > maxPayload)
      return {
        status: 'problem',
        message:
          `max_body_bytes ${source.maxBodyBytes} is over the NATS server's max_payload of ${maxPayload} bytes: ` +
          `a body over ${maxPayload - DEAD_LETTER_RESERVE} bytes less its headers (max_payload less ` +
          `${DEAD_LETTER_RESERVE} kept for its dead-letter entry) is refused with 413 event-too-large; lower ` +
          `max_body_bytes or raise max_payload on the server to at least ${source.maxBodyBytes + DEAD_LETTER_RESERVE}`,
      };
    return { status: 'ok', message: `webhook POST /hooks/${integration.name}` };
  }
  if (source.kind === 'stream') {
    if (!options.cursors) return { status: 'skipped', message: 'replay position not read (no NATS)' };
    const entry = await options.cursors.get(integration.name).catch(() => undefined);
    const stored = entry?.operation === 'PUT' && entry.length > 0 ? entry.string() : undefined;
    return {
      status: 'ok',
      message: stored ? `stream position ${stored}` : `no position stored yet: the stream starts at ${source.start}`,
    };
  }
  if (source.kind === 'schedule') {
    if (!options.cursors) return { status: 'skipped', message: 'cursor not read (no NATS)' };
    try {
      const position = await readPollCursor(options.cursors, integration.name);
      const initial = `the first poll starts at ${JSON.stringify(source.initialCursor ?? '')}`;
      if (position.source !== undefined && position.source !== positionOwner(source))
        return {
          status: 'ok',
          message: source.snapshot
            ? 'the snapshot stored belongs to the list as it was (its connection, operation, params, body or ' +
              'identity changed): the first poll of this spec sends every record'
            : `cursor ${position.cursor} belongs to the query as it was (its connection, operation, the params it ` +
              `selects by, its body or its cursor changed): it is not used, ${initial}; to go on from the stored ` +
              `cursor, set initial_cursor: ${JSON.stringify(position.cursor ?? '')}`,
        };
      if (source.snapshot)
        return {
          status: 'ok',
          message: position.revision
            ? `snapshot of ${position.seen.length} records from the last poll`
            : 'no snapshot stored yet: the first poll stores every record',
        };
      return {
        status: 'ok',
        message: position.cursor !== undefined ? `cursor ${position.cursor}` : `no cursor stored yet: ${initial}`,
      };
    } catch (error) {
      return { status: 'problem', message: `cursor cannot be read: ${(error as Error).message}` };
    }
  }
  if (!options.nc) return { status: 'skipped', message: `subject ${source.subject} not tried (no NATS)` };
  try {
    const sub = options.nc.subscribe(source.subject, { max: 1 });
    // A refused subscription closes it with a permissions error, which the server sends before the flush's PONG.
    const refused = sub.closed.then(
      () => undefined,
      (error: Error) => error,
    );
    await options.nc.flush();
    const error = await Promise.race([refused, new Promise<undefined>((r) => setTimeout(() => r(undefined), 50))]);
    sub.unsubscribe();
    if (error) throw error;
    return { status: 'ok', message: `subscribed to ${source.subject}` };
  } catch (error) {
    return { status: 'problem', message: `cannot subscribe to ${source.subject}: ${(error as Error).message}` };
  }
}
