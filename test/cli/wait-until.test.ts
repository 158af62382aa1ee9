/**
 * A wait that runs out (the demo's, on a busy machine starting the engine slowly) names what it waited for, so
 * `junction demo` prints one line the user can act on instead of Node's bare "Error: timed out" and a stack.
 */
import { expect, it } from 'vitest';
import { WaitTimeout, waitUntil } from '../../engine/cli/wait-until.js';

it('names what was waited for and how long', async () => {
  const waited = waitUntil(async () => false, 0, "the engine to run the demo repository's first commit");
  await expect(waited).rejects.toBeInstanceOf(WaitTimeout);
  await expect(waited).rejects.toThrow(
    "gave up after 0 s waiting for the engine to run the demo repository's first commit",
  );
});

it('resolves once the check holds', async () => {
  let calls = 0;
  await expect(waitUntil(async () => ++calls === 2, 60_000, 'two calls')).resolves.toBeUndefined();
  expect(calls).toBe(2);
});

it("stops waiting as soon as its signal aborts, with the signal's reason", async () => {
  const interrupt = new AbortController();
  const reason = new Error('SIGINT');
  let calls = 0;
  const waited = waitUntil(
    async () => {
      if (++calls === 2) interrupt.abort(reason);
      return false;
    },
    60_000,
    'something that never holds',
    interrupt.signal,
  );
  await expect(waited).rejects.toBe(reason);
  expect(calls).toBe(2);
});
