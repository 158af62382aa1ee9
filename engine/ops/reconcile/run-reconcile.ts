/**
 * `junction reconcile` as data: list the integration's source records (`read.list`), take all of them (each page
 * compared as it comes) or a random sample, compare each with the target (compare-record.ts), and count.
 * `fixRecords` stores the records that differ or are missing again as events that bypass echo suppression, so a
 * value someone changed by hand in the target is written back even though the source did not change.
 */
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import type { ExecutionState, StepInvoker } from '../../execute/execution-types.js';
import { sourcePages } from '../../execute/read-source.js';
import { createConnectionClient } from '../../http/connection-client.js';
import type { ConnectionClient, ConnectionSecurity } from '../../http/connection-client.js';
import { identifyEvent } from '../../runtime/ingest/event-publisher.js';
import type { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { compareRecord } from './compare-record.js';
import type { RecordComparison } from './compare-record.js';

export interface ReconcileReport {
  integration: string;
  commit: string;
  at: string;
  /** `all`, or the sample size asked for. */
  scope: 'all' | number;
  listed: number;
  checked: number;
  counts: Record<RecordComparison['outcome'], number>;
  /** Every record that did not match (missing, differing, errors), in listing order. */
  problems: RecordComparison[];
}

interface ReconcileOptions {
  specSet: CompiledSpecSet;
  integration: CompiledIntegration;
  invoke: StepInvoker;
  connectors: ConnectorRegistry;
  env: NodeJS.ProcessEnv;
  /** The secret allowlist and the private hosts the read-backs may reach, as for the steps. */
  security?: ConnectionSecurity;
  xref: ExecutionState['xref'];
  /** Compare a random sample of this many records; undefined compares every record. */
  sample?: number;
  since?: string;
  guards?: TransformGuards;
  random?: () => number;
  /** After each comparison, and (for a sample) after each page listed and once the listing is done. */
  onProgress?: (progress: ReconcileProgress) => void;
}

export interface ReconcileProgress {
  listed: number;
  checked: number;
  /** How many records will be compared: the sample's size once the listing is done; undefined with every record. */
  total?: number;
  counts: ReconcileReport['counts'];
}

export async function runReconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { integration } = options;
  const list = integration.read?.list;
  if (!list)
    throw new Error(`integration ${integration.name} has no read.list (and no schedule source) to reconcile from`);
  const random = options.random ?? Math.random;
  const clients = new Map<string, ConnectionClient>();
  const client = (name: string) => {
    let c = clients.get(name);
    if (!c) {
      const connection = options.specSet.connections.get(name)!;
      c = createConnectionClient({
        connection,
        connector: options.connectors.get(connection.type)!,
        env: options.env,
        security: options.security,
      });
      clients.set(name, c);
    }
    return c;
  };
  const counts: ReconcileReport['counts'] = { match: 0, differs: 0, missing: 0, skipped: 0, error: 0 };
  const problems: RecordComparison[] = [];
  let listed = 0;
  let checked = 0;
  const progress = (total?: number) =>
    options.onProgress?.({ listed, checked, ...(total === undefined ? {} : { total }), counts: { ...counts } });
  const compare = async (record: unknown, total?: number) => {
    const { key } = await identifyEvent(integration, record, options.guards);
    const compared = await compareRecord(key, record, {
      integration,
      lookups: options.specSet.lookups,
      invoke: options.invoke,
      client,
      xref: options.xref,
      sameValue: (name) => {
        const connection = options.specSet.connections.get(name);
        const connector = connection && options.connectors.get(connection.type);
        return connector?.sameValue?.bind(connector);
      },
      guards: options.guards,
    }).catch((error: Error): RecordComparison => ({ key, outcome: 'error', steps: [], error: error.message, record }));
    counts[compared.outcome]++;
    if (compared.outcome !== 'match' && compared.outcome !== 'skipped') problems.push(compared);
    checked++;
    progress(total);
  };
  // Every record is compared as its page comes (memory: one page); a sample is drawn over the whole listing first
  // by reservoir sampling (every listed record has the same chance, in one pass; memory: the sample).
  const chosen: unknown[] = [];
  try {
    for await (const page of sourcePages(
      integration,
      list,
      options.since ?? list.initialCursor ?? '',
      options.invoke,
      { lookups: options.specSet.lookups, xref: options.xref },
      options.guards,
    )) {
      for (const { record } of page) {
        listed++;
        if (options.sample === undefined) await compare(record);
        else if (chosen.length < options.sample) chosen.push(record);
        else {
          const slot = Math.floor(random() * listed);
          if (slot < options.sample) chosen[slot] = record;
        }
      }
      if (options.sample !== undefined) progress();
    }
    if (options.sample !== undefined) progress(chosen.length);
    for (const record of chosen) await compare(record, chosen.length);
  } finally {
    await Promise.all([...clients.values()].map((c) => c.close()));
  }
  return {
    integration: integration.name,
    commit: options.specSet.commit,
    at: new Date().toISOString(),
    scope: options.sample ?? 'all',
    listed,
    checked,
    counts,
    problems,
  };
}

/**
 * Stores each differing or missing record again as a new event (a fresh event id, so the ledger does not skip it)
 * that bypasses echo suppression. Returns how many were stored.
 */
export async function fixRecords(
  report: ReconcileReport,
  integration: CompiledIntegration,
  publisher: EventPublisher,
  commit: string,
  guards?: TransformGuards,
): Promise<number> {
  const stamp = new Date().toISOString();
  let stored = 0;
  for (const p of report.problems.filter((r) => r.outcome === 'differs' || r.outcome === 'missing')) {
    const identity = await identifyEvent(integration, p.record, guards);
    await publisher.publish({
      integration: integration.name,
      identity: { key: identity.key, eventId: `${identity.eventId}~reconcile@${stamp}` },
      data: Buffer.from(JSON.stringify(p.record)),
      commit,
      force: true,
    });
    stored++;
  }
  return stored;
}
