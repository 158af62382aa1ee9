/**
 * The compile lease: for each new commit exactly one process compiles and publishes. A KV compare-and-set
 * (create, or update at the read revision) takes it; it carries an expiry, so when its holder dies another process
 * takes it over on its next poll.
 */
import type { KV } from '@nats-io/kv';

interface Lease {
  holder: string;
  commit: string;
  expires_at: number;
}

const KEY = 'lease';

/** Takes the lease for `commit` if it is free or expired; true when this process holds it. */
export async function acquireLease(kv: KV, holder: string, commit: string, ttlMs: number): Promise<boolean> {
  const lease: Lease = { holder, commit, expires_at: Date.now() + ttlMs };
  const entry = await kv.get(KEY);
  try {
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) {
      await kv.create(KEY, JSON.stringify(lease));
      return true;
    }
    const current = entry.json<Lease>();
    if (current.holder !== holder && current.expires_at > Date.now()) return false;
    await kv.update(KEY, JSON.stringify(lease), entry.revision);
    return true;
  } catch {
    return false; // another process won the compare-and-set
  }
}

/** Frees the lease if this process still holds it. */
export async function releaseLease(kv: KV, holder: string): Promise<void> {
  const entry = await kv.get(KEY);
  if (entry?.operation === 'PUT' && entry.length > 0 && entry.json<Lease>().holder === holder) await kv.delete(KEY, { previousSeq: entry.revision }).catch(() => undefined);
}
