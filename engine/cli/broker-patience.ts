/**
 * How the demo rides out a broker (NATS) outage, as the engine does: a webhook the engine answers with a 5xx (it
 * could not store the event) and a call of the demo's own that needs NATS (listing or replaying dead letters) are
 * retried with backoff (0.25 s doubling to 4 s) for up to {@link BROKER_PATIENCE_MS}, like a real webhook sender
 * that keeps its event until it is stored. While one waits, `waiting` says since when and why, for the progress
 * line; a broker that stays away longer ends the demo with {@link BrokerGaveUp}, naming what was waited for.
 */

/** How long the demo waits for a broker that went away before it gives up (docs: README, "Quick start"). */
export const BROKER_PATIENCE_MS = 120_000;

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 4_000;

/** A failure worth retrying while the broker may be back soon (a 5xx from ingest, no answer at all). */
export class Retryable extends Error {
  override name = 'Retryable';
}

/** The broker stayed away longer than the demo's patience. */
export class BrokerGaveUp extends Error {
  override name = 'BrokerGaveUp';
}

/** What is being waited for, since when (epoch ms), and the last failure's words. */
export interface BrokerWait {
  what: string;
  since: number;
  reason: string;
}

export class BrokerPatience {
  readonly #waits = new Set<BrokerWait>();
  #waitedMs = 0;
  #stopped = false;

  constructor(
    private readonly patienceMs = BROKER_PATIENCE_MS,
    private readonly sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
    private readonly now = Date.now,
  ) {}

  /** Ctrl-C: a wait going on ends at its next try, and a failure from now on is thrown at once, not waited out. */
  stop(): void {
    this.#stopped = true;
  }

  /** How long finished waits took in all: the demo's timeline leaves that time out. */
  get waitedMs(): number {
    return this.#waitedMs;
  }

  /** The longest wait going on, if any. */
  get waiting(): BrokerWait | undefined {
    let oldest: BrokerWait | undefined;
    for (const wait of this.#waits) if (!oldest || wait.since < oldest.since) oldest = wait;
    return oldest;
  }

  /**
   * Runs `attempt` until it succeeds. A {@link Retryable} failure (any failure with `everyFailure`, for calls that
   * fail only while the broker is away) is retried with backoff; anything else is thrown at once.
   */
  async retry<T>(what: string, attempt: () => Promise<T>, everyFailure = false): Promise<T> {
    let wait: BrokerWait | undefined;
    let delay = FIRST_DELAY_MS;
    try {
      for (;;) {
        try {
          return await attempt();
        } catch (error) {
          if (!everyFailure && !(error instanceof Retryable)) throw error;
          const reason = error instanceof Error ? error.message : String(error);
          wait ??= { what, since: this.now(), reason };
          wait.reason = reason;
          this.#waits.add(wait);
          const waited = this.now() - wait.since;
          if (this.#stopped)
            throw new BrokerGaveUp(
              `stopped (Ctrl-C) while retrying ${what} (${reason}): the end check needs NATS, so there is none.`,
            );
          if (waited + delay > this.patienceMs)
            throw new BrokerGaveUp(
              `gave up on ${what} after ${Math.round(waited / 1000)} s of retrying (${reason}): ` +
                `the demo waits up to ${this.patienceMs / 1000} s for NATS to come back. Is nats-server still ` +
                "running (the demo's own, in .junction/demo-*)?",
            );
          await this.sleep(delay);
          delay = Math.min(delay * 2, MAX_DELAY_MS);
        }
      }
    } finally {
      if (wait) {
        this.#waits.delete(wait);
        this.#waitedMs += this.now() - wait.since;
      }
    }
  }
}
