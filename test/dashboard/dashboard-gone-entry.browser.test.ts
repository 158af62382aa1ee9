/**
 * The dashboard in real headless Chromium against a real engine: a dead letter that another operator discarded after
 * this page listed it. Opening it says that the engine no longer has it, instead of an entry of "…" forever and an
 * unhandled error in the page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { launchChromium } from './helpers/chromium.js';

let h: RuntimeHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'sku unknown' } } });
  expect((await h.post('orders', { id: 5, seq: 1, status: 'new' })).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered', 30_000);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await h?.dispose();
});

it('opening a dead letter discarded since the page listed it says it is gone', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The page keeps the listing it loaded first (as it would between two refreshes), from the real engine.
  // Fetched once: the page polls every second, and on a loaded machine a second poll comes before the first answer;
  // each fetching too would leave a fetch still running when the browser closes (an unhandled error).
  let listed: Promise<{ status: number; body: string }> | undefined;
  await page.route(/\/api\/dlq\?/, async (route) => {
    listed ??= route.fetch().then(async (answer) => ({ status: answer.status(), body: await answer.text() }));
    const { status, body } = await listed;
    await route.fulfill({ status, body, contentType: 'application/json' });
  });
  await page.goto(`${h.engine.operatorUrl}/`);
  const row = page.locator('#dlq tbody tr');
  await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);

  const [entry] = await h.engine.deadLetters.list();
  const discarded = await fetch(`${h.engine.operatorUrl}/api/dlq/${entry.id}/discard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'sent by hand' }),
  });
  expect(discarded.status).toBe(200);

  await row.first().click();
  await expect
    .poll(() => page.textContent('#entry-error'), { timeout: 10_000 })
    .toBe(`${entry.id} could not be loaded: no dead letter ${entry.id} (it was discarded, or has expired)`);
  for (const part of ['#entry-event', '#entry-request', '#entry-response'])
    expect(await page.textContent(part)).toBe('');
  expect(await page.locator('#entry-replay').isDisabled()).toBe(true);
  expect(errors).toEqual([]);
  await page.close();
});
