/**
 * One leader per source across the cluster. A Change Data Capture subscription or a poll calls the vendor, and engines
 * running the same specs must not all do it: each subscription and call counts against the vendor's limits, and two
 * subscribers race each other's stored replay id. Every engine tries to take `source-lease.<integration>` in the
 * control bucket (kv-lease.ts). The holder runs the source and renews every third of the TTL; the others retry at that
 * pace and the moment the held lease runs out, then resume from the stored replay id or cursor. A leader that cannot
 * renew stops before its lease can run out, and a graceful stop hands the lease back. The lease's `until` is written
 * and judged by the broker's clock as each engine estimates it (broker-clock.ts), so an engine whose own clock runs
 * behind takes a dead leader's source over within the TTL, and one whose clock runs ahead never takes a live lease. The
 * estimates may still differ by a round trip or so: having taken another holder's lease over, an engine starts the
 * source only once the old lease has run out by the broker's timestamps of the two writes (replacedLeaseLeft), by when
 * the old holder has stopped (its next renewal finds the lease taken, or its deadline passes). Exactly-once does not
 * rest on the lease anyway: the broker's dedup id and the ledger drop what two sources stored.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { leaseHolder, releaseLease, replacedLeaseLeft, takeLease } from '../control/kv-lease.js';
import type { LeaseHolder } from '../control/kv-lease.js';
import type { LeaseClock } from '../control/broker-clock.js';

export interface SourceLeaseDeps {
  control: KV;
  /** This engine, as the lease holder. */
  holder: string;
  /** The broker's clock, as this engine estimates it: the lease's `until` is by it. */
  clock: LeaseClock;
  /** How long a lease lasts unless renewed: the longest a source pauses when its leader dies. */
  ttlMs: number;
  log: Logger;
}

export const sourceLeaseKey = (integration: string) => `source-lease.${integration}`;

/** Who leads `integration`'s source now by `clock` (status, dashboard); undefined while nobody does. */
export function sourceLeader(control: KV, integration: string, clock: LeaseClock): Promise<LeaseHolder | undefined> {
  return leaseHolder(control, sourceLeaseKey(integration), clock);
}

/** Runs `lead` while this engine holds the source's lease; `lead` starts the source and returns its stop. */
export class SourceLease {
  readonly #key: string;
  #leading: (() => Promise<void>) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  /** Not leading before then (monotonic ms): the rest of another holder's lease, taken over early. */
  #notBefore = 0;
  #stopped = false;
  #tick: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SourceLeaseDeps,
    private readonly integration: string,
    private readonly lead: () => () => Promise<void>,
  ) {
    this.#key = sourceLeaseKey(integration);
    this.#schedule(0);
  }

  /**
   * Stops the source if this engine leads it, and hands the lease back unless `handBack` is false: a source restarted
   * on this engine renews it (leased-sources.ts).
   */
  async stop({ handBack = true } = {}): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
    const wasLeading = !!this.#leading;
    await this.#abdicate();
    if (wasLeading && handBack) await releaseLease(this.deps.control, this.#key, this.deps.holder);
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => (this.#tick = this.#renew()), ms);
  }

  async #renew(): Promise<void> {
    const { control, holder, clock, ttlMs, log } = this.deps;
    // Monotonic: a wall clock stepped back during the renewal would put the deadline off by the step.
    const asked = performance.now();
    const held = await takeLease(control, this.#key, holder, ttlMs, clock);
    if (held?.replaced) {
      const left = await replacedLeaseLeft(control, this.#key, held, ttlMs);
      if (left > 0) {
        this.#notBefore = performance.now() + left;
        log.info({ integration: this.integration, holder, waitMs: left }, "waiting out the previous holder's lease");
      }
    }
    if (this.#stopped) {
      // Stopped while taking it: hand it back as a graceful stop does (stop() waits for this renewal first).
      if (held && !this.#leading) await releaseLease(control, this.#key, holder);
      return;
    }
    if (held) {
      // Should the next renewals fail or hang, stop while the lease still holds (a sixth of the TTL to spare).
      clearTimeout(this.#deadline);
      const deadline = asked + (ttlMs * 5) / 6 - performance.now();
      this.#deadline = setTimeout(() => void this.#abdicate('lease not renewed'), deadline);
      const wait = this.#notBefore - performance.now();
      if (!this.#leading && wait > 0) return this.#schedule(Math.min(ttlMs / 3, wait));
      if (!this.#leading) {
        log.info({ integration: this.integration, holder }, 'leading the source');
        this.#leading = this.lead();
      }
      return this.#schedule(ttlMs / 3);
    }
    if (this.#leading) await this.#abdicate('lease lost');
    // Follow: try again at the renewal pace, or as soon as the leader's lease runs out if that is sooner.
    const current = await leaseHolder(control, this.#key, clock).catch(() => undefined);
    const runsOut = current ? current.until - clock.now() + 5 : 0;
    this.#schedule(Math.max(5, Math.min(ttlMs / 3, runsOut)));
  }

  async #abdicate(reason?: string): Promise<void> {
    clearTimeout(this.#deadline);
    const stop = this.#leading;
    this.#leading = undefined;
    if (!stop) return;
    if (reason) this.deps.log.warn({ integration: this.integration, reason }, 'no longer leading the source');
    await stop();
  }
}
