/**
 * The online half of `junction check` for one connection: does its host resolve, does it answer, and do the
 * credentials work. The last two are one call: the connector's check (a cheap authenticated read) through the
 * whole HTTP stack, so it fails exactly where a real call would (guard, auth, token endpoint, timeout).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { CompiledConnection } from '../../compiler/compiled-spec.js';
import { resolveRefs } from '../../compiler/secret-ref.js';
import { createConnectionClient } from '../../http/connection-client.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import type { ConnectorDef } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';

/** One line of the report. */
export interface ProbeResult {
  check: 'dns' | 'http' | 'auth' | 'source';
  status: 'ok' | 'problem' | 'skipped';
  message: string;
}

const NO_ANSWER = new Set(['network', 'timeout', 'outbound-blocked']);

/** Probes one connection; `env` resolves its `${env:…}` references. Never throws: every failure is a result. */
export async function probeConnection(
  connection: CompiledConnection,
  connector: ConnectorDef,
  env: NodeJS.ProcessEnv,
  security?: ConnectionSecurity,
): Promise<ProbeResult[]> {
  let url: URL;
  try {
    url = new URL(resolveRefs(connection.baseUrl, env, security?.secretPolicy, connection.name));
  } catch {
    return [{ check: 'http', status: 'skipped', message: 'base_url is not set or not a URL (see above)' }];
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const results: ProbeResult[] = [];
  if (!isIP(host)) {
    const resolved = await lookup(host).catch((error: NodeJS.ErrnoException) => error);
    if (resolved instanceof Error)
      return [
        { check: 'dns', status: 'problem', message: `${host} does not resolve (${resolved.code ?? resolved.message})` },
      ];
    results.push({ check: 'dns', status: 'ok', message: `${host} is ${resolved.address}` });
  }
  if (!connector.check)
    return [...results, { check: 'auth', status: 'skipped', message: `connector ${connector.id} declares no check` }];
  const client = createConnectionClient({ connection, connector, env, security });
  const started = performance.now();
  try {
    const done = await client.check();
    const took = Math.round(performance.now() - started);
    const call = `${done!.request.method} ${done!.request.path} answered ${done!.response.status} in ${took} ms`;
    return [
      ...results,
      { check: 'http', status: 'ok', message: url.origin },
      { check: 'auth', status: 'ok', message: call },
    ];
  } catch (error) {
    return [...results, ...describeFailure(error, url, connector)];
  } finally {
    await client.close();
  }
}

function describeFailure(error: unknown, url: URL, connector: ConnectorDef): ProbeResult[] {
  const e = error instanceof ConnectorError ? error : undefined;
  const message = (error as Error).message;
  if (!e || (NO_ANSWER.has(e.code) && e.status === undefined))
    return [{ check: 'http', status: 'problem', message: `${url.origin} does not answer: ${message}` }];
  const answered: ProbeResult = { check: 'http', status: 'ok', message: url.origin };
  if (e.code === 'missing-secret')
    return [
      { ...answered, status: 'skipped' },
      { check: 'auth', status: 'skipped', message },
    ];
  const refused = e.code === 'auth' || e.status === 401 || e.status === 403;
  const what = refused ? 'the credentials were refused' : `${connector.check!.description} failed`;
  const fix = e.status === 404 && connector.check!.notFound ? `; ${connector.check!.notFound}` : '';
  return [answered, { check: 'auth', status: 'problem', message: `${what}: ${message}${fix}` }];
}
