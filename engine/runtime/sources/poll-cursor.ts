/**
 * A schedule source's position, kept in KV: the greatest cursor value stored so far, and which records at (or,
 * with an overlap, just before) that value were already stored. Vendor change timestamps have second (Magento,
 * Salesforce) or day (M3) precision, so the next poll asks from the cursor inclusively and skips those records:
 * records that share the cursor's second, or commit in it after the poll, are neither lost nor stored twice. Each
 * record key keeps only its content stored last, so a record changed back to an earlier content (the same day, on a
 * day-precision cursor) is a change again. A position belongs to the query that read it (positionOwner): a spec edit
 * that makes the source select other records starts afresh.
 */
import type { KV } from '@nats-io/kv';
import type { CompiledSource } from '../../compiler/compiled-spec.js';
import { stableHash } from '../../execute/stable-hash.js';
import { casConflict } from '../broker/cas-conflict.js';

/** The stored position of one schedule source. */
export interface PollCursor {
  cursor?: string;
  /**
   * `[cursor value, record hash, record key]` of the records stored at or near `cursor`, the last content of each
   * key; a snapshot's `[identity, hash]`. Without a key (stored by older engines, or a record without one) the
   * entry stands for its content alone.
   */
  seen: SeenRecord[];
  /** KV revision read (0: no entry yet), for the compare-and-set. */
  revision: number;
  /** The source the position belongs to (positionOwner); undefined as stored by engines before it. */
  source?: string;
}

export type SeenRecord = [value: string, hash: string, key?: string];

/** More than this many records at one cursor value are not all remembered; the broker and ledger still dedup. */
const SEEN_LIMIT = 5000;

/** Reads the position; a plain string (what older engines stored) is a cursor with nothing seen. */
export async function readPollCursor(kv: KV, name: string): Promise<PollCursor> {
  const entry = await kv.get(name);
  if (!entry || entry.operation !== 'PUT' || entry.length === 0) return { seen: [], revision: entry?.revision ?? 0 };
  const text = entry.string();
  try {
    const parsed = JSON.parse(text) as { cursor?: string; seen?: SeenRecord[]; source?: string };
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return { cursor: parsed.cursor, seen: parsed.seen ?? [], revision: entry.revision, source: parsed.source };
  } catch {
    // not JSON: a bare cursor
  }
  return { cursor: text, seen: [], revision: entry.revision };
}

/**
 * Compare-and-set: the new revision, or undefined when another poller moved the position first. Any other failure
 * (the broker refuses or times out the write) throws: the poll did not finish, and its source's health must say so.
 */
export async function writePollCursor(
  kv: KV,
  name: string,
  next: Omit<PollCursor, 'revision'>,
  revision: number,
): Promise<number | undefined> {
  const value = JSON.stringify({ cursor: next.cursor, seen: next.seen, source: next.source });
  try {
    return await (revision === 0 ? kv.create(name, value) : kv.update(name, value, revision));
  } catch (error) {
    if (casConflict(error)) return undefined;
    throw new Error(
      `the position of ${name} could not be stored (its events are): ${(error as Error)?.message ?? String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The position after storing `polled` (cursor value, hash and key of each record, in the order listed): the greatest
 * value, and the records that the next poll will read again (those at or after the new cursor minus the overlap),
 * each key with the content it was stored with last.
 */
export function advance(
  current: PollCursor,
  polled: readonly { value?: string; hash: string; key?: string }[],
  overlapMs: number,
): Omit<PollCursor, 'revision'> {
  let cursor = current.cursor;
  for (const { value } of polled)
    if (value !== undefined && (cursor === undefined || compareCursor(value, cursor) > 0)) cursor = value;
  if (cursor === undefined) return { cursor, seen: [] };
  const floor = (overlapMs > 0 && shiftTimestamp(cursor, -overlapMs)) || cursor;
  // By key (a record without one by its hash): a later content of the key replaces the earlier one.
  const seen = new Map<string, SeenRecord>();
  const remember = (entry: SeenRecord) => {
    if (compareCursor(entry[0], floor) >= 0) seen.set(entry[2] ?? entry[1], entry);
    else seen.delete(entry[2] ?? entry[1]);
  };
  for (const entry of current.seen) remember(entry);
  for (const { value, hash, key } of polled)
    if (value !== undefined) remember(key === undefined ? [value, hash] : [value, hash, key]);
  const kept = [...seen.values()];
  kept.sort((a, b) => compareCursor(a[0], b[0]));
  return { cursor, seen: kept.slice(-SEEN_LIMIT) };
}

/**
 * A snapshot source's position (the operation lists a bounded set whole each poll, with no change filter): the
 * cursor stays, and `seen` is exactly this poll's records as `[identity, hash]`, so a record flows when its content
 * differs from the previous poll's record of the same identity, including when it goes back to an earlier content.
 */
export function snapshotPosition(
  current: PollCursor,
  polled: readonly { value?: string; hash: string }[],
): Omit<PollCursor, 'revision'> {
  const seen = polled.map(({ value, hash }): SeenRecord => [value ?? '', hash]);
  return { cursor: current.cursor, seen: seen.slice(-SEEN_LIMIT) };
}

/** Numbers compare as numbers, everything else (timestamps in one format) as strings. */
function compareCursor(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/**
 * `value` moved by `deltaMs`, written the way it came (`2026-01-02 10:00:00`, `2026-01-02T10:00:00.000+0000`,
 * `…Z`), in UTC; undefined when it is not such a timestamp.
 */
export function shiftTimestamp(value: string, deltaMs: number): string | undefined {
  const m = TIMESTAMP.exec(value);
  if (!m) return undefined;
  const zone = m[9] ?? '';
  const offset =
    zone && zone !== 'Z' ? (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2))) : 0;
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[5], +m[6], +m[7]) - offset * 60_000 + deltaMs;
  const d = new Date(utc + offset * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}${m[4]}${time}${m[8] ?? ''}${zone}`;
}

type ScheduleSource = Extract<CompiledSource, { kind: 'schedule' }>;

/**
 * What a stored position belongs to: the query that read it (connection, operation, the params it selects by, the
 * body) and what the cursor reads. Another query's cursor (a timestamp or offset of other records) or snapshot must
 * not be reused, so a source whose owner changed starts afresh; `every`, `overlap`, `records`, `initial_cursor` and
 * the params the operation does not select by (`positionParams`: fields read, page size) may change and keep it.
 */
export function positionOwner(source: ScheduleSource): string {
  const { connection, operation, params, positionParams, body, cursor, snapshot } = source;
  const selecting = positionParams ? positionParams.filter((p) => p in params) : Object.keys(params);
  return stableHash({
    kind: 'poll',
    connection,
    operation,
    params: Object.fromEntries(selecting.map((p) => [p, params[p]])),
    body: body?.source.trim() ?? null,
    cursor: cursor.source.trim(),
    snapshot,
  });
}
