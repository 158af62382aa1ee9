/**
 * Room left in the events stream, for nats-servers that trim the oldest events at the limit instead of refusing new
 * ones (before 2.10.5: see `dropsAtStreamLimit`). The publisher reserves each event's room first and is refused early,
 * so such a server never reaches its limit and never trims. The count is the stream's size at the last refresh, plus
 * what this process stored or is storing since, each at an upper bound of its stored size. Events counted twice
 * only make it refuse early; other engines' events are not counted, which is why status still says to upgrade.
 */
import type { EventsStreamUsage } from '../observe/runtime-metrics.js';

/**
 * nats-server's file store record around subject, headers and payload: length 4, sequence 8, timestamp 8, subject
 * length 2, header length 4, hash 8 (`fileStoreMsgSize`, server/filestore.go).
 */
const RECORD_OVERHEAD = 34;

/** The bytes a message takes in the stream: its record, with the header block's size as the client encodes it. */
export function storedSize(subject: string, headerBytes: number, data: Uint8Array): number {
  return RECORD_OVERHEAD + Buffer.byteLength(subject) + headerBytes + data.length;
}

export class StreamRoom {
  #base = 0;
  #max = Infinity;
  /** Bytes this process stored (acked) in total, and the total when the last refresh started. */
  #stored = 0;
  #storedAtBase = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly read: () => Promise<EventsStreamUsage>,
    private readonly intervalMs = 1000,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async refresh(): Promise<void> {
    const mark = this.#stored;
    const usage = await this.read().catch(() => undefined);
    if (!usage) return;
    this.#base = usage.bytes;
    this.#storedAtBase = mark;
    this.#max = usage.maxBytes > 0 ? usage.maxBytes : Infinity;
  }

  /** Reserves `size` bytes; false (nothing reserved) when the stream would reach its limit. */
  take(size: number): boolean {
    const used = this.#base + (this.#stored - this.#storedAtBase) + this.#inFlight;
    if (used + size >= this.#max) return false;
    this.#inFlight += size;
    return true;
  }

  /** Ends a reservation: counted as stored unless the publish failed. */
  settle(size: number, stored: boolean): void {
    this.#inFlight -= size;
    if (stored) this.#stored += size;
  }
}
