/**
 * The one module that decides every error's fate (STYLE.md rule 7): what the worker does with a delivered event
 * that is not an event, belongs to no running integration, came back too often, failed its attempt, or crashed the
 * worker. Every answer is one of: finish it (ledger, ack), retry it later (park or nak with a delay), wait for a
 * required cross-reference (a retry that does not spend the budget), dead-letter it (DLQ entry, ledger, ack), or
 * terminate it. Pure, so one table test covers every branch (test/runtime/error-fate.test.ts).
 *
 * What a connector error means (retryable or permanent, `on_error` rules) is classified where the error is made
 * (engine/execute/resolve-failure.ts); this module turns that classification into the broker's action.
 */
import type { ExecutionFailure, ExecutionResult } from '../../execute/execution-types.js';
import type { RetryPolicy } from '../../compiler/compiled-spec.js';
import { DEPENDENCY_MISSING } from '../../execute/require-xrefs.js';
import { LEASE_EXPIRED } from '../../execute/call-step.js';

export type Fate =
  /** Finished: record in the ledger, then ack. */
  | { kind: 'done'; status: 'delivered' | 'skipped' | 'echo_suppressed' }
  /**
   * Try again after `delayMs` (JetStream BackOff covers only ack timeouts, so the engine drives it). `throttled`: the
   * target throttled this attempt; record it (it does not spend the budget, and the throttle deadline counts from
   * `since`).
   */
  | { kind: 'retry'; delayMs: number; throttled?: ThrottledSoFar }
  /** A required cross-reference is missing: try again after `delayMs`, this being wait number `waits`. */
  | { kind: 'wait'; delayMs: number; waits: number }
  /** Write the DLQ entry (with `failure`), record in the ledger, then ack. */
  | {
      kind: 'dead_letter';
      reason: 'permanent' | 'exhausted' | 'dependency-deadline' | 'throttle-deadline' | 'operator-gave-up';
      failure: ExecutionFailure;
      /** An operator gave up on its retries: who, when and why (never decided here: key-parking.ts orders). */
      gaveUp?: { by: string; at: string; reason?: string };
    }
  /** Not an event of ours: drop it from the stream. */
  | { kind: 'term' };

/** The code of a failure of the runtime's own state (KV), not of the event or its target. */
export const STATE_UNAVAILABLE = 'state-unavailable';
/**
 * The code of an attempt that found a call of its event being sent by another running attempt (call-leases.ts): it
 * tries again when that one's lease runs out, without spending the budget.
 */
export const CALL_IN_FLIGHT = 'call-in-flight';
/**
 * The code of an attempt that would look up a call an earlier attempt sent without an answer while the target may
 * still commit it (the connection's `commit_window`): it tries again once the window has passed, without spending
 * the budget.
 */
export const AWAITING_COMMIT = 'awaiting-commit';
/** The code of an event that came back more often than its budget allows (see `before-attempt`). */
const DELIVERY_LIMIT = 'delivery-limit';
const DEFAULT_DEPENDENCY_DEADLINE_MS = 3600_000;
/** The code of a call the target refused for its rate limit (429, Salesforce REQUEST_LIMIT_EXCEEDED...). */
const RATE_LIMITED = 'rate-limited';
/** How long an event may be throttled before it is dead-lettered (`retry.throttle_deadline`). */
const DEFAULT_THROTTLE_DEADLINE_MS = 24 * 3600_000;
/** How long an event waits when its integration is not in the active spec set (a swap is under way). */
export const UNKNOWN_INTEGRATION_DELAY_MS = 5_000;

/** How often the event waited for a cross-reference so far, and since when (the deadline counts from there). */
interface WaitSoFar {
  waits: number;
  /** ISO time of the first wait. */
  since: string;
}

/** How often the target throttled the event so far, and since when (the throttle deadline counts from there). */
export interface ThrottledSoFar {
  count: number;
  /** ISO time of the first throttled attempt. */
  since: string;
}

export type Situation =
  /** The subject is not an event subject. */
  | { kind: 'not-an-event' }
  /** The event's integration is not in the active spec set (nor in the pinned one). */
  | { kind: 'integration-missing' }
  /**
   * Before an attempt: deliveries past the retry budget plus the spare ones for crashes mean the event keeps coming
   * back without finishing (worker crashes, lost acks, runtime state down for long). The engine then dead-letters it
   * itself; a broker delivery limit would drop it silently and let its partition move on past it.
   */
  | {
      kind: 'before-attempt';
      attempt: number;
      waited?: WaitSoFar;
      throttled?: ThrottledSoFar;
      retry: RetryPolicy;
      crashDeliveries: number;
    }
  /** After an attempt: its result. `attempt` is 1-based and counts waits for a cross-reference. */
  | {
      kind: 'attempt';
      result: ExecutionResult;
      attempt: number;
      waited?: WaitSoFar;
      throttled?: ThrottledSoFar;
      retry: RetryPolicy;
      maxDelayMs: number;
      now?: number;
    }
  /** Processing threw (the broker or KV failed under us): the `deliveries`-th delivery of this message. */
  | { kind: 'processing-failed'; deliveries: number };

/** Decides a situation's fate. `before-attempt` answers undefined when the attempt may run. */
export function decideFate(situation: Situation, random: () => number = Math.random): Fate | undefined {
  switch (situation.kind) {
    case 'not-an-event':
      return { kind: 'term' };
    case 'integration-missing':
      return { kind: 'retry', delayMs: UNKNOWN_INTEGRATION_DELAY_MS };
    case 'processing-failed':
      return { kind: 'retry', delayMs: Math.min(30_000, 500 * situation.deliveries) };
    case 'before-attempt':
      return beforeAttempt(situation);
    case 'attempt':
      return afterAttempt(situation, random);
  }
}

function beforeAttempt(s: Extract<Situation, { kind: 'before-attempt' }>): Fate | undefined {
  const budget = s.attempt - (s.waited?.waits ?? 0) - (s.throttled?.count ?? 0);
  if (budget <= s.retry.maxAttempts + s.crashDeliveries) return undefined;
  const max = s.retry.maxAttempts;
  const message = `delivered ${s.attempt} times without finishing (worker crashes, lost acks or runtime state unavailable for long); the retry budget is ${max} attempt${max === 1 ? '' : 's'}`;
  return { kind: 'dead_letter', reason: 'exhausted', failure: { code: DELIVERY_LIMIT, message, action: 'retry' } };
}

function afterAttempt(s: Extract<Situation, { kind: 'attempt' }>, random: () => number): Fate {
  const { result, retry, maxDelayMs } = s;
  if (result.outcome !== 'failed') return { kind: 'done', status: result.outcome };
  const failure = result.failure!;
  if (failure.action === 'skip') return { kind: 'done', status: 'skipped' };
  if (failure.action === 'dead_letter') return { kind: 'dead_letter', reason: 'permanent', failure };
  // Waits for a required cross-reference and throttled attempts do not count against the retry budget.
  const budget = s.attempt - (s.waited?.waits ?? 0) - (s.throttled?.count ?? 0);
  if (failure.code === DEPENDENCY_MISSING && failure.dependency)
    return dependencyWait(s, { ...failure, dependency: failure.dependency }, random);
  if (failure.code === RATE_LIMITED) return throttledWait(s, failure, random);
  // The runtime's own state (KV) being unavailable says nothing about the event: it does not use up the budget.
  if (failure.code === STATE_UNAVAILABLE)
    return { kind: 'retry', delayMs: retryDelay(budget, retry, undefined, maxDelayMs, random) };
  // Nor does another attempt of it sending a call (ask again once its lease runs out), this attempt's lease on a
  // call running out before the call could go out, or a call the target may still commit.
  if (failure.code === CALL_IN_FLIGHT || failure.code === LEASE_EXPIRED || failure.code === AWAITING_COMMIT)
    return { kind: 'retry', delayMs: Math.max(1, Math.min(failure.retryAfterMs ?? retry.initialMs, maxDelayMs)) };
  if (budget >= retry.maxAttempts) return { kind: 'dead_letter', reason: 'exhausted', failure };
  return { kind: 'retry', delayMs: retryDelay(budget, retry, failure.retryAfterMs, maxDelayMs, random) };
}

/**
 * A target throttling says nothing about the event: wait it out (its Retry-After, else backoff), without spending
 * the budget, until the throttle deadline has passed since the first throttled attempt; then dead-letter it.
 */
function throttledWait(
  s: Extract<Situation, { kind: 'attempt' }>,
  failure: ExecutionFailure,
  random: () => number,
): Fate {
  const now = s.now ?? Date.now();
  const deadline = s.retry.throttleDeadlineMs ?? DEFAULT_THROTTLE_DEADLINE_MS;
  const since = s.throttled?.since ?? new Date(now).toISOString();
  const throttledMs = now - Date.parse(since);
  if (throttledMs >= deadline) {
    const times = (s.throttled?.count ?? 0) + 1;
    const message = `throttled by the target (rate limit) ${times} times over ${formatDuration(throttledMs)}, past the throttle deadline of ${formatDuration(deadline)} (retry.throttle_deadline); last answer: ${failure.message}`;
    return { kind: 'dead_letter', reason: 'throttle-deadline', failure: { ...failure, message } };
  }
  const count = (s.throttled?.count ?? 0) + 1;
  const delay = retryDelay(count, s.retry, failure.retryAfterMs, s.maxDelayMs, random);
  // Never sleep past the deadline: the attempt after it dead-letters the event on time.
  return { kind: 'retry', delayMs: Math.max(1, Math.min(delay, deadline - throttledMs)), throttled: { count, since } };
}

/** Waits with backoff until the cross-reference appears, or dead-letters the event once its deadline has passed. */
function dependencyWait(
  s: Extract<Situation, { kind: 'attempt' }>,
  failure: ExecutionFailure & { dependency: NonNullable<ExecutionFailure['dependency']> },
  random: () => number,
): Fate {
  const now = s.now ?? Date.now();
  const deadline = s.retry.dependencyDeadlineMs ?? DEFAULT_DEPENDENCY_DEADLINE_MS;
  const waitedMs = s.waited ? now - Date.parse(s.waited.since) : 0;
  const { map, key } = failure.dependency;
  if (waitedMs >= deadline)
    return {
      kind: 'dead_letter',
      reason: 'dependency-deadline',
      failure: {
        ...failure,
        code: 'dependency-deadline',
        action: 'dead_letter',
        message: `waited ${formatDuration(waitedMs)} for cross-reference ${map} ${JSON.stringify(key)} (dependency deadline ${formatDuration(deadline)}); sync that record (or \`junction xref set ${map} ${key} <id>\`), then replay`,
      },
    };
  const waits = (s.waited?.waits ?? 0) + 1;
  const delay = retryDelay(waits, s.retry, undefined, s.maxDelayMs, random);
  // Never sleep past the deadline: the attempt after it dead-letters the event on time.
  return { kind: 'wait', delayMs: Math.max(1, Math.min(delay, deadline - waitedMs)), waits };
}

/**
 * Exponential backoff with "equal jitter" (half fixed, half random: never a tight loop, never synchronised
 * retries). A target's Retry-After wins when it asks for longer.
 */
export function retryDelay(
  attempt: number,
  retry: RetryPolicy,
  retryAfterMs: number | undefined,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(retry.maxMs, retry.initialMs * retry.multiplier ** Math.max(0, attempt - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const delay = retryAfterMs !== undefined && retryAfterMs > jittered ? retryAfterMs : jittered;
  return Math.max(1, Math.min(Math.round(delay), maxDelayMs));
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3600_000)}h`;
}
