/**
 * The dashboard's live tables in real headless Chromium against a real engine: an integration's row, an audit entry's
 * row and a Spec sync detail stay the same elements across the page's refreshes while nothing they show changed, so a
 * name an operator double-clicked to copy stays selected (and a tooltip being read stays up) when the next refresh
 * lands.
 */
import { expect, it } from 'vitest';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { engineAndBrowserForFile } from './helpers/engine-and-browser.js';

const world = engineAndBrowserForFile({ integrations: [integrationYaml()] });

it("keeps an integration's row, an audit row and a sync detail across refreshes: a name double-clicked stays selected", async () => {
  // An audited action with nothing to discard, for a row in the audit trail.
  const purge = await fetch(`${world.h.engine.operatorUrl}/api/dlq/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ integration: 'orders', status: 'replayed', reason: 'nothing replayed yet' }),
  });
  expect(purge.status).toBe(200);
  const page = await world.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(world.h.engine.operatorUrl!);
  const integration = page.locator('#integrations tr[data-integration="orders"]');
  const audit = page.locator('#audit tbody tr').first();
  await expect.poll(() => audit.textContent()).toContain('dlq.purgeorders status replayed');
  const nats = page.locator('#sync-details dd', { hasText: 'connected' });
  const shownRows = [await integration.elementHandle(), await audit.elementHandle(), await nats.elementHandle()];

  // On the name itself (the cell is wider than its text), past the cell's padding.
  await integration
    .locator('td')
    .first()
    .dblclick({ position: { x: 14, y: 12 } });
  const selected = () => page.evaluate<string>('String(getSelection())');
  expect(await selected()).toBe('orders');
  // #updated is written at the end of each refresh, once the tables are shown: a new time is a refresh since.
  const updated = await page.textContent('#updated');
  await expect.poll(() => page.textContent('#updated')).not.toBe(updated);
  for (const row of shownRows) expect(await row!.evaluate((shown) => shown.isConnected)).toBe(true);
  expect(await selected()).toBe('orders');
  expect(errors).toEqual([]);
  await page.close();
});
