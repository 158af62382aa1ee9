/**
 * The dashboard's spec-sync panel in real headless Chromium, with the engine following a real Git repository: the
 * active commit, a rejected commit with its diagnostics at file:line:col, and each worker's spec version. Signed in
 * as a viewer through a real OpenID Provider on loopback, like the other dashboard tests. Saves
 * test/artifacts/dashboard-sync.png.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { ordersSpec, startGitopsWorld, targetConnection } from '../gitops/gitops-harness.js';
import type { GitopsWorld } from '../gitops/gitops-harness.js';
import { signIn } from './helpers/sign-in.js';
import { acmeSignIn, startTestIdentityProvider } from './helpers/test-identity-provider.js';
import type { TestIdentityProvider } from './helpers/test-identity-provider.js';
import { launchChromium } from './helpers/chromium.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);

let world: GitopsWorld;
let idp: TestIdentityProvider;
let browser: Browser;

beforeAll(async () => {
  world = await startGitopsWorld();
  idp = await startTestIdentityProvider();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await world?.dispose();
  await idp?.stop();
});

it('shows the active commit, a rejected commit with its diagnostics, and every worker on its version', async () => {
  const good = await world.commit(
    {
      'target.yaml': targetConnection(world.target.url),
      'orders.yaml': ordersSpec('{ "key": $string(id), "seq": seq }'),
    },
    'good',
  );
  const a = await world.startProcess({
    engine: {
      operator: acmeSignIn(idp),
    },
  });
  idp.registerClient(`${a.engine.operatorUrl}/auth/callback`);
  const b = await world.startProcess();
  await waitFor(
    () => a.engine.specSet.commit === good && b.engine.specSet.commit === good,
    'both processes on the good commit',
  );
  const bad = await world.commit(
    { 'orders.yaml': ordersSpec('{ "key": $string(id), "seq": seq seq2 }') },
    'broken mapping',
  );
  expect(await a.sync.poll()).toBe('rejected');

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, a.engine.operatorUrl!, 'wall@acme.test');
  await expect.poll(() => page.textContent('#who')).toBe('wall@acme.test · viewer');
  await expect.poll(() => page.textContent('#sync'), { timeout: 10_000 }).toBe('rejected commit');
  await expect.poll(() => page.textContent('#rejected')).toContain(`rejected ${bad.slice(0, 10)}`);
  expect(await page.locator('#rejected li').allTextContents()).toEqual([
    'specs/orders.yaml:10:45 jsonata-syntax JSONata S0202 Expected "}", got "seq2"; a comma may be missing before ' +
      'this (between entries, items or arguments), or an operator (& joins strings, and/or combine conditions); a ' +
      'field name that holds a space is quoted with ` (`first name`)',
  ]);
  const details = await page.locator('#sync-details').textContent();
  expect(details).toContain(`active${good.slice(0, 10)}`);
  expect(details).toContain(`last seen${bad.slice(0, 10)}`);
  await expect.poll(() => page.locator('#workers li').count()).toBe(2);
  for (const text of await page.locator('#workers li').allTextContents())
    expect(text).toContain(` · ${good.slice(0, 10)}`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL('dashboard-sync.png', ARTIFACTS).pathname, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
