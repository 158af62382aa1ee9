/**
 * The dashboard in real headless Chromium against a real engine: it asks for its next refresh only once the last one
 * has answered, so an engine slower than the one-second beat (a loaded machine) is not sent more than it answers.
 */
import { expect, it } from 'vitest';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { openDashboard } from './helpers/chromium.js';
import { engineAndBrowserForFile } from './helpers/engine-and-browser.js';

const world = engineAndBrowserForFile({ integrations: [integrationYaml()] });

it('asks for the next refresh only once the last one has answered', async () => {
  // The engine's answer to the first refresh is held until the test lets it through.
  const { page, asked, errors, release } = await openDashboard(
    world.browser,
    `${world.h.engine.operatorUrl}/`,
    /\/api\/status$/,
  );
  // The retrying panel polls on its own, 2 s after each of its answers: three of its polls after the held refresh span
  // more than one refresh beat, so a page refreshing on a fixed beat would have asked for /api/status again by then.
  const askedSinceHeld = (path: string) => asked.slice(asked.indexOf('/api/status') + 1).filter((p) => p === path);
  await expect.poll(() => askedSinceHeld('/api/retrying').length).toBeGreaterThanOrEqual(3);
  expect(asked.filter((p) => p === '/api/status')).toHaveLength(1);
  expect(await page.textContent('#updated')).toBe('');

  // Answered: the page renders it, and refreshes again a second later.
  release();
  await expect.poll(() => page.textContent('#updated')).toMatch(/^updated /);
  await expect.poll(() => asked.filter((p) => p === '/api/status').length).toBeGreaterThan(1);
  expect(errors).toEqual([]);
  await page.close();
});
