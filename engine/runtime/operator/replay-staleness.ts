/**
 * Whether replaying a dead letter would overwrite newer data: per-key order says a record's events reach the target
 * in the order they were stored, so a dead-lettered v1 replayed after v2 was delivered would write v1 over v2. The
 * same holds while v2 is still being retried: the replay queues behind it (key parking) and is delivered after it.
 * The record's trace (engine/runtime/stores/trace-log.ts) tells: a delivery (or an echo suppression: the target held
 * its body already), or a failed attempt to be retried, of an event of the same key stored after the dead-lettered
 * one. The trace is kept as long as the ledger (7 days by default); beyond it nothing is known and nothing is
 * flagged. A later event not attempted yet (still in its partition) has no trace and is not flagged either.
 */
import type { DeadLetter } from '../stores/dead-letter-store.js';
import type { TraceLog, TraceRecord } from '../stores/trace-log.js';

/** The later event a replay would overwrite: delivered already, or still being retried (delivered first). */
export interface NewerDelivery {
  eventId: string;
  storedAt: string;
  /** When it was delivered (or found already written: echo-suppressed). */
  deliveredAt?: string;
  /** When its last attempt failed, for an event still being retried (or waiting for a cross-reference). */
  lastFailedAt?: string;
}

export async function newerDelivery(trace: TraceLog, entry: DeadLetter): Promise<NewerDelivery | undefined> {
  const records = await trace.read(entry.integration, entry.key).catch((): TraceRecord[] => []);
  // A replay's attempts are stored when it was replayed: they count as of when their event was first stored (a v2
  // dead-lettered too, replayed and delivered first, is newer than v1), and not at all when that is no longer traced.
  const firstStored = new Map<string, string>();
  for (const r of records) if (!r.replayOf && !firstStored.has(r.eventId)) firstStored.set(r.eventId, r.storedAt);
  // When the dead-lettered event was first stored (a dead letter of its replay too); the entry's own creation time is
  // a later bound when untraced.
  const storedAt =
    firstStored.get(entry.eventId) ?? records.find((r) => r.dlqId === entry.id)?.storedAt ?? entry.createdAt;
  const storedOf = (r: TraceRecord) => (r.replayOf ? firstStored.get(r.eventId) : r.storedAt);
  const later = records.filter((r) => r.eventId !== entry.eventId && (storedOf(r) ?? '') > storedAt);
  // An echo-suppressed event wrote nothing because the target held its body already: the record's newest state too.
  const delivered = later.filter((r) => r.outcome === 'delivered' || r.outcome === 'echo_suppressed').pop();
  if (delivered) return { eventId: delivered.eventId, storedAt: storedOf(delivered)!, deliveredAt: delivered.at };
  // Each later event's last traced attempt (its replay's, once replayed): one to be tried again is still in flight.
  const last = new Map(later.map((r) => [r.eventId, r]));
  const retrying = [...last.values()].filter((r) => r.outcome === 'retrying' || r.outcome === 'waiting').pop();
  return retrying && { eventId: retrying.eventId, storedAt: storedOf(retrying)!, lastFailedAt: retrying.at };
}
