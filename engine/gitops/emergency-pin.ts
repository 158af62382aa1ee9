/**
 * The emergency pin: one process started with `--pin <sha>` holds the KV key `pin` and renews it with its
 * heartbeat. While a pin is live, no process publishes new commits, and the pinned commit is the bundle, so the whole
 * cluster runs it. Releasing it (stopping that process, or restarting it without `--pin`) deletes the key; if the
 * holder dies, the pin lapses after its lifetime. Either way the next fetch publishes the branch head again. The
 * expiry is written and judged by the broker's clock as each process estimates it (the engine's), so a process whose
 * own clock runs ahead of the pinning process's does not find a live pin lapsed.
 */
import type { KV } from '@nats-io/kv';
import type { LeaseClock } from '../runtime/control/broker-clock.js';
import { readEntry } from './gitops-store.js';

/** The value of the `pin` key. */
interface PinRecord {
  commit: string;
  holder: string;
  pinned_at: string;
  /** Epoch ms by the broker's clock as the holder estimated it; renewed with every heartbeat. */
  expires_at: number;
}

/** KV key of the emergency pin. */
export const PIN_KEY = 'pin';

/** The pin, if one is set and not expired by `clock` (the broker's). */
export async function livePin(kv: KV, clock: LeaseClock): Promise<PinRecord | undefined> {
  const pin = (await readEntry(kv, PIN_KEY))?.json<PinRecord>();
  return pin && pin.expires_at > clock.now() ? pin : undefined;
}

/** Sets or renews the pin for `ttlMs` (the last process to pin wins: pin from one process only). */
export async function holdPin(
  kv: KV,
  holder: string,
  commit: string,
  pinnedAt: string,
  ttlMs: number,
  clock: LeaseClock,
): Promise<void> {
  const pin: PinRecord = { commit, holder, pinned_at: pinnedAt, expires_at: clock.now() + ttlMs };
  await kv.put(PIN_KEY, JSON.stringify(pin));
}

/** Deletes the pin if `holder` still holds it (a compare-and-set delete, so a newer pin is never removed). */
export async function releasePin(kv: KV, holder: string): Promise<boolean> {
  const entry = await readEntry(kv, PIN_KEY);
  if (!entry || entry.json<PinRecord>().holder !== holder) return false;
  return kv.delete(PIN_KEY, { previousSeq: entry.revision }).then(
    () => true,
    () => false,
  );
}
