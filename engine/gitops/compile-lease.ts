/**
 * The compile lease: for each new commit exactly one process compiles and publishes. A KV compare-and-set
 * (create, or update at the read revision) takes it; it carries an expiry, so when its holder dies another process
 * takes it over on its next fetch. The expiry is written and judged by the broker's clock as each process estimates it
 * (the engine's, runtime/control/broker-clock.ts), so a process whose own clock runs ahead never takes a live lease
 * and one that runs behind does not wait out a dead holder's lease for the whole drift.
 *
 * A taker whose estimate errs early may compile beside a holder that is still at it, as may a holder that stalled
 * past its lease (a blocking compile, a GC pause). That costs a compile, not a wrong bundle: the publish is a
 * compare-and-set at the bundle revision read under the lease, so of two compiles one publishes and the other finds
 * the bundle changed (`lost-race`), and a rejection is the same record whoever writes it.
 */
import type { KV } from '@nats-io/kv';
import type { LeaseClock } from '../runtime/control/broker-clock.js';
import { compareAndSet, readEntry } from './gitops-store.js';

/** The value of the `lease` key. */
export interface Lease {
  holder: string;
  commit: string;
  /** Epoch ms by the broker's clock, as the holder estimated it. */
  expires_at: number;
}

const KEY = 'lease';

/**
 * Takes the lease for `commit` if it is free, expired by `clock` (the broker's) or already ours; true when this
 * process holds it.
 */
export async function acquireLease(
  kv: KV,
  holder: string,
  commit: string,
  ttlMs: number,
  clock: LeaseClock,
): Promise<boolean> {
  const now = clock.now();
  const lease: Lease = { holder, commit, expires_at: now + ttlMs };
  const entry = await readEntry(kv, KEY);
  if (entry) {
    const current = entry.json<Lease>();
    if (current.holder !== holder && current.expires_at > now) return false;
  }
  // Loses (false) when another process changed the key since it was read.
  return compareAndSet(kv, KEY, JSON.stringify(lease), entry?.revision ?? 0);
}

/**
 * The lease's heartbeat: pushes the expiry out while its holder still works (a slow fetch under the lease), by
 * compare-and-set, so it never overwrites a lease another process took. False once the lease is no longer ours.
 */
export async function renewLease(kv: KV, holder: string, ttlMs: number, clock: LeaseClock): Promise<boolean> {
  const entry = await readEntry(kv, KEY);
  const current = entry?.json<Lease>();
  if (!entry || current?.holder !== holder) return false;
  return compareAndSet(kv, KEY, JSON.stringify({ ...current, expires_at: clock.now() + ttlMs }), entry.revision);
}

/** Frees the lease if this process still holds it. */
export async function releaseLease(kv: KV, holder: string): Promise<void> {
  const entry = await readEntry(kv, KEY);
  if (entry && entry.json<Lease>().holder === holder)
    await kv.delete(KEY, { previousSeq: entry.revision }).catch(() => undefined);
}
