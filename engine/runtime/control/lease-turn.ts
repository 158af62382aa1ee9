/**
 * One round of a periodic job under a lease (a reconcile round, an alert evaluation), for jobs whose effects must not
 * happen twice: a notification sent, a record re-sent. A lease taken once per round (takeLease) lets another engine
 * take over while the round still runs: a round longer than the lease (slow receivers, a long listing), or a holder
 * paused past it (a GC pause, a partition) that then carries on beside the new holder. A turn closes both:
 *  - having taken another holder's live-looking lease over (by an estimate of the broker's clock that runs ahead), it
 *    first waits out the rest of that lease by the broker's own timestamps, as the source leases do;
 *  - it renews the lease every third of its TTL while the round runs, so a long round keeps it;
 *  - before each effect the round asks `confirm()`, which renews the lease now by compare-and-set: false once another
 *    engine holds it or a renewal failed (for good: a turn that lost its lease stays lost). The holder times its own
 *    lease by the monotonic clock, from before its last renewal was asked: `held()` is false once that ran out.
 * What is left is a pause between `confirm()` and the effect itself (the request's first bytes) longer than the TTL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import type { LeaseClock } from './broker-clock.js';
import { replacedLeaseLeft, takeLease } from './kv-lease.js';

/** Where a turn's lease lives and who takes it. */
export interface TurnLease {
  kv: KV;
  key: string;
  holder: string;
  ttlMs: number;
  /** The broker's clock as this process estimates it: the lease's `until` is by it. */
  clock: LeaseClock;
}

export class LeaseTurn {
  /** Monotonic ms (performance.now) the lease runs out unless renewed: the TTL from before the renewal was asked. */
  #validUntil: number;
  #lost = false;
  #renewing: Promise<boolean> = Promise.resolve(true);
  readonly #heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly lease: TurnLease,
    askedAt: number,
  ) {
    this.#validUntil = askedAt + lease.ttlMs;
    this.#heartbeat = setInterval(() => void this.confirm(), lease.ttlMs / 3);
    this.#heartbeat.unref();
  }

  /** Takes the lease for a round; undefined while another engine holds it (or once this one lost it while waiting). */
  static async take(lease: TurnLease): Promise<LeaseTurn | undefined> {
    const askedAt = performance.now();
    const taken = await takeLease(lease.kv, lease.key, lease.holder, lease.ttlMs, lease.clock);
    if (!taken) return undefined;
    const turn = new LeaseTurn(lease, askedAt);
    const left = await replacedLeaseLeft(lease.kv, lease.key, taken, lease.ttlMs);
    if (left > 0) await sleep(left); // renewed meanwhile
    if (await turn.confirm()) return turn;
    turn.end();
    return undefined;
  }

  /** True while this process holds the lease by its own monotonic reckoning (no I/O). */
  held(): boolean {
    return !this.#lost && performance.now() < this.#validUntil;
  }

  /** Renews the lease now (one at a time); true when this process still holds it. Ask right before each effect. */
  confirm(): Promise<boolean> {
    return (this.#renewing = this.#renewing.then(() => this.#renew()));
  }

  /** The round is over: no more renewals. The lease runs until its `until`, for this engine's next round. */
  end(): void {
    clearInterval(this.#heartbeat);
    this.#lost = true;
  }

  async #renew(): Promise<boolean> {
    if (this.#lost) return false;
    const { kv, key, holder, ttlMs, clock } = this.lease;
    const askedAt = performance.now();
    const taken = await takeLease(kv, key, holder, ttlMs, clock);
    // Replacing another holder's lease means someone held it since this turn's last renewal: lost all the same.
    if (taken && !taken.replaced) this.#validUntil = askedAt + ttlMs;
    else this.#lost = true;
    return this.held();
  }
}
