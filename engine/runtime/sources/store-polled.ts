/**
 * Stores one page of a schedule poll: each record the position does not already know (a snapshot: each whose content
 * differs from the last poll's record of the same identity) as an event, never two records of one key at once
 * (key-ordered-batches.ts).
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { stableHash } from '../../execute/stable-hash.js';
import { eventData } from '../ingest/event-publisher.js';
import type { EventIdentity, EventPublisher } from '../ingest/event-publisher.js';
import { identifyOrDeadLetter } from './keyless-records.js';
import type { KeylessDeps } from './keyless-records.js';
import { keyOrderedBatches } from './key-ordered-batches.js';
import type { PollCursor, SeenRecord } from './poll-cursor.js';
import { cursorReadsNoRecord } from './record-free-cursor.js';
import { storeRecord } from './store-record.js';

/** Records published at once (of different keys): a large first poll must not open thousands of PubAcks together. */
const PUBLISH_BATCH = 64;

/** A polled record: its cursor value and content hash, and its key once known (what the position remembers). */
export interface PolledRecord {
  value?: string;
  hash: string;
  key?: string;
  record: unknown;
}

/** Sets each record's key where the position knows it, stores the new ones; returns how many were not duplicates. */
export async function storePolled(
  integration: CompiledIntegration,
  commit: string,
  position: PollCursor,
  polled: readonly PolledRecord[],
  deps: KeylessDeps & { publisher: EventPublisher },
): Promise<number> {
  const source = integration.source;
  if (source.kind !== 'schedule') return 0;
  // A snapshot remembers the last poll's content per record identity (the cursor value); other sources the last
  // content stored of each record key at or near the cursor, and the key of each content.
  const seen = new Set(position.seen.map(([, hash]) => hash));
  const before = source.snapshot ? new Map(position.seen.map(([value, hash]) => [value, hash])) : undefined;
  const keyed = position.seen.filter((entry): entry is Required<SeenRecord> => entry[2] !== undefined);
  const lastOfKey = new Map(keyed.map(([, hash, key]) => [key, hash]));
  const keyOfHash = new Map(keyed.map(([, hash, key]) => [hash, key]));
  const recordFree = !source.snapshot && cursorReadsNoRecord(source.cursor);
  const identified: { p: PolledRecord; identity: EventIdentity }[] = [];
  for (const p of polled) {
    p.key = keyOfHash.get(p.hash);
    if (before ? before.get(p.value ?? '') === p.hash : seen.has(p.hash)) continue;
    const identity = await identifyOrDeadLetter(integration, p.record, commit, deps);
    if (identity) identified.push({ p, identity });
  }
  let published = 0;
  for (const batch of keyOrderedBatches(identified, ({ identity }) => identity.key, PUBLISH_BATCH)) {
    await Promise.all(
      batch.map(async ({ p, identity }) => {
        p.key = identity.key;
        const replaced = before ? before.get(p.value ?? '') : lastOfKey.get(identity.key);
        const eventId = polledEventId(identity.eventId, replaced, position.revision, !!before, recordFree);
        const result = await storeRecord(
          deps.publisher,
          { integration: integration.name, identity: { ...identity, eventId }, data: eventData(p.record), commit },
          p.record,
          integration.redact,
        );
        if (!result.duplicate) published++;
      }),
    );
  }
  return published;
}

/**
 * The event id of a polled record. A record may come back to a content it had before (a stock level, a status
 * blocked and released), and its own id (dedup id or content hash) would then be one the broker and the ledger already
 * know: the change would be dropped. So when it replaces another content of its key (`replaced`), or its cursor reads
 * nothing of it (no change stamp of its own tells its changes apart, record-free-cursor.ts), the id also names the KV
 * revision of the position it was polled from. A poll repeated after a crash reads the same revision and gives the
 * same ids, which the broker and the ledger drop. A snapshot's record listed for the first time keeps its old id.
 */
function polledEventId(
  id: string,
  replaced: string | undefined,
  revision: number,
  snapshot: boolean,
  recordFree: boolean,
): string {
  if (replaced !== undefined || recordFree) return stableHash([id, replaced ?? null, revision]);
  return snapshot ? stableHash([id, null]) : id;
}
