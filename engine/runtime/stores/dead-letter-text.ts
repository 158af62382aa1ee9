/**
 * A dead-letter entry as stored text. Writing one must never fail on the event's shape (a poison event that cannot
 * reach the DLQ is redelivered forever and blocks its partition): an event, or a request body, nested deeper than
 * MAX_EVENT_DEPTH is kept as text. For the event that is its raw text, which replay republishes byte for byte; every
 * reader of the entry (API, CLI, dashboard) then sees a string rather than a structure too deep to walk.
 */
import { stableStringify } from '../../execute/stable-hash.js';
import { MAX_EVENT_DEPTH, valueDepth } from '../ingest/json-depth.js';
import type { DeadLetter } from './dead-letter-store.js';

/** `rawEvent`: the event as it was stored in the stream. */
export function deadLetterText(entry: DeadLetter, rawEvent?: string): string {
  const tooDeep = (value: unknown) => valueDepth(value, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH;
  const event = tooDeep(entry.event) ? (rawEvent ?? stableStringify(entry.event)) : entry.event;
  const body = entry.request?.body;
  const request =
    body !== undefined && tooDeep(body) ? { ...entry.request!, body: stableStringify(body) } : entry.request;
  return JSON.stringify({ ...entry, event, request });
}
