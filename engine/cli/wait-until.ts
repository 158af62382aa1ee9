/** Waiting for a condition with a deadline that, when it runs out, says what was waited for (the demo's waits). */
import { setTimeout as sleep } from 'node:timers/promises';

/** A wait that ran out; its message names what was waited for and how long. */
export class WaitTimeout extends Error {}

/**
 * Resolves once `check` holds; rejects with {@link WaitTimeout} naming `what` after `timeoutMs`, or with the
 * signal's reason as soon as `signal` aborts (a Ctrl-C need not sit out the rest of the wait).
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  signal?.throwIfAborted();
  while (!(await check())) {
    signal?.throwIfAborted();
    if (Date.now() > deadline)
      throw new WaitTimeout(`gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(200, undefined, signal ? { signal } : {}).catch(() => signal?.throwIfAborted());
  }
}
