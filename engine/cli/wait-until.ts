/** Waiting for a condition with a deadline that, when it runs out, says what was waited for (the demo's waits). */

/** A wait that ran out; its message names what was waited for and how long. */
export class WaitTimeout extends Error {}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `check` holds; rejects with {@link WaitTimeout} naming `what` after `timeoutMs`. */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new WaitTimeout(`gave up after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(200);
  }
}
