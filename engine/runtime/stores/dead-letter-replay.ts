/**
 * Replay of a dead letter: re-publish the original event with a `Nats-Msg-Id` of the entry's own
 * (`replay:<integration>:<entry id>`, never the event's, whose copy the broker's dedup window may still hold) but the
 * same event id (so idempotency keys and checkpoints still apply), then mark the entry replayed. The CLI and
 * `POST /api/dlq/<id>/replay` both call this.
 */
import type { DeadLetter, DeadLetterStore } from './dead-letter-store.js';
import { EventTooLargeError, EventsStreamFullError } from '../ingest/event-publisher.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { NewerDelivery } from '../operator/replay-staleness.js';
import type { PauseInfo } from '../control/pause-control.js';
import { storedEventBytes } from './dead-letter-text.js';

export type ReplayOutcome =
  | { status: 'replayed'; entry: DeadLetter; seq: number }
  | { status: 'not-found' }
  | { status: 'already-replayed' | 'already-resolved'; entry: DeadLetter }
  /** Its integration is not in the active spec set: no worker would take the event (checked by an engine). */
  | { status: 'integration-missing'; entry: DeadLetter }
  /** Its integration is paused (`junction pause`): the event would wait behind the pause, the entry say replayed. */
  | { status: 'integration-paused'; entry: DeadLetter; pause: PauseInfo }
  /** The entry kept changing under the replay (another writer each time it was claimed): nothing was published. */
  | { status: 'changed-meanwhile' }
  /** A later event of the same key was delivered, or will be first: the replay would overwrite it (needs `force`). */
  | { status: 'stale'; entry: DeadLetter; newer: NewerDelivery }
  /**
   * Steps the event finished before would run again: `steps` are not in the active spec set (renamed, removed),
   * `expired` lost their checkpoints (replay-steps.ts).
   */
  | { status: 'steps-changed'; entry: DeadLetter; steps: string[]; expired: string[] }
  /**
   * The source refused the enrichment read of its change (`enrichment-refused`): a replay would send the change
   * without the fields that read adds (needs `force`; reconcile or backfill the record instead).
   */
  | { status: 'enrichment-refused'; entry: DeadLetter };

/** Claims lost to another writer before giving up (each loss means the entry changed: it is read again). */
const CLAIM_TRIES = 5;

export async function replayDeadLetter(
  store: DeadLetterStore,
  publisher: EventPublisher,
  id: string,
  options: { integration?: string; commit?: string } = {},
): Promise<ReplayOutcome> {
  for (let tries = 0; tries < CLAIM_TRIES; tries++) {
    const found = await store.get(id, options.integration);
    if (!found) return { status: 'not-found' };
    if (found.entry.status !== 'open') return { status: `already-${found.entry.status}`, entry: found.entry };
    // Claimed (compare-and-set) before publishing, so a resolve racing this replay either lands first (and the claim
    // fails: nothing is sent) or is refused. An entry claimed already is an interrupted or running replay, finished
    // here: claimed again all the same, so that the earlier replay cannot take its claim back while this one sends.
    const claimed = await store.markReplayStarted(found.entry, found.revision);
    if (!claimed) continue;
    const { entry, revision } = claimed;
    const data = storedEventBytes(entry);
    // The msg id is fixed per entry, so two operators replaying at once, or a replay finished again, are
    // deduplicated by the broker.
    const stored = await publisher
      .publish({
        integration: entry.integration,
        identity: { key: entry.key, eventId: entry.eventId },
        data,
        commit: options.commit ?? entry.commit,
        msgId: `replay:${entry.integration}:${entry.id}`,
        replayOf: entry.id,
      })
      .catch(async (error: unknown) => {
        // Refused before anything was stored: the claim is taken back, unless the entry was claimed when read (an
        // earlier replay, still running or stopped, may have sent it) or changed since (another replay claimed it).
        // Any other failure (a timeout, a lost PubAck) may have stored the event: the entry stays claimed.
        if (storedNothing(error) && !found.entry.replayStartedAt) await store.releaseReplayClaim(entry, revision);
        throw error;
      });
    await store.markReplayed(entry, revision);
    return { status: 'replayed', entry: { ...entry, status: 'replayed' }, seq: stored.seq };
  }
  return { status: 'changed-meanwhile' };
}

/** The publisher's refusals that certainly stored nothing (the broker refused it, or it was never sent). */
function storedNothing(error: unknown): boolean {
  return error instanceof EventsStreamFullError || error instanceof EventTooLargeError;
}
