/**
 * The dashboard's retrying keys, in real headless Chromium against a real engine: two keys retrying with a 10-minute
 * backoff are listed with their attempts, last error and queued events; "Give up" (its reason asked for) dead-letters
 * the event as `operator-gave-up` and the key's queued event is delivered next; "Retry now" runs the other key's
 * next attempt at once. Both answer on the page and are audited as the signed-in user.
 * Saves test/artifacts/dashboard-retrying-keys.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditTrail } from '../ops/cli-in-process.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);

let h: RuntimeHarness;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 10, initial: '10m', max: '10m' })] });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
});
afterAll(async () => {
  await browser?.close();
  await h?.dispose();
});

const writes = (key: string) =>
  h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body).map((r) => r.body!.seq);

it('lists the retrying keys; Give up dead-letters one and its queued event follows; Retry now runs the next attempt', async () => {
  let down52 = true;
  h.target.fault = (r) =>
    (r.key === '51' && r.body?.seq === 1) || (r.key === '52' && down52) ? { respond: { status: 503 } } : undefined;
  for (const [id, seq] of [
    [51, 1],
    [51, 2],
    [52, 1],
  ])
    expect((await h.post('orders', { id, seq, status: `s${seq}` })).status).toBe(202);

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(h.engine.operatorUrl!);
  const rowOf = (key: string) => page.locator(`#retrying tr[data-integration="orders"][data-key="${key}"]`);
  // Every cell but the actions (the third).
  const cells = async (key: string) => (await rowOf(key).locator('td').allTextContents()).filter((_, n) => n !== 2);
  await expect
    .poll(() => cells('51'), { timeout: 15_000 })
    .toEqual(['orders', '51', '1', expect.stringMatching(/ 503$/), expect.any(String), '1']);
  await expect
    .poll(() => cells('52'))
    .toEqual(['orders', '52', '1', expect.stringMatching(/ 503$/), expect.any(String), '0']);
  expect(await page.locator('#retrying-count').textContent()).toBe('2 keys');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL('dashboard-retrying-keys.png', ARTIFACTS).pathname, fullPage: true });

  const asked: string[] = [];
  page.once('dialog', (d) => {
    asked.push(d.message());
    void d.accept('customer deleted in the ERP');
  });
  await rowOf('51').getByRole('button', { name: 'Give up' }).click();
  await expect.poll(() => page.locator('#retrying-message').textContent()).toMatch(/dead-lettered/);
  const [entry] = await h.engine.deadLetters.list({ status: 'open' });
  expect(asked).toEqual([
    `Give up on event ${entry.eventId} of orders key 51? It is dead-lettered now and the key's 1 later event(s) run ` +
      'in order. Why?',
  ]);
  expect(await page.locator('#retrying-message').textContent()).toBe(
    `event ${entry.eventId} dead-lettered as ${entry.id} (reason operator-gave-up); 1 later event of the key now run ` +
      'in order',
  );
  expect(entry).toMatchObject({
    key: '51',
    reason: 'operator-gave-up',
    gaveUp: { by: 'user:anonymous', reason: 'customer deleted in the ERP' },
    event: { id: 51, seq: 1 },
  });
  await waitFor(() => writes('51').length === 2, 'the queued event of key 51 delivered');
  expect(writes('51')).toEqual([1, 2]);
  await expect.poll(() => rowOf('51').count()).toBe(0);

  down52 = false;
  await rowOf('52').getByRole('button', { name: 'Retry now' }).click();
  await expect.poll(() => page.locator('#retrying-message').textContent()).toMatch(/^attempt 2 of event .* starts now/);
  await waitFor(() => h.target.records.has('52'), 'key 52 delivered by the attempt Retry now started');
  expect(writes('52')).toEqual([1, 1]);
  await expect.poll(() => page.locator('#retrying-count').textContent()).toBe('no event is being retried');

  const actions = (await auditTrail(h.nats.url)).filter((e) => e.action.startsWith('retry.'));
  expect(actions.map((e) => [e.action, e.target, e.result, e.reason])).toEqual([
    ['retry.give-up', 'orders key 51', 'ok', 'customer deleted in the ERP'],
    ['retry.now', 'orders key 52', 'ok', undefined],
  ]);
  expect(errors).toEqual([]);
  await page.close();
});
