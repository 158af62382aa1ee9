/**
 * What the runtime does with an event whose required cross-reference is missing (`dependency-missing`): wait and
 * retry with backoff, without spending the retry budget, until the cross-reference appears or the integration's
 * dependency deadline passes (then dead-letter it, saying what it waited for). The first wait can ask the map's
 * writer to fetch that record from its source.
 */
import type { ExecutionFailure } from '../../execute/execution-types.js';
import type { RetryPolicy } from '../../compiler/compiled-spec.js';
import type { WaitingEntry, WaitingStore } from '../stores/waiting-store.js';
import { retryDelay } from './delivery-decision.js';

export const DEFAULT_DEPENDENCY_DEADLINE_MS = 3600_000;

export type WaitDecision =
  | { kind: 'wait'; delayMs: number; entry: WaitingEntry; first: boolean }
  | { kind: 'give_up'; failure: ExecutionFailure };

export interface WaitInput {
  integration: string;
  eventId: string;
  key: string;
  digest: string;
  failure: ExecutionFailure & { dependency: NonNullable<ExecutionFailure['dependency']> };
  retry: RetryPolicy;
  maxRetryDelayMs: number;
  /** The entry read when the attempt started (undefined on a first wait). */
  waited?: WaitingEntry;
  now?: number;
}

export async function decideDependencyWait(store: WaitingStore, input: WaitInput): Promise<WaitDecision> {
  const now = input.now ?? Date.now();
  const { map, key } = input.failure.dependency;
  const since = input.waited?.since ?? new Date(now).toISOString();
  const deadline = input.retry.dependencyDeadlineMs ?? DEFAULT_DEPENDENCY_DEADLINE_MS;
  const waitedMs = now - Date.parse(since);
  if (waitedMs >= deadline)
    return {
      kind: 'give_up',
      failure: {
        ...input.failure,
        code: 'dependency-deadline',
        action: 'dead_letter',
        message: `waited ${formatDuration(waitedMs)} for cross-reference ${map} ${JSON.stringify(key)} (dependency deadline ${formatDuration(deadline)}); sync that record (or \`junction xref set ${map} ${key} <id>\`), then replay`,
      },
    };
  const waits = (input.waited?.waits ?? 0) + 1;
  const delay = retryDelay(waits, input.retry, undefined, input.maxRetryDelayMs);
  const entry: WaitingEntry = {
    integration: input.integration,
    eventId: input.eventId,
    key: input.key,
    map,
    id: key,
    since,
    waits,
    ...(input.waited?.fetchedBy ? { fetchedBy: input.waited.fetchedBy } : {}),
  };
  await store.put(input.digest, entry);
  // Never sleep past the deadline: the attempt after it dead-letters the event on time.
  return { kind: 'wait', delayMs: Math.max(1, Math.min(delay, deadline - waitedMs)), entry, first: waits === 1 };
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3600_000)}h`;
}
