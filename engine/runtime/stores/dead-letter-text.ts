/**
 * A dead-letter entry as stored text, and back. Writing one must never fail on the event's shape or size (a poison
 * event that cannot reach the DLQ is redelivered forever and blocks its partition):
 * - When the event's bytes as stored in the stream are known, the entry is stored as its JSON without the event, a
 *   newline, then those bytes. Parsed and serialised again, an event can grow (`1e20` becomes 21 digits), so an
 *   entry holding it as JSON could outgrow the room ingest keeps beside every event (dead-letter-room.ts); the bytes
 *   themselves never do, and replay republishes them byte for byte. JSON.stringify never writes a raw newline, so
 *   the first one ends the entry's JSON, and an entry stored whole as JSON (older entries, source records) has none.
 * - An event, or a request body, nested deeper than MAX_EVENT_DEPTH is read back as text: every reader of the entry
 *   (API, CLI, dashboard) then sees a string rather than a structure too deep to walk.
 */
import { stableStringify } from '../../execute/stable-hash.js';
import { MAX_EVENT_DEPTH, valueDepth } from '../ingest/json-depth.js';
import type { DeadLetter } from './dead-letter-store.js';

/**
 * The event's bytes as stored, of each entry read back, so that its updates (a replay's claim and mark, a resolve)
 * store them again unchanged. Beside the entry, not in it: an entry is what answers and tests see.
 */
const storedEvents = new WeakMap<DeadLetter, string>();

/** `to`, an update of `from`, keeps the event bytes `from` was read with. */
export function carryStoredEvent<T extends DeadLetter>(from: DeadLetter, to: T): T {
  const raw = storedEvents.get(from);
  if (raw !== undefined) storedEvents.set(to, raw);
  return to;
}

const tooDeep = (value: unknown) => valueDepth(value, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH;

/** `rawEvent`: the event as it was stored in the stream (else the bytes the entry was read back with, if any). */
export function deadLetterText(entry: DeadLetter, rawEvent?: string): string {
  const raw = rawEvent ?? storedEvents.get(entry);
  const body = entry.request?.body;
  const request =
    body !== undefined && tooDeep(body) ? { ...entry.request!, body: stableStringify(body) } : entry.request;
  if (raw !== undefined) return `${JSON.stringify({ ...entry, event: undefined, request })}\n${raw}`;
  const event = tooDeep(entry.event) ? stableStringify(entry.event) : entry.event;
  return JSON.stringify({ ...entry, event, request });
}

/** An entry from its stored text: the event parsed from its bytes (or kept as text: not JSON, or too deep). */
export function parseDeadLetter(text: string): DeadLetter {
  const end = text.indexOf('\n');
  if (end < 0) return JSON.parse(text) as DeadLetter;
  const raw = text.slice(end + 1);
  const entry = JSON.parse(text.slice(0, end)) as DeadLetter;
  entry.event = eventOf(raw);
  storedEvents.set(entry, raw);
  return entry;
}

/** The bytes a replay republishes: the event as it was stored, when the entry kept them. */
export function storedEventBytes(entry: DeadLetter): Buffer {
  const raw = storedEvents.get(entry);
  if (raw !== undefined) return Buffer.from(raw);
  return Buffer.from(typeof entry.event === 'string' ? entry.event : JSON.stringify(entry.event));
}

function eventOf(raw: string): unknown {
  try {
    const event: unknown = JSON.parse(raw);
    return tooDeep(event) ? raw : event;
  } catch {
    return raw;
  }
}
