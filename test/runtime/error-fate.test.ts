/** Every error's fate, decided in one place (engine/runtime/worker/error-fate.ts): one table, one row per branch. */
import { describe, expect, it } from 'vitest';
import { decideFate, retryDelay } from '../../engine/runtime/worker/error-fate.js';
import type { Fate, Situation } from '../../engine/runtime/worker/error-fate.js';
import type { ExecutionFailure, ExecutionResult } from '../../engine/execute/execution-types.js';

const RETRY = { maxAttempts: 4, initialMs: 100, maxMs: 1000, multiplier: 2, dependencyDeadlineMs: 60_000 };
const NOW = Date.parse('2026-12-04T10:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const ok = (outcome: ExecutionResult['outcome']): ExecutionResult => ({
  outcome,
  requests: [],
  steps: {},
  unchanged: [],
});
const failure = (f: Partial<ExecutionFailure> & Pick<ExecutionFailure, 'action'>): ExecutionFailure => ({
  code: 'http-5xx',
  message: '503 Service Unavailable',
  ...f,
});
const failed = (f: ExecutionFailure): ExecutionResult => ({ ...ok('failed'), failure: f });
const attempt = (f: ExecutionFailure | ExecutionResult, n: number, more: Partial<Situation> = {}): Situation =>
  ({
    kind: 'attempt',
    result: 'outcome' in f ? f : failed(f),
    attempt: n,
    retry: RETRY,
    maxDelayMs: 3_600_000,
    now: NOW,
    ...more,
  }) as Situation;

const http503 = failure({ action: 'retry' });
const http429 = failure({ action: 'retry', code: 'rate-limited', retryAfterMs: 5_000 });
const invalid = failure({ action: 'dead_letter', code: 'validation', status: 400 });
const stateDown = failure({ action: 'retry', code: 'state-unavailable', message: 'KV timeout' });
const leased = failure({ action: 'retry', code: 'call-in-flight', retryAfterMs: 2_500 });
const leaseExpired = failure({ action: 'retry', code: 'lease-expired' });
const awaitingCommit = failure({ action: 'retry', code: 'awaiting-commit', retryAfterMs: 7_000 });
const missing = failure({
  action: 'retry',
  code: 'dependency-missing',
  message: 'no cross-reference customer 7',
  dependency: { map: 'customer', key: '7', fetch: true },
});
const missingRuledOut = { ...missing, action: 'dead_letter' as const };

// random = 0: the delay is the fixed half of the exponential (initial 100 ms, x2, capped at 1 s).
const TABLE: [string, Situation, Fate | undefined][] = [
  ['not an event subject: term', { kind: 'not-an-event' }, { kind: 'term' }],
  ['integration not in the spec set: retry in 5 s', { kind: 'integration-missing' }, { kind: 'retry', delayMs: 5_000 }],
  [
    'processing threw, 3rd delivery: 1.5 s',
    { kind: 'processing-failed', deliveries: 3 },
    { kind: 'retry', delayMs: 1_500 },
  ],
  [
    'processing threw, 100th delivery: capped at 30 s',
    { kind: 'processing-failed', deliveries: 100 },
    { kind: 'retry', delayMs: 30_000 },
  ],
  ['delivered', attempt(ok('delivered'), 1), { kind: 'done', status: 'delivered' }],
  ['skipped by when', attempt(ok('skipped'), 1), { kind: 'done', status: 'skipped' }],
  ['echo suppressed', attempt(ok('echo_suppressed'), 2), { kind: 'done', status: 'echo_suppressed' }],
  ['on_error skip', attempt(failure({ action: 'skip' }), 1), { kind: 'done', status: 'skipped' }],
  ['permanent: DLQ at once', attempt(invalid, 1), { kind: 'dead_letter', reason: 'permanent', failure: invalid }],
  ['retryable, attempt 1: 50 ms', attempt(http503, 1), { kind: 'retry', delayMs: 50 }],
  ['retryable, attempt 3: 200 ms', attempt(http503, 3), { kind: 'retry', delayMs: 200 }],
  [
    'retryable, last attempt: DLQ exhausted',
    attempt(http503, 4),
    { kind: 'dead_letter', reason: 'exhausted', failure: http503 },
  ],
  [
    '429: Retry-After wins when longer; the first throttle is recorded',
    attempt(http429, 1),
    { kind: 'retry', delayMs: 5_000, throttled: { count: 1, since: ago(0) } },
  ],
  [
    '429 past max_attempts: throttles do not spend the budget',
    attempt(http429, 9, { throttled: { count: 8, since: ago(60_000) } }),
    { kind: 'retry', delayMs: 5_000, throttled: { count: 9, since: ago(60_000) } },
  ],
  [
    '429 near the throttle deadline: sleeps only to it',
    attempt(http429, 3, { throttled: { count: 2, since: ago(24 * 3600_000 - 1_000) } }),
    { kind: 'retry', delayMs: 1_000, throttled: { count: 3, since: ago(24 * 3600_000 - 1_000) } },
  ],
  [
    '429 past the throttle deadline (24 h by default): DLQ throttle-deadline',
    attempt(http429, 40, { throttled: { count: 39, since: ago(24 * 3600_000) } }),
    {
      kind: 'dead_letter',
      reason: 'throttle-deadline',
      failure: {
        ...http429,
        message:
          'throttled by the target (rate limit) 40 times over 24h, past the throttle deadline of 24h (retry.throttle_deadline); last answer: 503 Service Unavailable',
      },
    },
  ],
  [
    'a 503 after throttles: only the other attempts count (4 - 2 throttles = 2 of 4)',
    attempt(http503, 4, { throttled: { count: 2, since: ago(1_000) } }),
    { kind: 'retry', delayMs: 100 },
  ],
  [
    'delivery limit: throttles are not counted',
    {
      kind: 'before-attempt',
      attempt: 12,
      throttled: { count: 3, since: ago(1_000) },
      retry: RETRY,
      crashDeliveries: 5,
    },
    undefined,
  ],
  ['state unavailable: no budget spent', attempt(stateDown, 9), { kind: 'retry', delayMs: 500 }],
  [
    'a call of the event held by another attempt: ask again when its lease runs out, no budget spent',
    attempt(leased, 9),
    { kind: 'retry', delayMs: 2_500 },
  ],
  [
    "this attempt's lease ran out before its call went out (withdrawn unsent): again after the initial delay, no budget spent",
    attempt(leaseExpired, 9),
    { kind: 'retry', delayMs: 100 },
  ],
  [
    'the target may still commit an unanswered call (commit_window): look it up once the window has passed, no budget spent',
    attempt(awaitingCommit, 9),
    { kind: 'retry', delayMs: 7_000 },
  ],
  [
    'waits do not spend the budget',
    attempt(http503, 6, { waited: { waits: 3, since: ago(1_000) } }),
    { kind: 'retry', delayMs: 200 },
  ],
  ['first wait for a cross-reference', attempt(missing, 1), { kind: 'wait', delayMs: 50, waits: 1 }],
  [
    'third wait',
    attempt(missing, 3, { waited: { waits: 2, since: ago(10_000) } }),
    { kind: 'wait', delayMs: 200, waits: 3 },
  ],
  [
    'a wait never sleeps past the deadline',
    attempt(missing, 9, { waited: { waits: 8, since: ago(59_900) } }),
    { kind: 'wait', delayMs: 100, waits: 9 },
  ],
  [
    'dependency deadline passed: DLQ',
    attempt(missing, 9, { waited: { waits: 8, since: ago(61_000) } }),
    {
      kind: 'dead_letter',
      reason: 'dependency-deadline',
      failure: {
        ...missing,
        code: 'dependency-deadline',
        action: 'dead_letter',
        message:
          'waited 61s for cross-reference customer "7" (dependency deadline 60s); sync that record (or `junction xref set customer 7 <id>`), then replay',
      },
    },
  ],
  [
    'on_error turned a missing dependency permanent',
    attempt(missingRuledOut, 1),
    { kind: 'dead_letter', reason: 'permanent', failure: missingRuledOut },
  ],
  [
    'before attempt 9 of 4 + 5 spare: go on',
    { kind: 'before-attempt', attempt: 9, retry: RETRY, crashDeliveries: 5 },
    undefined,
  ],
  [
    'before attempt 12 with 3 waits: go on',
    { kind: 'before-attempt', attempt: 12, waited: { waits: 3, since: ago(0) }, retry: RETRY, crashDeliveries: 5 },
    undefined,
  ],
  [
    'before attempt 10 of 4 + 5 spare: DLQ delivery-limit',
    { kind: 'before-attempt', attempt: 10, retry: RETRY, crashDeliveries: 5 },
    {
      kind: 'dead_letter',
      reason: 'exhausted',
      failure: {
        code: 'delivery-limit',
        message:
          'delivered 10 times without finishing (worker crashes, lost acks or runtime state unavailable for long); the retry budget is 4 attempts',
        action: 'retry',
      },
    },
  ],
];

describe('decideFate', () => {
  it.each(TABLE)('%s', (_, situation, fate) => {
    expect(decideFate(situation, () => 0)).toEqual(fate);
  });

  it('jitters the upper half of the backoff', () => {
    expect(decideFate(attempt(http503, 3), () => 1)).toEqual({ kind: 'retry', delayMs: 400 });
  });
});

describe('retryDelay', () => {
  it('backs off exponentially with equal jitter, capped, and honours a longer Retry-After', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, RETRY, undefined, 3_600_000, () => 0))).toEqual([
      50, 100, 200, 400, 500,
    ]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, RETRY, undefined, 3_600_000, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(retryDelay(1, RETRY, 5_000, 3_600_000, () => 1)).toBe(5_000);
    expect(retryDelay(3, RETRY, 10, 3_600_000, () => 0)).toBe(200);
    expect(retryDelay(1, RETRY, 7_200_000, 3_600_000)).toBe(3_600_000);
  });
});
