/** A dashboard browser test file's engine and headless Chromium (vitest hooks, so only for test files). */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startRuntimeHarness } from '../../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../../runtime/helpers/runtime-harness.js';
import { launchChromium } from './chromium.js';

/**
 * A runtime harness started with `options` and a browser for a whole test file: started before its first test,
 * closed after its last. Read `h` and `browser` inside tests (they are set once `beforeAll` ran).
 */
export function engineAndBrowserForFile(options: Parameters<typeof startRuntimeHarness>[0]): {
  readonly h: RuntimeHarness;
  readonly browser: Browser;
} {
  const shared = {} as { h: RuntimeHarness; browser: Browser };
  beforeAll(async () => {
    shared.h = await startRuntimeHarness(options);
    shared.browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await shared.browser?.close();
    await shared.h?.dispose();
  });
  return shared;
}
