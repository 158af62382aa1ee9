/**
 * The dashboard's retrying keys, in real headless Chromium against a real engine: two keys retrying with a 10-minute
 * backoff are listed with their attempts, last error and queued events; "Give up" (its reason asked for) dead-letters
 * the event as `operator-gave-up` and the key's queued event is delivered next; "Retry now" runs the other key's
 * next attempt at once. Both answer on the page and are audited as the signed-in user. A key's row and its buttons
 * stay the same elements across refreshes while nothing it shows changed, so a click pressed before a refresh and
 * released after it still orders; the panel asks for its next refresh only once the last one has answered.
 * Saves test/artifacts/dashboard-retrying-keys.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { auditTrail } from '../ops/cli-in-process.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { launchChromium, openDashboard } from './helpers/chromium.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);

let h: RuntimeHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 10, initial: '10m', max: '10m' })] });
  browser = await launchChromium();
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

it("keeps a key's row and buttons across refreshes: a click pressed before a refresh and released after it orders", async () => {
  let down = true;
  h.target.fault = (r) => (r.key === '61' && down ? { respond: { status: 503 } } : undefined);
  expect((await h.post('orders', { id: 61, seq: 1, status: 's1' })).status).toBe(202);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const polls: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/retrying') polls.push(r.url());
  });
  await page.goto(h.engine.operatorUrl!);
  const row = page.locator('#retrying tr[data-integration="orders"][data-key="61"]');
  await expect.poll(() => row.locator('td').nth(4).textContent(), { timeout: 15_000 }).toMatch(/ 503$/);
  const shownRow = await row.elementHandle();
  const retryNow = row.getByRole('button', { name: 'Retry now' });
  const shownButton = await retryNow.elementHandle();

  // Pressed, then two more polls: the panel sends a poll only once the one before it was answered and shown.
  await retryNow.hover();
  await page.mouse.down();
  const before = polls.length;
  await expect.poll(() => polls.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 2);
  expect(await shownRow!.evaluate((tr) => tr.isConnected)).toBe(true);
  expect(await shownButton!.evaluate((b) => b.isConnected)).toBe(true);
  down = false;
  await page.mouse.up();
  await expect.poll(() => page.locator('#retrying-message').textContent()).toMatch(/^attempt 2 of event .* starts now/);
  await waitFor(() => h.target.records.has('61'), 'key 61 delivered by the attempt the click started');
  expect(writes('61')).toEqual([1, 1]);
  expect(errors).toEqual([]);
  await page.close();
});

it('asks for the retrying keys again only once the last answer came', async () => {
  // The engine's answer to the panel's first poll is held until the test lets it through.
  const { page, asked, errors, release } = await openDashboard(browser, h.engine.operatorUrl!, /\/api\/retrying$/);
  // The rest of the page refreshes a second after each answer: three of its refreshes after the held poll span more
  // than the panel's 2 s, so a panel polling on a fixed beat would have asked again by then.
  const askedSinceHeld = (path: string) => asked.slice(asked.indexOf('/api/retrying') + 1).filter((p) => p === path);
  await expect.poll(() => askedSinceHeld('/api/status').length, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  expect(asked.filter((p) => p === '/api/retrying')).toHaveLength(1);
  expect(await page.textContent('#retrying-count')).toBe('');

  // Answered: the panel shows it, and polls again 2 s later.
  release();
  await expect.poll(() => page.textContent('#retrying-count')).toBe('no event is being retried');
  await expect.poll(() => asked.filter((p) => p === '/api/retrying').length).toBeGreaterThan(1);
  expect(errors).toEqual([]);
  await page.close();
});
