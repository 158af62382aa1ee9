/**
 * `POST /composite`: up to 25 subrequests in order, each able to use an earlier result as `@{referenceId.field}`.
 * With `allOrNone: true` a failure rolls back everything and the other subrequests answer PROCESSING_HALTED, as
 * Salesforce does; without it, earlier successes stay, and a subrequest that refers to one that failed is not
 * executed (its answer's wording is the emulator's: Salesforce documents only that it is not executed).
 */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { sfError } from './records.js';
import type { Row, SalesforceState } from './state.js';

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

const MAX_SUBREQUESTS = 25;
const REFERENCE_ID = /^[A-Za-z0-9]\w*$/;
const HALTED = {
  errorCode: 'PROCESSING_HALTED',
  message: 'The transaction was rolled back since another operation in the same transaction failed.',
};

/** Runs a composite request against the emulator's own routes. */
export function runComposite(r: EmulatorRequest, routes: Route[], state: SalesforceState): EmulatorReply {
  const body = (r.body ?? {}) as { allOrNone?: boolean; compositeRequest?: Subrequest[] };
  const subrequests = body.compositeRequest;
  if (!Array.isArray(subrequests) || subrequests.length === 0)
    return sfError(400, 'JSON_PARSER_ERROR', 'compositeRequest is required and must be a non-empty list');
  if (subrequests.length > MAX_SUBREQUESTS)
    return sfError(400, 'INVALID_BATCH_REQUEST', `Composite request must have at most ${MAX_SUBREQUESTS} subrequests`);
  // API 54.0 and later refuse the whole request for a referenceId with other characters than letters, digits and _.
  const badReference = subrequests.find((sub) => !REFERENCE_ID.test(String(sub.referenceId)));
  if (badReference)
    return sfError(
      400,
      'JSON_PARSER_ERROR',
      `Provided referenceId ('${String(badReference.referenceId)}') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').`,
    );
  const out: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[] = [];
  // With allOrNone the subrequests are one transaction: any failure undoes them all, and nothing is announced.
  const failed = state.store.transaction(
    () => runAll(r, subrequests, routes, out, body.allOrNone === true),
    (anyFailed) => !(anyFailed && body.allOrNone),
  );
  if (failed && body.allOrNone)
    for (const entry of out)
      if (entry.httpStatusCode < 400) Object.assign(entry, { body: [HALTED], httpStatusCode: 400 });
  return { status: 200, body: { compositeResponse: out } };
}

function templateRegex(template: string): RegExp {
  return new RegExp('^' + template.replace(/:([A-Za-z_]+)/g, '(?<$1>[^/]+)') + '$');
}

/** The referenceIds a subrequest's URL and body refer to (`@{referenceId.field}`). */
function referencesOf(sub: Subrequest): string[] {
  const text = sub.url + JSON.stringify(sub.body ?? null);
  return [...text.matchAll(/@\{(\w+)\./g)].map((m) => m[1]);
}

/** Runs the subrequests in order into `out`; true when one failed. */
function runAll(
  r: EmulatorRequest,
  subrequests: Subrequest[],
  routes: Route[],
  out: { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }[],
  allOrNone: boolean,
): boolean {
  const results: Record<string, unknown> = {};
  let failed = false;
  for (const sub of subrequests) {
    if (failed && allOrNone) {
      out.push({ body: [HALTED], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
      continue;
    }
    const missing = referencesOf(sub).find((ref) => !(ref in results));
    if (missing !== undefined) {
      const message = `[emulator] Not executed: it refers to subrequest '${missing}', which did not succeed.`;
      out.push({ body: [{ ...HALTED, message }], httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
      continue;
    }
    const fill = (text: string) =>
      text.replace(/@\{(\w+)\.(\w+)\}/g, (_, ref: string, field: string) =>
        String((results[ref] as Row | undefined)?.[field] ?? ''),
      );
    const path = new URL(fill(sub.url), 'http://emulator').pathname;
    const found = routes
      .map((route) => ({ route, m: route.method === sub.method ? templateRegex(route.path).exec(path) : null }))
      .find((x) => x.m);
    const reply = found
      ? found.route.handle({
          ...r,
          method: sub.method,
          path,
          body: JSON.parse(fill(JSON.stringify(sub.body ?? null))) as unknown,
          params: { ...found.m!.groups },
        })
      : sfError(404, 'NOT_FOUND', `The requested resource does not exist: ${sub.url}`);
    if (reply.status < 400) results[sub.referenceId] = reply.body;
    out.push({ body: reply.body ?? null, httpHeaders: {}, httpStatusCode: reply.status, referenceId: sub.referenceId });
    if (reply.status >= 400) failed = true;
  }
  return failed;
}
