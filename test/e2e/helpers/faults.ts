/**
 * What every fault test on the seed engine shares: the two faults that leave a write's outcome unknown to the
 * engine, on any emulator, and the checks made after each test (every injected fault was hit) and at the end (no
 * dead letter left open).
 */
import { expect } from 'vitest';
import type { Fault } from '../../../engine/sdk/index.js';
import type { SeedEngine } from './seed-engine.js';

/** The system commits the call to `pathPrefix` (only `method`, if given), then the connection drops unanswered. */
export const answerLost = (pathPrefix: string, method?: string): Fault => ({
  dropAfterCommit: true,
  pathPrefix,
  ...(method ? { method } : {}),
});

/**
 * The system commits the call once the client (1 s timeout with `fastTimeouts`) has given up on it, and before the
 * retry's look-up (`commitWhenAbandoned`). A commit 1.2 s after the emulator read the call raced that look-up (1.5 s
 * after the call at the earliest): a loaded machine delays the read, and the record was then created twice.
 */
export const answerLate = (pathPrefix: string, options: { method?: string } = {}): Fault => ({
  commitWhenAbandoned: true,
  pathPrefix,
  ...(options.method ? { method: options.method } : {}),
});

/** Every fault injected into these emulators was hit: the flows really lost those answers. */
export async function expectFaultsUsed(...systems: { url: string }[]): Promise<void> {
  for (const system of systems)
    expect(await (await fetch(`${system.url}/__emulator/faults`)).json(), system.url).toEqual([]);
}

/** Stops the engine and its systems; no dead letter may be left open. */
export async function stopWithoutDeadLetters(h: SeedEngine): Promise<void> {
  const open = await h.engine.deadLetters.list({ status: 'open' });
  await h.stop();
  expect(open.map((d) => `${d.integration}: ${d.error?.message ?? ''}`)).toEqual([]);
}
