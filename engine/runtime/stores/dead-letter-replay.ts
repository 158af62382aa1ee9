/**
 * Replay of a dead letter: re-publish the original event with a new `Nats-Msg-Id` (so the broker's dedup window
 * does not swallow it) but the same event id (so idempotency keys and checkpoints still apply), then mark the
 * entry replayed. The CLI and `POST /api/dlq/<id>/replay` both call this.
 */
import type { DeadLetter, DeadLetterStore } from './dead-letter-store.js';
import type { EventPublisher } from '../ingest/event-publisher.js';

export type ReplayOutcome =
  | { status: 'replayed'; entry: DeadLetter; seq: number }
  | { status: 'not-found' }
  | { status: 'already-replayed' | 'already-resolved'; entry: DeadLetter }
  /** A later event of the same key was delivered: replaying would write older data over it (needs `force`). */
  | { status: 'stale'; entry: DeadLetter; newer: { eventId: string; storedAt: string; deliveredAt: string } };

export async function replayDeadLetter(
  store: DeadLetterStore,
  publisher: EventPublisher,
  id: string,
  options: { integration?: string; commit?: string } = {},
): Promise<ReplayOutcome> {
  const found = await store.get(id, options.integration);
  if (!found) return { status: 'not-found' };
  const { entry, revision } = found;
  if (entry.status !== 'open') return { status: `already-${entry.status}`, entry };
  const data = Buffer.from(typeof entry.event === 'string' ? entry.event : JSON.stringify(entry.event));
  // Publish first, so a failed publish leaves the entry open; the msg id is fixed per entry, so two operators
  // replaying at once are deduplicated by the broker.
  const stored = await publisher.publish({
    integration: entry.integration,
    identity: { key: entry.key, eventId: entry.eventId },
    data,
    commit: options.commit ?? entry.commit,
    msgId: `replay:${entry.integration}:${entry.id}`,
    replayOf: entry.id,
  });
  await store.markReplayed(entry, revision);
  return { status: 'replayed', entry: { ...entry, status: 'replayed' }, seq: stored.seq };
}
