/**
 * Debian's Chromium, headless, for the browser tests (playwright-core drives it; playwright's own browser download
 * fails here). The flags keep it off the network this machine cannot reach, which it would otherwise try at start.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Holds the engine's answers to the page's requests matching `path` until the returned function lets them through. */
async function holdAnswers(page: Page, path: RegExp): Promise<() => void> {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(path, async (route) => {
    await held;
    await route.continue();
  });
  return release;
}

/**
 * A new page of the dashboard at `url`, with the paths it asked for in order and its errors; with `hold`, the engine's
 * answers to the requests matching it are held until `release` lets them through (holdAnswers).
 */
export async function openDashboard(
  browser: Browser,
  url: string,
  hold?: RegExp,
): Promise<{ page: Page; asked: string[]; errors: string[]; release: () => void }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const asked: string[] = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  const release = hold ? await holdAnswers(page, hold) : () => {};
  await page.goto(url);
  return { page, asked, errors, release };
}
