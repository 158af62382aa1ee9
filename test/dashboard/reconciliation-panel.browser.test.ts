/**
 * The dashboard's Reconciliation panel, in real headless Chromium against a real engine: it asks for the latest
 * reports again only once the last answer came (10 s after it, not on a fixed 10 s beat), and a report's row stays the
 * same element across refreshes while nothing it shows changed, so a key an operator double-clicked to copy stays
 * selected when the next refresh lands.
 */
import { expect, it } from 'vitest';
import { storeDifferingReport } from '../helpers/stored-reconcile-report.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { openDashboard } from './helpers/chromium.js';
import { engineAndBrowserForFile } from './helpers/engine-and-browser.js';

const world = engineAndBrowserForFile({ integrations: [integrationYaml()] });

/** Stores a report of orders (4 checked, 3 match) with order1001 differing in its status, as a reconcile would. */
const storeReport = () =>
  storeDifferingReport(
    world.h.nats.url,
    {
      key: 'order1001',
      record: { id: 1001 },
      target: 'target order id=1001',
      differences: [{ field: 'status', expected: 'new', actual: 'typed' }],
    },
    { checked: 4, match: 3 },
  );

/** A new page of the dashboard, with the paths it asked for in order and its errors. */
const openPage = (hold?: RegExp) => openDashboard(world.browser, world.h.engine.operatorUrl!, hold);

// Each test waits out two or three of the panel's 10 s pauses.
const PANEL_TEST_TIMEOUT = 120_000;

// The report's line, then its differing record's.
const SHOWN =
  /^orders · .+ · 4 of 4 checked · 3 match, 1 differ, 0 missing, 0 errorsorder1001: differs target order id=1001 · status$/;

it(
  'asks for the latest reconciliation again only once the last answer came',
  async () => {
    // The engine's answer to the panel's first request is held until the test lets it through.
    const { page, asked, errors, release } = await openPage(/\/api\/reconcile$/);
    // The Retrying panel polls 2 s after each of its answers: seven of its polls after the held request span at least
    // 12 s, more than the panel's 10 s, so a panel polling on a fixed beat would have asked again by then.
    const askedSinceHeld = (path: string) => asked.slice(asked.indexOf('/api/reconcile') + 1).filter((p) => p === path);
    await expect.poll(() => askedSinceHeld('/api/retrying').length, { timeout: 45_000 }).toBeGreaterThanOrEqual(7);
    expect(asked.filter((p) => p === '/api/reconcile')).toHaveLength(1);
    expect(await page.locator('#reconcile > li').count()).toBe(0);
    expect(await page.locator('#reconcile-none').isHidden()).toBe(true);

    // Answered (no reconcile has run): the panel says so, and asks again 10 s later, which shows the report stored.
    release();
    await expect.poll(() => page.locator('#reconcile-none').isVisible()).toBe(true);
    expect(await page.textContent('#reconcile-none')).toMatch(
      /^\s*no reconcile has run yet \(junction reconcile, or reconcile: in a spec\)\s*$/,
    );
    await storeReport();
    await expect.poll(() => page.locator('#reconcile > li').textContent(), { timeout: 30_000 }).toMatch(SHOWN);
    expect(await page.locator('#reconcile-none').isHidden()).toBe(true);
    expect(asked.filter((p) => p === '/api/reconcile').length).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  },
  PANEL_TEST_TIMEOUT,
);

it(
  'keeps a report row across refreshes while it did not change: a key double-clicked stays selected',
  async () => {
    await storeReport();
    const { page, asked, errors } = await openPage();
    const report = page.locator('#reconcile > li').first();
    const problem = report.locator('li').first();
    await expect.poll(() => problem.textContent()).toBe('order1001: differs target order id=1001 · status');
    const shownRow = await report.elementHandle();

    // An operator double-clicks the record key to copy it (the line starts with it).
    await problem.dblclick({ position: { x: 2, y: 5 } });
    const selected = () => page.evaluate<string>('String(getSelection())');
    expect(await selected()).toBe('order1001');
    // The panel asks again only once the request before has been answered and shown: a second request from now proves
    // that a refresh was shown after the double-click.
    const reconcileAsks = () => asked.filter((p) => p === '/api/reconcile').length;
    const before = reconcileAsks();
    await expect.poll(reconcileAsks, { timeout: 45_000 }).toBeGreaterThanOrEqual(before + 2);
    expect(await shownRow!.evaluate((li) => li.isConnected)).toBe(true);
    expect(await selected()).toBe('order1001');
    expect(errors).toEqual([]);
    await page.close();
  },
  PANEL_TEST_TIMEOUT,
);
