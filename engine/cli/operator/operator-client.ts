/**
 * The CLI's calls to a running engine's operator API: the URL from `--url` or `$JUNCTION_URL`, and an API token from
 * `$JUNCTION_TOKEN` only, sent as `Authorization: Bearer`. Refusals become usage errors that say what to do; an
 * engine that does not answer is a runtime failure (exit 1).
 */
import { Option } from 'commander';
import { UsageError } from '../usage-error.js';
import { UnreachableError } from '../unreachable-error.js';

export interface OperatorTarget {
  url: string;
  token?: string;
  /**
   * Set when no engine was found and the default URL is tried: where the CLI looked, for the message when nothing
   * answers there either.
   */
  notFound?: string;
}

/** Where an engine's operator listener answers unless `junction run --operator-port/--operator-host` say otherwise. */
const DEFAULT_OPERATOR_URL = 'http://127.0.0.1:8081';

/** `--token`, parsed only to be refused with why (see `operatorTarget`); not in the help. */
export function refusedTokenOption(): Option {
  return new Option('--token <token>').hideHelp();
}

/** Where to reach the operator API; undefined when neither `--url` nor `$JUNCTION_URL` is set. */
export function operatorTarget(opts: { url?: string; token?: string }): OperatorTarget | undefined {
  if (opts.token !== undefined)
    throw new UsageError(
      '--token is refused: a token on the command line is readable by every local user (the process list) and ' +
        'stays in the shell history; set JUNCTION_TOKEN instead',
    );
  const url = opts.url ?? process.env.JUNCTION_URL;
  if (url === undefined) return undefined;
  const protocol = URL.parse(url)?.protocol;
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new UsageError(
      `${opts.url === undefined ? '$JUNCTION_URL' : '--url'} must be an http:// or https:// URL such as ` +
        `http://127.0.0.1:8081, got ${JSON.stringify(url)}`,
    );
  return { url, token: process.env.JUNCTION_TOKEN };
}

const OPERATOR_PORT_HINT = 'junction run --operator-port, 8081 by default';

/**
 * The engine to ask: `--url` or `$JUNCTION_URL` when set; else the one engine whose address the control bucket holds
 * (engine-discovery.ts); else the default URL, remembering where the CLI looked. Several engines on different URLs
 * are a usage error that lists them: their counts differ, so the CLI does not pick one.
 */
export async function findOperatorTarget(opts: { url?: string; token?: string }): Promise<OperatorTarget> {
  const given = operatorTarget(opts);
  if (given) return given;
  const { discoverEngines, engineLines, whereLooked } = await import('./engine-discovery.js');
  const discovery = await discoverEngines();
  const token = process.env.JUNCTION_TOKEN;
  if (discovery.found.length === 1) return { url: discovery.found[0].url, token };
  if (discovery.found.length > 1)
    throw new UsageError(
      [
        `${discovery.found.length} engines are running (NATS ${discovery.nats}); pass --url <operator URL> or set ` +
          'JUNCTION_URL for the one to ask (each counts its own events; spec sync is the same for all):',
        ...engineLines(discovery.found),
      ].join('\n'),
    );
  return { url: DEFAULT_OPERATOR_URL, token, notFound: whereLooked(discovery) };
}

/**
 * One request; resolves with the JSON body of a 2xx, 404 (no such dead letter) or 409 answer, throws a UsageError for
 * anything else, and for an answer that is not the operator API's (the webhook port, another server).
 */
export async function callOperator<T>(
  target: OperatorTarget,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    res = await fetch(new URL(path, target.url), {
      method,
      headers: {
        accept: 'application/json',
        ...(target.token ? { authorization: `Bearer ${target.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, a certificate error).
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    // Nothing answering is a failure to reach the engine (exit 1, as an unreachable NATS), not bad usage (exit 2).
    if (target.notFound)
      throw new UnreachableError(
        `no running engine found: ${target.notFound}, and nothing answers at ${target.url}, the default operator ` +
          `URL (${why}). Start one with \`junction run\`, or pass --url <operator URL> or set JUNCTION_URL (an ` +
          'engine prints it as it starts: "dashboard at http://…/"); `junction status --nats <url>` reads spec ' +
          'sync without an engine',
      );
    throw new UnreachableError(
      `no engine answered at ${target.url} (${why}): is it ` +
        `running, and is this its operator URL (${OPERATOR_PORT_HINT})?`,
    );
  }
  const parsed: unknown = await res.json().catch(() => undefined);
  const json = (parsed ?? {}) as T & { error?: string; message?: string };
  // The operator API answers JSON, and a 404 of its own only for a dead letter it does not have ("not-found"); any
  // other 404 or a page that is not JSON comes from elsewhere (the webhook listener answers "no-route").
  if ((res.ok || res.status === 404) && (parsed === undefined || (res.status === 404 && json.error !== 'not-found')))
    throw new UsageError(
      `${target.url} is not a Junction operator listener: ${method} ${path.split('?')[0]} answered ${res.status}` +
        `${json.message ? ` (${json.message})` : ''}; pass the operator URL (${OPERATOR_PORT_HINT}), not the ` +
        'webhook port',
    );
  if (res.status === 401)
    throw new UsageError(
      target.token
        ? `the engine at ${target.url} refused the token (revoked, expired or mistyped)`
        : `the engine at ${target.url} needs an API token: set JUNCTION_TOKEN (junction token create)`,
    );
  if (res.status === 403) throw new UsageError(`refused: ${json.message ?? 'forbidden'}`);
  if (res.status >= 400 && res.status !== 404 && res.status !== 409)
    throw new UsageError(`the engine answered ${res.status}: ${json.message ?? res.statusText}`);
  return { status: res.status, body: json };
}
