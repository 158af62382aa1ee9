/**
 * The one place where the outcome of an attempt becomes a broker action (STYLE.md rule 7): ack, nak(delay) or a
 * dead letter. Pure, so every branch is unit-tested without a broker.
 */
import type { ExecutionResult } from '../../execute/execution-types.js';
import type { RetryPolicy } from '../../compiler/compiled-spec.js';

export type DeliveryDecision =
  /** Finished: record in the ledger, then ack. */
  | { kind: 'done'; status: 'delivered' | 'skipped' | 'echo_suppressed' }
  /** Try again later: nak with this delay (JetStream BackOff only covers ack timeouts, so the engine drives it). */
  | { kind: 'retry'; delayMs: number }
  /** Permanent, or out of attempts: write the DLQ entry, record in the ledger, then ack. */
  | { kind: 'dead_letter'; reason: 'permanent' | 'exhausted' };

/** The code of a failure of the runtime's own state (KV), not of the event or its target. */
export const STATE_UNAVAILABLE = 'state-unavailable';

/**
 * Deliveries past the retry budget plus the spare ones for crashes: the event keeps coming back without finishing
 * (worker crashes, lost acks, runtime state down for long). The engine then dead-letters it itself; a broker delivery
 * limit would drop it silently, and its partition would move on past it.
 */
export function deliveryLimitReached(attempt: number, retry: RetryPolicy, crashDeliveries: number): boolean {
  return attempt > retry.maxAttempts + crashDeliveries;
}

/**
 * Decides what to do with an attempt's result. `attempt` is the broker's delivery count (1-based). `random` is
 * injectable so tests can pin the jitter.
 */
export function decideDelivery(
  result: ExecutionResult,
  attempt: number,
  retry: RetryPolicy,
  maxDelayMs: number,
  random: () => number = Math.random,
): DeliveryDecision {
  if (result.outcome !== 'failed') return { kind: 'done', status: result.outcome };
  const failure = result.failure!;
  if (failure.action === 'skip') return { kind: 'done', status: 'skipped' };
  if (failure.action === 'dead_letter') return { kind: 'dead_letter', reason: 'permanent' };
  // The runtime's own state (KV) being unavailable says nothing about the event: it does not use up the budget.
  if (failure.code === STATE_UNAVAILABLE)
    return { kind: 'retry', delayMs: retryDelay(attempt, retry, undefined, maxDelayMs, random) };
  if (attempt >= retry.maxAttempts) return { kind: 'dead_letter', reason: 'exhausted' };
  return { kind: 'retry', delayMs: retryDelay(attempt, retry, failure.retryAfterMs, maxDelayMs, random) };
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
