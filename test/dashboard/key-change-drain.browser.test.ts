/**
 * A hot-loaded key change being drained, where an operator looks: a real engine whose record 1 is parked (retrying)
 * under the old key when the key changes. Until its event is delivered, the integration's status is `draining` (not
 * ok, not failing: a drain is normal), `/metrics` has the drain's gauges, `junction status` says so, and the dashboard
 * (real headless Chromium) lists the drain above the integrations table with the status `draining` in the calm
 * colour. Once the parked event is retried now (`junction retry now`) and delivered, then the newer one, it all ends.
 * Saves test/artifacts/dashboard-key-change-drain.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EngineStatus } from '../../engine/runtime/observe/engine-status.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { launchChromium } from './helpers/chromium.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);
const OLD_KEY = 'key: $string(id)';
const NEW_KEY = 'key: \'"order-" & $string(id)\'';
// A backoff no test waits out: the parked event moves on only when retried now.
const orders = (key: string) => integrationYaml({ maxAttempts: 10, initial: '10m', max: '10m' }).replace(OLD_KEY, key);

let h: RuntimeHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [orders(OLD_KEY)] });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.dispose();
});

async function orderStatus() {
  const status = (await (await fetch(`${h.engine.operatorUrl}/api/status`)).json()) as EngineStatus;
  return status.integrations.find((i) => i.name === 'orders')!;
}

const gauges = async () =>
  (await (await fetch(`${h.engine.operatorUrl}/metrics`)).text())
    .split('\n')
    .filter((l) => l.startsWith('junction_key_change_'));

it('shows a key change draining in status, metrics, `junction status` and the dashboard, until it ends', async () => {
  await h.engine.applySpecSet({ ...h.specSet, commit: 'c1' });
  let down = true;
  h.target.fault = (r) => (down && r.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h.target.requests.length >= 1, 'the first event failed and parked its key');
  expect((await orderStatus()).status).toBeUndefined();

  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders(NEW_KEY)], { commit: 'c2' }));
  await h.post('orders', { id: 1, seq: 2, status: 'paid' });
  await waitFor(async () => (await orderStatus()).keyChanges?.[0]?.parkedKeysLeft === 1, 'the parked lane counted');

  const draining = await orderStatus();
  expect(draining.status).toBe('draining');
  expect(draining.keyChanges).toEqual([
    {
      from: 'c1',
      to: 'c2',
      oldKey: '$string(id)',
      newKey: '"order-" & $string(id)',
      since: expect.any(String),
      partitionsLeft: 0,
      parkedKeysLeft: 1,
      held: 0,
    },
  ]);
  expect(await gauges()).toEqual(
    expect.arrayContaining([
      'junction_key_change_draining{integration="orders"} 1',
      'junction_key_change_partitions_left{integration="orders"} 0',
      'junction_key_change_parked_keys_left{integration="orders"} 1',
    ]),
  );
  const cli = await junction('status', '--url', h.engine.operatorUrl!);
  expect(cli.stdout).toMatch(/^integration +orders +draining +lag \d+ +dead letters 0$/m);
  expect(cli.stdout).toContain(
    `key change draining since ${draining.keyChanges![0].since} (c1 -> c2, key $string(id) -> "order-" & ` +
      '$string(id)): oldest events stored under the old key in 0 partitions, 1 key parked under the old key; the ' +
      "same records' newer events wait behind them (0 waiting in this engine)",
  );

  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(h.engine.operatorUrl!);
  const item = page.locator('#key-changes li[data-integration="orders"]');
  await expect.poll(() => item.count()).toBe(1);
  expect(await item.textContent()).toBe(
    `orders: draining a key change (since ${await page.evaluate((at) => new Date(at).toLocaleString(), draining.keyChanges![0].since)}) ` +
      'key $string(id) -> "order-" & $string(id) (c1 -> c2): old-key events left in 0 partitions, 1 key parked ' +
      "under the old key; the same records' newer events wait behind them (0 here)",
  );
  const status = page.locator('#integrations tr[data-integration="orders"] td').nth(1);
  expect(await status.textContent()).toBe('draining');
  expect(await status.locator('span').getAttribute('class')).toBe('warn');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL('dashboard-key-change-drain.png', ARTIFACTS).pathname, fullPage: true });

  down = false;
  expect((await junction('retry', 'now', 'orders', '1', '--nats', h.nats.url)).code).toBe(0);
  await waitFor(() => h.target.committedOrder.get('1')?.length === 2, 'both delivered');
  expect(h.target.committedOrder.get('1')).toEqual([1, 2]);
  await expectDrained(h.nats.url);
  await waitFor(async () => (await orderStatus()).keyChanges === undefined, 'the drain ended');
  expect((await orderStatus()).status).toBeUndefined();
  expect(await gauges()).toContain('junction_key_change_draining{integration="orders"} 0');
  expect((await gauges()).filter((l) => !l.startsWith('junction_key_change_draining{'))).toEqual([]);
  await expect.poll(() => item.count()).toBe(0);
  await expect.poll(() => status.textContent()).toBe('ok');
  expect(errors).toEqual([]);
  await page.close();
});
