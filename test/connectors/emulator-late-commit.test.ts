/**
 * The emulator kit's `commitWhenAbandoned` fault (engine/sdk/emulator-kit.ts): the call is committed only once its
 * client has given up on it (closed the connection), is never answered, and is committed before the emulator handles
 * anything the client sends next, as the late commit of a create whose retry must find it.
 */
import { afterEach, expect, it } from 'vitest';
import { startEmulatorServer } from '../../engine/sdk/index.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';

let emulator: EmulatorServer | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

it('commits a call once its client has given up, answers nothing, and before the next call', async () => {
  const things: unknown[] = [];
  emulator = await startEmulatorServer({
    name: 'things',
    routes: [
      { method: 'POST', path: '/things', handle: (r) => (things.push(r.body), { status: 201, body: r.body }) },
      { method: 'GET', path: '/things', handle: () => ({ status: 200, body: [...things] }) },
    ],
    state: () => things,
    reset: () => void things.splice(0),
  });
  emulator.fail({ commitWhenAbandoned: true, method: 'POST' });
  const create = () =>
    fetch(`${emulator!.url}/things`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 1 }),
      signal: AbortSignal.timeout(300),
    });

  // Held, not answered, until the client's timeout closes the connection.
  await expect(create()).rejects.toMatchObject({ name: 'TimeoutError' });
  // The next call sees the commit, however soon it comes.
  expect(await (await fetch(`${emulator.url}/things`)).json()).toEqual([{ n: 1 }]);
  await waitFor(() => emulator!.requests.length === 2, 'both calls logged');
  expect(emulator.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
});
