/**
 * The broker's clock, as this process estimates it: every lease `until` is written and judged by it, so no lease
 * depends on two engines' clocks agreeing. An engine whose own clock runs an hour behind would otherwise take a dead
 * holder's lease over an hour late, and one an hour ahead would take live leases over at once.
 *
 * The estimate comes from the broker's own timestamp of a write: a KV put of `broker-clock` in the control bucket,
 * bracketed by this process's monotonic clock before and after. The broker stored the write somewhere inside that
 * bracket, so taking its middle errs by half the round trip at most; of a few writes the one with the shortest round
 * trip is kept. It is taken at start, on a slow timer and after a reconnect (a broker restart may bring another
 * server, or a stepped clock), never on an event's way. Kept against the monotonic clock (`performance.now()`), it is
 * unmoved by this process's wall clock being stepped between samples.
 */
import type { KV } from '@nats-io/kv';

/** Epoch ms by the clock every lease is written and judged by. */
export interface LeaseClock {
  now(): number;
}

/** This process's wall clock: for callers without a broker (and before the first estimate). */
export const localClock: LeaseClock = { now: () => Date.now() };

/** The key every engine writes to read the broker's timestamp back (its value is only who wrote it). */
const BROKER_CLOCK_KEY = 'broker-clock';

/** Writes per estimate: the one with the shortest round trip is kept. */
const SAMPLES = 3;

/**
 * Until the first estimate is taken, it is tried again this often (ms) rather than every `refreshMs`: meanwhile the
 * engine judges leases and alert times by its own wall clock, which may be hours off the broker's.
 */
const FIRST_RETRY_MS = 1_000;

/** What one estimate found. */
interface ClockEstimate {
  /**
   * The broker's clock minus this process's wall clock (ms): positive when this process runs behind. The two clocks
   * are read one after the other, so a pause of this process between the reads (a loaded machine) shifts it by the
   * pause: within `errorMs` only on a quiet machine. It serves the start's warning of clocks a second apart.
   */
  offsetMs: number;
  /** How far the estimate may be off at most (ms): half the round trip of the write it came from. */
  errorMs: number;
}

export class BrokerClock implements LeaseClock {
  /** The broker's epoch ms minus `performance.now()`; undefined until the first estimate. */
  #base: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<ClockEstimate | undefined> | undefined;

  /**
   * @param control the bucket written to (`junction_control`).
   * @param holder this engine, stored as the value (who wrote it last; nobody reads it).
   * @param refreshMs how often the estimate is taken again.
   */
  constructor(
    private readonly control: KV,
    private readonly holder: string,
    private readonly refreshMs = 60_000,
  ) {}

  /**
   * Epoch ms by the broker's clock; this process's wall clock until the first estimate. Whole ms, as `Date.now()`:
   * delays derived from it go to the broker (a nak's delay), which refuses fractions.
   */
  now(): number {
    return this.#base === undefined ? Date.now() : Math.round(performance.now() + this.#base);
  }

  /**
   * Takes an estimate now, then again every `refreshMs` (every second until one is taken). Resolves once the first
   * try is taken or failed; undefined when it failed (its writes lost or timed out, as on a broker slow under load).
   */
  async start(): Promise<ClockEstimate | undefined> {
    const first = await this.sync();
    this.#schedule();
    return first;
  }

  /** Whether an estimate was taken: until then `now()` is this process's wall clock. */
  get estimated(): boolean {
    return this.#base !== undefined;
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Takes a new estimate (one at a time): after a reconnect, and on the timer. Undefined when no write could be
   * read back (the previous estimate stays).
   */
  sync(): Promise<ClockEstimate | undefined> {
    return (this.#syncing ??= this.#estimate().finally(() => (this.#syncing = undefined)));
  }

  #schedule(): void {
    const delay = this.estimated ? this.refreshMs : Math.min(FIRST_RETRY_MS, this.refreshMs);
    this.#timer = setTimeout(() => void this.sync().finally(() => this.#timer && this.#schedule()), delay);
    this.#timer.unref();
  }

  async #estimate(): Promise<ClockEstimate | undefined> {
    let best: { base: number; errorMs: number } | undefined;
    for (let i = 0; i < SAMPLES; i++) {
      const sample = await this.#sample().catch(() => undefined);
      if (sample && (!best || sample.errorMs < best.errorMs)) best = sample;
    }
    if (!best) return undefined;
    this.#base = best.base;
    return { offsetMs: this.now() - Date.now(), errorMs: best.errorMs };
  }

  /** One write bracketed by the monotonic clock, and the broker's timestamp of it read back. */
  async #sample(): Promise<{ base: number; errorMs: number } | undefined> {
    const before = performance.now();
    const revision = await this.control.put(BROKER_CLOCK_KEY, this.holder);
    const after = performance.now();
    const entry = await this.control.get(BROKER_CLOCK_KEY, { revision });
    if (entry) return { base: entry.created.getTime() - (before + after) / 2, errorMs: (after - before) / 2 };
    // Another engine's write replaced it already (history 1), as when engines start together and sample at once
    // (more than a third of the estimates of four engines were lost that way). The write that replaced it was stored
    // after this one and before the broker answers the read of the latest: its timestamp is inside that wider bracket.
    const latest = await this.control.get(BROKER_CLOCK_KEY);
    const end = performance.now();
    if (!latest || latest.revision <= revision) return undefined;
    return { base: latest.created.getTime() - (before + end) / 2, errorMs: (end - before) / 2 };
  }
}
