/**
 * The HTTP listeners keep an idle keep-alive connection open for `httpKeepAliveMs` (`junction run --keep-alive`,
 * default 65 s): longer than a load balancer's idle timeout (AWS ALB: 60 s), so the balancer never sends a request
 * on a connection the engine is closing (its sender would get a 502). Node's own default is 5 s.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await h?.dispose();
  h = undefined;
});

/**
 * One raw connection to `url`: `ask` sends GET /healthz on it and resolves with the response head; `askedAt` is
 * when the last request was written and `closedAt` when the connection closed (monotonic ms).
 */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const s = (socket = connect(Number(port), hostname));
  const state = { closed: false, askedAt: 0, closedAt: 0 };
  s.on('close', () => Object.assign(state, { closed: true, closedAt: performance.now() }));
  const ask = () =>
    new Promise<string>((resolve) => {
      s.once('data', (chunk) => resolve(chunk.toString('latin1')));
      state.askedAt = performance.now();
      s.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`);
    });
  return { ask, state };
}

it('answers with a keep-alive of 65 s by default', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const { ask } = rawConnection(h.engine.url!);
  const head = await ask();
  expect(head).toMatch(/^HTTP\/1\.1 200/);
  expect(head).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
});

it('keeps an idle connection open for its keep-alive, then closes it', async () => {
  // Longer than Node's own 5 s, so the old behaviour (no keep-alive option) closes it too early.
  const keepAliveMs = 8_000;
  h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { httpKeepAliveMs: keepAliveMs } });
  const { ask, state } = rawConnection(h.engine.url!);
  expect(await ask()).toMatch(/\r\nKeep-Alive: timeout=8\r\n/i);
  // The same connection answers again (kept alive), and the engine closes it once it has been idle long enough.
  expect(await ask()).toMatch(/^HTTP\/1\.1 200/);
  await waitFor(() => state.closed, 'the engine closed the idle connection', 40_000);
  // No earlier than the keep-alive after the last request: the engine started its idle timer after it answered,
  // which was after the request was written, so a stall of this process can only make the connection close later.
  // (Timers may fire up to a millisecond early: they count from the event loop's cached time, in whole ms.)
  expect(state.closedAt - state.askedAt).toBeGreaterThanOrEqual(keepAliveMs - 1);
}, 60_000);
