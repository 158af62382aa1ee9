/**
 * Marks of the moments an event passes in a worker, on the diagnostics channel `junction:event-stage` for whoever
 * subscribes (`node:diagnostics_channel`). The engine bench splits each event's latency into stages with them; with
 * no subscriber a mark costs one check and builds nothing.
 */
import { channel } from 'node:diagnostics_channel';

export const STAGE_CHANNEL = 'junction:event-stage';

/**
 * `delivered`: the worker has the message (`seq`, `subject`); `checked`: the ledger and the key's parking were read
 * (an event from its partition); `transformed`: a step's body is evaluated (once per element of a `for_each`);
 * `settled`: the message is acked, nakked or terminated (`seq`, `subject`).
 */
type EventStage = 'delivered' | 'checked' | 'transformed' | 'settled';

export interface StageMark {
  stage: EventStage;
  /** `<integration>:<event id>` as the worker names it; absent on `settled`. */
  eventId?: string;
  /** The stream sequence and subject of the message (`delivered`, `settled`). */
  seq?: number;
  subject?: string;
  /** When the stream stored the message, by the broker's clock (`delivered`). */
  storedAt?: number;
  /** Wall-clock ms, sub-ms resolution (`performance.timeOrigin + performance.now()`), comparable across processes. */
  at: number;
}

const stages = channel(STAGE_CHANNEL);

/** Positional arguments, so that a call with no subscriber allocates nothing. */
export function markStage(
  stage: EventStage,
  eventId?: string,
  seq?: number,
  subject?: string,
  storedAt?: number,
): void {
  if (!stages.hasSubscribers) return;
  const at = performance.timeOrigin + performance.now();
  stages.publish({ stage, eventId, seq, subject, storedAt, at } satisfies StageMark);
}
