/**
 * The compile lease: for each new commit exactly one process compiles and publishes. A KV compare-and-set
 * (create, or update at the read revision) takes it; it carries an expiry, so when its holder dies another process
 * takes it over on its next fetch.
 */
import type { KV } from '@nats-io/kv';
import { compareAndSet, readEntry } from './gitops-store.js';

/** The value of the `lease` key. */
export interface Lease {
  holder: string;
  commit: string;
  /** Epoch ms on the holder's clock. */
  expires_at: number;
}

const KEY = 'lease';

/** Takes the lease for `commit` if it is free, expired or already ours; true when this process holds it. */
export async function acquireLease(kv: KV, holder: string, commit: string, ttlMs: number): Promise<boolean> {
  const lease: Lease = { holder, commit, expires_at: Date.now() + ttlMs };
  const entry = await readEntry(kv, KEY);
  if (entry) {
    const current = entry.json<Lease>();
    if (current.holder !== holder && current.expires_at > Date.now()) return false;
  }
  // Loses (false) when another process changed the key since it was read.
  return compareAndSet(kv, KEY, JSON.stringify(lease), entry?.revision ?? 0);
}

/**
 * The lease's heartbeat: pushes the expiry out while its holder still works (a slow fetch under the lease), by
 * compare-and-set, so it never overwrites a lease another process took. False once the lease is no longer ours.
 */
export async function renewLease(kv: KV, holder: string, ttlMs: number): Promise<boolean> {
  const entry = await readEntry(kv, KEY);
  const current = entry?.json<Lease>();
  if (!entry || current?.holder !== holder) return false;
  return compareAndSet(kv, KEY, JSON.stringify({ ...current, expires_at: Date.now() + ttlMs }), entry.revision);
}

/** Frees the lease if this process still holds it. */
export async function releaseLease(kv: KV, holder: string): Promise<void> {
  const entry = await readEntry(kv, KEY);
  if (entry && entry.json<Lease>().holder === holder)
    await kv.delete(KEY, { previousSeq: entry.revision }).catch(() => undefined);
}
