/**
 * A lease in a KV bucket: one process of the cluster does a periodic job (a reconcile round, alert evaluation) or runs
 * a source. Taken with compare-and-set when free or expired, renewed by its holder; a holder that dies loses it at
 * `until`, one that stops hands it back. `until` is written and judged by the broker's clock as each process estimates
 * it (broker-clock.ts), so no two engines' clocks are compared. That estimate may be off by half a round trip, and a
 * holder's by as much again: where running twice matters, a taker waits out the rest of the lease it replaced by the
 * broker's timestamps of the two writes (`brokerMsUntil`).
 */
import type { KV } from '@nats-io/kv';
import type { LeaseClock } from './broker-clock.js';

export interface LeaseHolder {
  holder: string;
  /** Epoch ms the lease runs out unless renewed, by the broker's clock as the holder estimated it. */
  until: number;
}

/** What `takeLease` wrote, and the lease of another holder it replaced. */
interface TakenLease {
  /** The revision of this holder's lease. */
  revision: number;
  /**
   * Another holder's lease that this process judged run out (not handed back): when the broker stored its
   * last write, and how long it lasted past that write (undefined for leases written before the TTL was stored).
   */
  replaced?: { written: Date; ttlMs: number | undefined };
}

/**
 * Takes `key` for `holder` for the next `ttlMs` when it is free, handed back or run out by `clock` (the broker's), or
 * renews `holder`'s own; undefined while another holder's lease runs (or another process won the compare-and-set).
 */
export async function takeLease(
  kv: KV,
  key: string,
  holder: string,
  ttlMs: number,
  clock: LeaseClock,
): Promise<TakenLease | undefined> {
  const now = clock.now();
  const value = JSON.stringify({ holder, until: now + ttlMs, ttl: ttlMs });
  try {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') return { revision: await kv.create(key, value) };
    const held = entry.json<{ holder?: string; until?: number; ttl?: number }>();
    if (held.holder !== holder && (held.until ?? 0) > now) return undefined;
    const revision = await kv.update(key, value, entry.revision);
    const live = held.holder && held.holder !== holder && (held.until ?? 0) > 0;
    return live ? { revision, replaced: { written: entry.created, ttlMs: held.ttl } } : { revision };
  } catch {
    // Another process won the compare-and-set.
    return undefined;
  }
}

/**
 * How long after the broker stored this process's write `revision` of `key` it is `endsAt` (epoch ms by the broker's
 * clock, from a time it stored: another holder's last write plus its TTL, say). Both times are the broker's own, so
 * not even an estimate of its clock is involved: a reader whose estimate runs ahead takes a lease over early, then
 * waits this long before it acts as the holder. `unread` when the write cannot be read back. Used by the source leases
 * and the call leases (worker/call-leases.ts).
 */
export async function brokerMsUntil(
  kv: KV,
  key: string,
  revision: number,
  endsAt: number,
  unread: number,
): Promise<number> {
  const ours = await kv.get(key, { revision }).catch(() => null);
  return ours ? endsAt - ours.created.getTime() : unread;
}

/**
 * What is left, by the broker's own timestamps, of another holder's lease that `taken` replaced (0 when it replaced
 * none): the broker's time of that holder's last write plus its TTL (`ttlMs` for a lease that did not store one),
 * against the broker's time of the takeover. A taker waits this long before it acts as the holder.
 */
export async function replacedLeaseLeft(kv: KV, key: string, taken: TakenLease, ttlMs: number): Promise<number> {
  if (!taken.replaced) return 0;
  const theirs = taken.replaced.ttlMs ?? ttlMs;
  return brokerMsUntil(kv, key, taken.revision, taken.replaced.written.getTime() + theirs, theirs);
}

/** Who holds `key` now by `clock` (the broker's); undefined when nobody does (never taken, handed back or run out). */
export async function leaseHolder(kv: KV, key: string, clock: LeaseClock): Promise<LeaseHolder | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT') return undefined;
  const held = entry.json<Partial<LeaseHolder>>();
  return held.holder && (held.until ?? 0) > clock.now() ? { holder: held.holder, until: held.until! } : undefined;
}

/** Hands `key` back if `holder` still holds it, so another process takes it without waiting for it to run out. */
export async function releaseLease(kv: KV, key: string, holder: string): Promise<void> {
  try {
    const entry = await kv.get(key);
    if (entry?.operation !== 'PUT' || entry.json<{ holder?: string }>().holder !== holder) return;
    await kv.update(key, JSON.stringify({ holder, until: 0 }), entry.revision);
  } catch {
    // Taken meanwhile, or the broker is gone: the lease runs out by itself.
  }
}
