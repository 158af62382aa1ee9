/**
 * The JSON text each request body was sent as, kept by the body object: the trace record of the attempt
 * (engine/runtime/stores/trace-log.ts) shows the same body, and serialising it once more was a few per cent of the
 * engine's CPU per event. Nothing changes a body object after it was sent (its request is only recorded), so the text
 * is what `JSON.stringify` would give again. Held weakly: an entry lives as long as its body.
 */
const SENT = new WeakMap<object, string>();

/** The HTTP client, after serialising `body` to `json` for the wire. */
export function rememberSentJson(body: unknown, json: string): void {
  if (body !== null && typeof body === 'object') SENT.set(body, json);
}

/** `JSON.stringify(value)`, taken from the wire text when `value` is a body object that was sent. */
export function jsonOf(value: unknown): string | undefined {
  const sent = value !== null && typeof value === 'object' ? SENT.get(value) : undefined;
  return sent ?? (JSON.stringify(value) as string | undefined);
}
