/**
 * The room a dead-letter entry takes beyond its event. An entry is one KV value, and the NATS server takes at most
 * `max_payload` bytes in one (1 MiB by default), as it does for the event: an event that fits the stream but leaves
 * no room for its entry could never be dead-lettered, and would be redelivered for ever, holding its partition. So
 * ingest takes only events that leave DEAD_LETTER_RESERVE under max_payload, and an entry too large for it keeps
 * beside the event only fields bounded here (dead-letter-store.ts `write`).
 */

/** The most UTF-16 units an entry keeps of its error message, and of its request's path when it must give way. */
export const MAX_ENTRY_TEXT = 1000;

/**
 * What an entry adds to its event, the key and the ids the event's headers already carry: the error message and the
 * request's path (each at most MAX_ENTRY_TEXT units, at most 6 bytes each as JSON, for a control character: 12 KB),
 * the field names, the entry's id, integration, subject, step, code, times and a replay's marks (under 2 KB).
 */
export const DEAD_LETTER_RESERVE = 16 * 1024;

/** `text`, cut to MAX_ENTRY_TEXT units with a note of how much was left out. */
export function boundedText(text: string): string {
  if (text.length <= MAX_ENTRY_TEXT) return text;
  return `${text.slice(0, MAX_ENTRY_TEXT)}… [${text.length - MAX_ENTRY_TEXT} more characters]`;
}
