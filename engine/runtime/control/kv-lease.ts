/**
 * A lease in a KV bucket: one process of the cluster does a periodic job (a reconcile round, alert evaluation).
 * Taken with compare-and-set when free or expired, renewed by its holder; a holder that dies loses it at `until`.
 */
import type { KV } from '@nats-io/kv';

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
