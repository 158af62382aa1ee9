/**
 * Diffs two plans of one test case: the outcome, then the requests matched by step and element index, then each
 * request's method, path and body field by field. Absent values are `null` so the JSON output keeps every key.
 */
import type { ExecutionResult, PlannedRequest } from '../../execute/execution-types.js';
import { caseOutcome } from '../spec-tests/check-expectations.js';
import { jsonDiff } from './json-diff.js';

/** One difference between the two plans of a case. */
export interface PlanChange {
  /** `<step>[<index>] <METHOD> <path>`, or null for the case's outcome and error code. */
  request: string | null;
  /**
   * Field path inside the request (`body.price`, `query.CUNM`, `path`, `method`), `outcome`/`error_code`, or `` for a
   * whole request.
   */
  path: string;
  before: unknown;
  after: unknown;
}

/** The changes from `before` to `after`; undefined means the side does not have the integration. */
export function diffPlans(before: ExecutionResult | undefined, after: ExecutionResult | undefined): PlanChange[] {
  const changes: PlanChange[] = [];
  const outcome = (r?: ExecutionResult) => (r ? caseOutcome(r) : null);
  const code = (r?: ExecutionResult) => (r?.failure && caseOutcome(r) !== 'delivered' ? r.failure.code : null);
  if (outcome(before) !== outcome(after))
    changes.push({ request: null, path: 'outcome', before: outcome(before), after: outcome(after) });
  if (code(before) !== code(after))
    changes.push({ request: null, path: 'error_code', before: code(before), after: code(after) });
  const left = keyed(before?.requests ?? []);
  const right = keyed(after?.requests ?? []);
  for (const key of [...new Set([...right.keys(), ...left.keys()])]) {
    const b = left.get(key);
    const a = right.get(key);
    const label = describe((a ?? b)!);
    if (!a || !b) {
      changes.push({ request: label, path: '', before: b ? summary(b) : null, after: a ? summary(a) : null });
      continue;
    }
    if (a.method !== b.method) changes.push({ request: label, path: 'method', before: b.method, after: a.method });
    if (a.path !== b.path) changes.push(...pathChanges(label, b.path, a.path));
    for (const d of jsonDiff(b.body, a.body, 'body'))
      changes.push({ request: label, path: d.path, before: d.expected ?? null, after: d.actual ?? null });
  }
  return changes;
}

/**
 * A changed query string shows per parameter (`query.CUNM`: M3 sends its records that way); any other change as `path`.
 */
function pathChanges(request: string, before: string, after: string): PlanChange[] {
  const b = new URL(before, 'http://plan.invalid');
  const a = new URL(after, 'http://plan.invalid');
  if (a.pathname !== b.pathname) return [{ request, path: 'path', before, after }];
  const keys = [...new Set([...b.searchParams.keys(), ...a.searchParams.keys()])];
  const value = (u: URL, k: string) => (u.searchParams.has(k) ? u.searchParams.getAll(k).join(',') : null);
  return keys
    .filter((k) => value(b, k) !== value(a, k))
    .map((k) => ({ request, path: `query.${k}`, before: value(b, k), after: value(a, k) }));
}

/** Requests by `<step>[<index>]#<occurrence>`, in plan order. */
function keyed(requests: readonly PlannedRequest[]): Map<string, PlannedRequest> {
  const out = new Map<string, PlannedRequest>();
  for (const r of requests) {
    const id = r.index === undefined ? r.step : `${r.step}[${r.index}]`;
    let n = 0;
    while (out.has(`${id}#${n}`)) n++;
    out.set(`${id}#${n}`, r);
  }
  return out;
}

function describe(r: PlannedRequest): string {
  return `${r.index === undefined ? r.step : `${r.step}[${r.index}]`} ${r.method} ${r.path}`;
}

function summary(r: PlannedRequest): unknown {
  return { method: r.method, path: r.path, ...(r.body === undefined ? {} : { body: r.body }) };
}
