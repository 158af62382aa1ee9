/**
 * The dashboard in real headless Chromium against a real engine with more dead letters than the page lists (105, the
 * page shows the newest 100): the filter searches every dead letter on the engine (`GET /api/dlq?q=`), not only the
 * rows the page happens to hold, so the oldest one is found by its record key or its error text; and each row shows
 * the record key the operator will trace.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { launchChromium } from './helpers/chromium.js';

const DEAD = 105;

let h: RuntimeHarness;
let browser: Browser;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 1 })] });
  h.target.fault = (req) => ({ respond: { status: 422, body: { message: `sku ${req.key}-A is unknown` } } });
  // One at a time, so the order they are dead-lettered in (and listed in, newest first) is the order they are sent.
  for (let id = 1; id <= DEAD; id++) {
    expect((await h.post('orders', { id, seq: 1, status: 'new' })).status).toBe(202);
    await waitFor(async () => (await h.engine.deadLetters.list()).length === id, `dead letter ${id}`, 30_000);
  }
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await h?.dispose();
});

const api = async (query: string) => {
  const response = await fetch(`${h.engine.operatorUrl}/api/dlq?${query}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

it('GET /api/dlq?q= finds dead letters by key, id or error text, on every page', async () => {
  const all = (await api('limit=500')).body as { entries: { id: string; key: string }[]; total: number };
  expect(all.total).toBe(DEAD);
  const oldest = all.entries.find((e) => e.key === '1')!;
  expect(await api('q=SKU%201-a')).toMatchObject({
    status: 200,
    body: { total: 1, next: null, entries: [{ id: oldest.id, key: '1', integration: 'orders' }] },
  });
  expect((await api(`q=${oldest.id}`)).body).toMatchObject({ total: 1, entries: [{ key: '1' }] });
  expect((await api('q=validation&limit=10')).body).toMatchObject({ total: DEAD });
  expect(await api(`q=${'x'.repeat(201)}`)).toEqual({
    status: 400,
    body: { error: 'bad-query', message: 'q must be at most 200 characters' },
  });
});

it('the filter finds the oldest dead letter beyond the newest 100, and each row shows its record key', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${h.engine.operatorUrl}/`);
  const rows = page.locator('#dlq tbody tr');
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(100);
  expect(await page.textContent('#dlq-count')).toBe(`newest 100 of ${DEAD}`);
  const headers = await page.locator('#dlq thead th').allTextContents();
  expect(headers).toEqual(['', 'integration', 'key', 'error', 'step', 'attempts', 'when', 'state']);
  expect(await rows.first().locator('td').nth(2).textContent()).toBe(String(DEAD));

  await page.fill('#dlq-filter', 'sku 1-A');
  await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
  expect(await rows.first().locator('td').nth(2).textContent()).toBe('1');
  expect(await rows.first().locator('td').nth(3).textContent()).toBe(
    'validation: target answered 422: {"message":"sku 1-A is unknown"}',
  );
  expect(await page.textContent('#dlq-count')).toBe('1 matching');
  expect(errors).toEqual([]);
  await page.close();
});
