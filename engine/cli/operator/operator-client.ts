/**
 * The CLI's calls to a running engine's operator API: the URL from `--url` or `$JUNCTION_URL`, and an API token from
 * `$JUNCTION_TOKEN` only, sent as `Authorization: Bearer`. Refusals become usage errors that say what to do.
 */
import { Option } from 'commander';
import { UsageError } from '../usage-error.js';

export interface OperatorTarget {
  url: string;
  token?: string;
}

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
  return url ? { url, token: process.env.JUNCTION_TOKEN } : undefined;
}

/** One request; resolves with the JSON body of a 2xx, 404 or 409 answer, throws a UsageError for anything else. */
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
    throw new UsageError(`no engine answered at ${target.url} (${(error as Error).message}); pass --url`);
  }
  const json = (await res.json().catch(() => ({}))) as T & { message?: string };
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
