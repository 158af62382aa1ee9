/**
 * Compares a dry run's plan with a test case's `expect`: the outcome, the error's code and message, and each
 * request (step, method, path, exact body or subset, fields that must not be sent). Returns every mismatch by JSON
 * path.
 */
import type { ExecutionResult, PlannedRequest } from '../../execute/execution-types.js';
import type { DryRunResult } from '../dry-run.js';
import { jsonDiff, subsetDiff, valueAt } from '../diff/json-diff.js';
import type { JsonDifference } from '../diff/json-diff.js';
import type { Expectation, ExpectedRequest } from '../../compiler/generated/spec-types.js';

/** The outcome as a test names it. */
export function caseOutcome(result: ExecutionResult): Expectation['outcome'] {
  if (result.outcome !== 'failed') return result.outcome;
  return result.failure?.action === 'retry' ? 'retry' : result.failure?.action === 'skip' ? 'skipped' : 'dead_lettered';
}

/** Every mismatch between `expect` and the plan, by JSON path; empty when the case passes. */
export function checkExpectations(expect: Expectation, result: DryRunResult): JsonDifference[] {
  const out: JsonDifference[] = [];
  // The key first: a key that gives nothing explains every other difference.
  if (expect.key !== undefined && expect.key !== result.key)
    out.push({
      path: 'key',
      expected: expect.key,
      actual: result.key ?? `(none: ${result.failure?.message ?? 'the key expression gave no value'})`,
    });
  const outcome = caseOutcome(result);
  if (expect.outcome !== outcome)
    out.push({
      path: 'outcome',
      expected: expect.outcome,
      actual: outcome + (result.failure ? ` (${result.failure.code}: ${result.failure.message})` : ''),
    });
  if (expect.error_code !== undefined && expect.error_code !== result.failure?.code)
    out.push({ path: 'error_code', expected: expect.error_code, actual: result.failure?.code });
  if (expect.error_message !== undefined && expect.error_message !== result.failure?.message)
    out.push({ path: 'error_message', expected: expect.error_message, actual: result.failure?.message });
  if (expect.requests) {
    if (expect.requests.length !== result.requests.length)
      out.push({ path: 'requests.length', expected: expect.requests.length, actual: result.requests.length });
    expect.requests.forEach((want, i) => out.push(...checkRequest(want, result.requests[i], `requests[${i}]`)));
  }
  return out;
}

function checkRequest(want: ExpectedRequest, got: PlannedRequest | undefined, at: string): JsonDifference[] {
  if (!got) return [{ path: at, expected: want, actual: undefined }];
  const out: JsonDifference[] = [];
  const field = (name: 'step' | 'method' | 'path') => {
    if (want[name] !== undefined && want[name] !== got[name])
      out.push({ path: `${at}.${name}`, expected: want[name], actual: got[name] });
  };
  field('step');
  field('method');
  field('path');
  if (want.body !== undefined) out.push(...jsonDiff(want.body, got.body, `${at}.body`));
  if (want.body_contains !== undefined) out.push(...subsetDiff(want.body_contains, got.body, `${at}.body`));
  for (const path of want.body_excludes ?? []) {
    const value = valueAt(got.body, path);
    if (value !== undefined) out.push({ path: `${at}.body.${path}`, expected: '(not sent)', actual: value });
  }
  return out;
}

/**
 * The expectation that matches `result` exactly, for `junction test --update`; `key` too when asked (the case being
 * updated asserted one).
 */
export function expectationFrom(result: DryRunResult | ExecutionResult, options: { key?: boolean } = {}): Expectation {
  const outcome = caseOutcome(result);
  const key = options.key && 'key' in result ? result.key : undefined;
  return {
    outcome,
    ...(key === undefined ? {} : { key }),
    ...(result.failure && outcome !== 'delivered'
      ? { error_code: result.failure.code, error_message: result.failure.message }
      : {}),
    requests: result.requests.map((r) => ({
      step: r.step,
      // a planned request's method is one of the HTTP methods the test schema lists
      method: r.method as ExpectedRequest['method'],
      path: r.path,
      ...(r.body === undefined ? {} : { body: r.body }),
    })),
  };
}
