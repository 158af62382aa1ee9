/**
 * The dashboard in real headless Chromium against a real engine: the counters say since when they count (and that
 * the engine restarted, when it did while the page was open); after a replay nothing stays ticked, select-all
 * included, also before the next refresh; a row stays the same element while nothing in it changes; a selected
 * dead letter that someone else discarded meanwhile leaves the selection, so "Replay selected" replays only what the
 * page still shows; a row ticked while a replay runs stays ticked (the replay cleared every tick when it ended), and
 * "Replay selected" waits for the running replay.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { engineAndBrowserForFile } from './helpers/engine-and-browser.js';

const world = engineAndBrowserForFile({ integrations: [integrationYaml()] });

/** Dead-letters orders with these ids (the target refuses them) and returns their dead-letter ids, in that order. */
async function deadLetter(ids: number[]): Promise<string[]> {
  const keys = new Set(ids.map(String));
  world.h.target.fault = (req) => (keys.has(String(req.key)) ? { respond: { status: 422 } } : undefined);
  for (const id of ids) expect((await world.h.post('orders', { id, seq: 1, status: 'new' })).status).toBe(202);
  let found: string[] = [];
  await waitFor(
    async () => {
      const open = await world.h.engine.deadLetters.list({ status: 'open' });
      found = ids.map((id) => open.find((e) => e.key === String(id))?.id ?? '');
      return found.every(Boolean);
    },
    `orders ${ids.join(', ')} dead-lettered`,
  );
  world.h.target.fault = undefined;
  return found;
}

async function openPage(): Promise<{ page: Page; errors: string[]; dialogs: string[]; replays: string[] }> {
  const page = await world.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const dialogs: string[] = [];
  const replays: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => (dialogs.push(d.message()), void d.accept()));
  page.on('request', (r) => {
    const replayed = /\/api\/dlq\/([^/?]+)\/replay/.exec(r.url());
    if (replayed && r.method() === 'POST') replays.push(decodeURIComponent(replayed[1]));
  });
  page.setDefaultTimeout(15_000);
  await page.goto(`${world.h.engine.operatorUrl}/`);
  return { page, errors, dialogs, replays };
}

const discard = async (id: string) =>
  expect(
    (
      await fetch(`${world.h.engine.operatorUrl}/api/dlq/${id}/discard`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'handled by another operator' }),
      })
    ).status,
  ).toBe(200);

it('says which engine answered and since when it counts, and when another engine (or a restart) answers', async () => {
  const { countsSince, engine } = (await (await fetch(`${world.h.engine.operatorUrl}/api/status`)).json()) as {
    countsSince: string;
    engine: string;
  };
  expect(Date.parse(countsSince)).not.toBeNaN();
  expect(engine).toMatch(/^[-\w.]+_\d+-[a-z0-9]+$/);
  // From the third poll on another engine answers (behind a load balancer, or this one restarted: a new id).
  const otherSince = new Date(Date.parse(countsSince) + 3_600_000).toISOString();
  const page = await world.browser.newPage();
  let polls = 0;
  await page.route(/\/api\/status$/, async (route) => {
    const status = await (await route.fetch()).json();
    await route.fulfill({ json: ++polls > 2 ? { ...status, countsSince: otherSince, engine: 'engine-b' } : status });
  });
  await page.goto(`${world.h.engine.operatorUrl}/`);
  const shown = (iso: string) => page.evaluate((at) => new Date(at).toLocaleString(), iso);
  await expect
    .poll(() => page.textContent('#counts-since'))
    .toBe(
      `in, delivered, retrying and dead-lettered: engine ${engine}'s, since ${await shown(countsSince)}, when it ` +
        'started (they restart from 0 when it restarts; behind a load balancer each engine shows its own).',
    );
  await expect
    .poll(() => page.textContent('#counts-since'), { timeout: 10_000 })
    .toBe(
      `Engine engine-b answered (counting since ${await shown(otherSince)}), not engine ${engine} as before: it ` +
        'restarted, or a load balancer sent this page to another engine. in, delivered, retrying and dead-lettered ' +
        "are the answering engine's own, from 0 when it started.",
    );
  expect(await page.getAttribute('#counts-since', 'class')).toBe('warn');
  expect(await page.textContent('#updated')).toMatch(/ by engine-b$/);
  expect(await page.getAttribute('#integrations th:nth-child(5)', 'title')).toBe('since the engine started (above)');
  await page.close();
});

it('clears every tick as soon as a replay ends, before the next refresh, the select-all box included', async () => {
  const ids = await deadLetter([31, 32]);
  const { page, errors, dialogs, replays } = await openPage();
  for (const id of ids) await expect.poll(() => page.getByLabel(`select ${id}`).isEnabled()).toBe(true);
  await page.getByLabel('select all').check();
  for (const id of ids) expect(await page.getByLabel(`select ${id}`).isChecked()).toBe(true);
  // The listing is held from now on: the rows the page shows are the ones the replay took, still open.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/api\/dlq\?/, async (route) => {
    await held;
    await route.continue();
  });
  await page.click('#replay-selected');
  await waitFor(
    () => world.h.target.records.has('31') && world.h.target.records.has('32'),
    'both replayed and delivered',
  );
  expect(replays.sort()).toEqual([...ids].sort());
  // No refresh can finish while the listing is held: the ticks go with the replay's end itself. A tick left showing
  // would be skipped by an operator ticking the row again (and by Playwright's check()), and the next "Replay
  // selected" would leave that row out.
  for (const id of ids) await expect.poll(() => page.getByLabel(`select ${id}`).isChecked()).toBe(false);
  expect(await page.getByLabel('select all').isChecked()).toBe(false);
  expect(await page.locator('#replay-selected').isDisabled()).toBe(true);
  // Let through, not unrouted: an unroute would answer the held requests, and their handlers then answer again.
  release();
  for (const id of ids) await expect.poll(() => page.getByLabel(`select ${id}`).isDisabled()).toBe(true);
  expect([dialogs, errors]).toEqual([[], []]);
  await page.close();
});

it('keeps a dead letter row the same element across refreshes while nothing in it changed', async () => {
  // A row rebuilt under an operator's press would lose the click (released over a new element).
  const [id] = await deadLetter([61]);
  const { page, errors } = await openPage();
  const box = page.getByLabel(`select ${id}`);
  await expect.poll(() => box.isEnabled()).toBe(true);
  const shown = await page.locator(`#dlq tr[data-id="${id}"]`).elementHandle();
  const updated = await page.textContent('#updated');
  await expect.poll(() => page.textContent('#updated')).not.toBe(updated);
  expect(await shown!.evaluate((tr) => tr.isConnected)).toBe(true);
  // Replayed, so that it leaves the rows the next tests select from.
  await box.check();
  await page.click('#replay-selected');
  await waitFor(() => world.h.target.records.has('61'), 'order 61 replayed and delivered');
  expect(errors).toEqual([]);
  await page.close();
});

it('drops a selected dead letter that someone else discarded: "Replay selected" replays only what is shown', async () => {
  const [kept, gone] = await deadLetter([41, 42]);
  const { page, errors, dialogs, replays } = await openPage();
  for (const id of [kept, gone]) {
    const box = page.getByLabel(`select ${id}`);
    await expect.poll(() => box.isEnabled()).toBe(true);
    await box.check();
  }
  // Both open rows ticked one by one: select-all follows.
  await expect.poll(() => page.getByLabel('select all').isChecked()).toBe(true);
  await discard(gone);
  await expect.poll(() => page.locator(`#dlq tr[data-id="${gone}"]`).count()).toBe(0);
  // One of two selectable rows is left, and it is still selected.
  expect(await page.getByLabel(`select ${kept}`).isChecked()).toBe(true);
  await page.click('#replay-selected');
  await waitFor(() => world.h.target.records.has('41'), 'the kept one replayed and delivered');
  expect(replays).toEqual([kept]);
  expect(world.h.target.records.has('42')).toBe(false);
  expect([dialogs, errors]).toEqual([[], []]);
  await page.close();
});

it('keeps a row ticked while a replay runs, and holds "Replay selected" until that replay is done', async () => {
  const [first, later] = await deadLetter([51, 52]);
  const { page, errors, dialogs, replays } = await openPage();
  for (const id of [first, later]) await expect.poll(() => page.getByLabel(`select ${id}`).isEnabled()).toBe(true);
  // The engine's answers are held until the test lets them through: the replay is still running meanwhile.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const replayRoute = /\/api\/dlq\/[^/]+\/replay$/;
  await page.route(replayRoute, async (route) => {
    await held;
    await route.continue();
  });
  await page.getByLabel(`select ${first}`).check();
  await page.click('#replay-selected');
  await expect.poll(() => replays.length).toBe(1);
  // A second click now would send the same replay again.
  expect(await page.locator('#replay-selected').isDisabled()).toBe(true);
  await page.getByLabel(`select ${later}`).check();
  expect(await page.locator('#replay-selected').isDisabled()).toBe(true);
  release();
  await waitFor(() => world.h.target.records.has('51'), 'the first replayed and delivered');

  // The row ticked meanwhile is still ticked (it was cleared with the replayed one): "Replay selected" sends it next.
  await expect.poll(() => page.locator('#replay-selected').isEnabled()).toBe(true);
  expect(await page.getByLabel(`select ${later}`).isChecked()).toBe(true);
  await page.unroute(replayRoute);
  await page.click('#replay-selected');
  await waitFor(() => world.h.target.records.has('52'), 'the one ticked meanwhile replayed and delivered');
  expect(replays).toEqual([first, later]);
  expect([dialogs, errors]).toEqual([[], []]);
  await page.close();
});
