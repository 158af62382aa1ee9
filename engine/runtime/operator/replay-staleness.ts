/**
 * Whether replaying a dead letter would overwrite newer data: per-key order says a record's events reach the target
 * in the order they were stored, so a dead-lettered v1 replayed after v2 was delivered would write v1 over v2. The
 * record's trace (engine/runtime/stores/trace-log.ts) tells: a delivery of an event of the same key that was stored
 * after the dead-lettered one. The trace is kept as long as the ledger (7 days by default); beyond it nothing is
 * known and nothing is flagged.
 */
import type { DeadLetter } from '../stores/dead-letter-store.js';
import type { TraceLog, TraceRecord } from '../stores/trace-log.js';

/** The newest delivery that supersedes the dead letter, if any. */
export interface NewerDelivery {
  eventId: string;
  storedAt: string;
  deliveredAt: string;
}

export async function newerDelivery(trace: TraceLog, entry: DeadLetter): Promise<NewerDelivery | undefined> {
  const records = await trace.read(entry.integration, entry.key).catch((): TraceRecord[] => []);
  // When the dead-lettered event was stored; the entry's own creation time is a later bound when untraced.
  const storedAt = records.find((r) => r.dlqId === entry.id)?.storedAt ?? entry.createdAt;
  const newer = records.filter(
    (r) => r.outcome === 'delivered' && !r.replayOf && r.eventId !== entry.eventId && r.storedAt > storedAt,
  );
  const last = newer[newer.length - 1];
  return last && { eventId: last.eventId, storedAt: last.storedAt, deliveredAt: last.at };
}
