/**
 * Webhook events this process just stored, parsed, for its own worker. Ingest has to parse a body to find its key;
 * an engine that runs ingest and workers in one process (the default) then hands the parsed event on instead of
 * parsing the same bytes again. An entry is keyed by stream sequence and given out only for a delivery with exactly
 * the stored bytes, so the worker gets what its own parse would give. Everything else (an event stored by another
 * process, a parked event, an entry pushed out by newer ones) is parsed as before.
 */

/** Entries kept; more than the events between a PubAck and their delivery when the worker keeps up. */
const CAPACITY = 128;

export class ParsedHandoff {
  readonly #entries = new Map<number, { data: Uint8Array; event: unknown }>();

  /** Ingest: the event stored at `seq`, as parsed from `data`. */
  put(seq: number, data: Uint8Array, event: unknown): void {
    if (this.#entries.size >= CAPACITY) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(seq, { data, event });
  }

  /** Worker: the parsed event of the delivery of `seq` with bytes `data`, once; undefined when it must parse. */
  take(seq: number, data: Uint8Array): unknown {
    const entry = this.#entries.get(seq);
    if (!entry) return undefined;
    this.#entries.delete(seq);
    return Buffer.compare(entry.data, data) === 0 ? entry.event : undefined;
  }
}
