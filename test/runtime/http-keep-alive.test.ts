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

/** One raw connection to `url`: `ask` sends GET /healthz on it and resolves with the response head. */
function rawConnection(url: string) {
  const { hostname, port } = new URL(url);
  const s = (socket = connect(Number(port), hostname));
  const state = { closed: false };
  s.on('close', () => (state.closed = true));
  const ask = () =>
    new Promise<string>((resolve) => {
      s.once('data', (chunk) => resolve(chunk.toString('latin1')));
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
  h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { httpKeepAliveMs: 2_000 } });
  const { ask, state } = rawConnection(h.engine.url!);
  expect(await ask()).toMatch(/\r\nKeep-Alive: timeout=2\r\n/i);
  // Idle for less than the keep-alive: the same connection still answers.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(state.closed).toBe(false);
  expect(await ask()).toMatch(/^HTTP\/1\.1 200/);
  // Idle for longer: the engine closes it.
  await waitFor(() => state.closed, 'the engine closed the idle connection', 15_000);
});
