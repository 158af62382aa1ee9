/**
 * A lease in a KV bucket: one process of the cluster does a periodic job (a reconcile round, alert evaluation) or
 * runs a source. Taken with compare-and-set when free or expired, renewed by its holder; a holder that dies loses it
 * at `until`, one that stops hands it back.
 */
import type { KV } from '@nats-io/kv';

export interface LeaseHolder {
  holder: string;
  /** Epoch ms the lease runs out unless renewed. */
  until: number;
}

/** True when `holder` holds `key` for the next `ttlMs` (took it, or renewed its own). */
export async function takeLease(kv: KV, key: string, holder: string, ttlMs: number): Promise<boolean> {
  const value = JSON.stringify({ holder, until: Date.now() + ttlMs });
  try {
    const entry = await kv.get(key);
    if (!entry || entry.operation !== 'PUT') await kv.create(key, value);
    else {
      const held = entry.json<{ holder?: string; until?: number }>();
      if (held.holder !== holder && (held.until ?? 0) > Date.now()) return false;
      await kv.update(key, value, entry.revision);
    }
    return true;
  } catch {
    // Another process won the compare-and-set.
    return false;
  }
}

/** Who holds `key` now; undefined when nobody does (never taken, handed back or run out). */
export async function leaseHolder(kv: KV, key: string): Promise<LeaseHolder | undefined> {
  const entry = await kv.get(key);
  if (!entry || entry.operation !== 'PUT') return undefined;
  const held = entry.json<Partial<LeaseHolder>>();
  return held.holder && (held.until ?? 0) > Date.now() ? { holder: held.holder, until: held.until! } : undefined;
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
