/**
 * Changes Salesforce could not send as events, where an operator looks first: a real engine subscribed to the
 * Salesforce emulator's Change Data Capture stream (gRPC on loopback) gets an overflow event (GAP_OVERFLOW). The
 * integration's status turns `missed-changes`; `junction status` prints the report and the command that recovers
 * the changes (text and JSON); the dashboard lists it above the integrations table in real headless Chromium. A whole
 * reconcile that finished after the report closes it: status back to ok, the report kept with when it was reconciled.
 * `junction status --nats` (read from the broker, no engine) prints the same report and command as the engine's status,
 * and `junction status` names the engine it reports on.
 * Saves test/artifacts/dashboard-missed-changes.png.
 */
import { mkdirSync } from 'node:fs';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { readSpecTree } from '../../engine/compiler/spec-tree.js';
import { BUNDLE_KEY, bundleFromTree, openGitopsStore } from '../../engine/gitops/gitops-store.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { storeReconcileReport } from '../../engine/runtime/control/reconcile-reports.js';
import { junction } from '../ops/cli-in-process.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { salesforceConnection, salesforceEnv } from '../runtime/helpers/vendor-connections.js';
import { startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';
import { launchChromium } from './helpers/chromium.js';

const ARTIFACTS = new URL('../artifacts/', import.meta.url);

const SPECS = {
  'connections/sf.yaml': salesforceConnection({ pubsub: true }),
  'account-changes.yaml': `apiVersion: junction/v1
kind: Integration
name: account-changes
source:
  stream:
    connection: sf
    stream: change_events
    params: { topic: /data/AccountChangeEvent }
    start: earliest
key: Id
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /changes }
    body: '{ "record": Id, "type": ChangeEventHeader.changeType }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
read:
  list:
    connection: sf
    operation: sobjects.changes
    params: { sobject: Account, fields: [Name], since: $cursor }
    cursor: SystemModstamp
    initial_cursor: "2026-01-01T00:00:00Z"
`,
};

let sf: SalesforceEmulator;
let h: VendorEngine;
let browser: Browser;
beforeAll(async () => {
  sf = await startSalesforceEmulator({ pubsub: true });
  h = await startVendorEngine(SPECS, salesforceEnv(sf));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await h?.dispose();
  await sf?.stop();
});

type Missed = { at: string; message: string; recover: string; reconciledAt?: string };
type Health = { lastSuccessAt?: string };
type Status = {
  engine: string;
  countsSince: string;
  integrations: { name: string; status?: string; missedChanges?: Missed; sourceHealth?: Health }[];
};
const accountChanges = async () =>
  ((await h.engine.status()) as unknown as Status).integrations.find((i) => i.name === 'account-changes')!;

/** Publishes the engine's specs as Git sync does (the bundle `junction status --nats` reads), at `commit`. */
async function publishSpecs(commit: string): Promise<void> {
  const nc = await connect({ servers: h.nats.url });
  const kv = await openGitopsStore(new Kvm(nc));
  await kv.put(BUNDLE_KEY, JSON.stringify(bundleFromTree(commit, await readSpecTree(h.dir))));
  await nc.close();
}

/** `junction status --nats` (no engine): its text, and its JSON line of account-changes. */
async function statusFromNats(): Promise<{ text: string; line: Record<string, unknown> }> {
  const text = await junction('status', '--nats', h.nats.url);
  expect(text.code, text.stderr).toBe(0);
  const json = await junction('status', '--nats', h.nats.url, '--format', 'json');
  const lines = (JSON.parse(json.stdout) as { integrations: Record<string, unknown>[] }).integrations;
  return { text: text.stdout, line: lines.find((i) => i.name === 'account-changes')! };
}

it('an overflow event shows in the status, junction status and the dashboard with the command that recovers it', async () => {
  sf.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h.received('changes').length === 1, 'the stream under way');
  expect((await accountChanges()).status).toBeUndefined();

  sf.pubsubHeaderOnly('Account', 'GAP_OVERFLOW', ['000000000000000AAA']);
  // Reported as a failed round, then the batch's success: the status settles on `missed-changes`.
  await waitFor(async () => (await accountChanges()).status === 'missed-changes', 'the overflow reported', 30_000);
  const integration = await accountChanges();
  const missed = integration.missedChanges!;
  expect(integration.status).toBe('missed-changes');
  const committed = /committed at (\S+Z) made/.exec(missed.message)![1];
  expect(missed.message).toMatch(/^Salesforce sent an overflow event \(GAP_OVERFLOW\) on \/data\/AccountChangeEvent /);
  expect(missed.recover).toBe(`junction reconcile account-changes specs --all --since ${committed} --fix`);

  const url = h.engine.operatorUrl!;
  const text = await junction('status', '--url', url);
  expect(text.code).toBe(0);
  // It names the engine that answered (the counts and the last swap are its own), as the dashboard does.
  const { engine, countsSince } = (await h.engine.status()) as unknown as Status;
  expect(engine).toMatch(/\S+_\d+-\S+/);
  expect(text.stdout.startsWith(`engine          ${engine}  counts since ${countsSince}\nactive commit   `)).toBe(true);
  const pad = ' '.repeat('integration     '.length + 'account-changes  '.length);
  expect(text.stdout).toContain(
    'integration     account-changes  missed-changes lag 0  dead letters 0\n' +
      `${pad}MISSED CHANGES reported at ${missed.at}: ${missed.message}\n` +
      `${pad}to recover them: junction reconcile account-changes specs --all --since ${committed} --fix\n` +
      `${pad}source last success ${integration.sourceHealth!.lastSuccessAt}, no error\n`,
  );
  const json = await junction('status', '--url', url, '--format', 'json');
  const line = (JSON.parse(json.stdout) as { integrations: Record<string, unknown>[] }).integrations[0];
  expect(JSON.parse(json.stdout)).toMatchObject({ engine, counts_since: countsSince });
  expect(line).toMatchObject({
    name: 'account-changes',
    health: 'missed-changes',
    missed_changes: { at: missed.at, message: missed.message, recover: missed.recover, reconciled_at: null },
    source_health: { failed_rounds: 0, missed_changes: { at: missed.at, message: missed.message } },
  });

  // From the broker alone (no engine answers): the same report and the same command.
  await publishSpecs('0123456789abcdef0123456789abcdef01234567');
  const nats = await statusFromNats();
  expect(nats.text).not.toContain('engine  ');
  expect(nats.text).toContain(
    `${pad}MISSED CHANGES reported at ${missed.at}: ${missed.message}\n` +
      `${pad}to recover them: junction reconcile account-changes specs --all --since ${committed} --fix\n`,
  );
  expect(nats.line.missed_changes).toEqual(line.missed_changes);

  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const item = page.locator('#missed-changes li[data-integration="account-changes"]');
  await expect.poll(() => item.count()).toBe(1);
  expect(await item.locator('code').textContent()).toBe(missed.recover);
  // Selected to be copied, it stays selected when the next refresh lands (#updated is written at each refresh's end):
  // the item is rebuilt only when the report changes.
  await item.locator('code').selectText();
  const updated = await page.textContent('#updated');
  await expect.poll(() => page.textContent('#updated')).not.toBe(updated);
  expect(await page.evaluate<string>('String(getSelection())')).toBe(missed.recover);
  expect(await item.textContent()).toContain(missed.message);
  const status = page.locator('#integrations tr[data-integration="account-changes"] td').nth(1);
  expect(await status.textContent()).toBe('missed-changes');
  expect(await status.locator('span').getAttribute('class')).toBe('bad');
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: new URL('dashboard-missed-changes.png', ARTIFACTS).pathname, fullPage: true });

  // A whole reconcile finished after the report (as `junction reconcile --all` stores it): the report is closed.
  const nc = await connect({ servers: h.nats.url });
  const reconciledAt = new Date(Date.parse(missed.at) + 1000).toISOString();
  await storeReconcileReport(await new Kvm(nc).open(BUCKET_NAMES.control), {
    integration: 'account-changes',
    commit: 'working-tree',
    at: reconciledAt,
    scope: 'all',
    listed: 1,
    checked: 1,
    counts: { match: 1, differs: 0, missing: 0, skipped: 0, error: 0 },
    problems: [],
  });
  await nc.close();
  expect(await accountChanges()).toMatchObject({ missedChanges: { ...missed, reconciledAt } });
  expect((await accountChanges()).status).toBeUndefined();
  await expect.poll(() => item.count()).toBe(0);
  expect(await status.textContent()).toBe('ok');
  const after = await junction('status', '--url', url);
  expect(after.stdout).toContain(
    'integration     account-changes  ok           lag 0  dead letters 0\n' +
      `${pad}missed changes reported at ${missed.at}: ${missed.message}\n` +
      `${pad}reconciled (--all) at ${reconciledAt}, after the report: its result is on the dashboard\n`,
  );
  const closed = await statusFromNats();
  expect(closed.line.missed_changes).toEqual({ ...(line.missed_changes as object), reconciled_at: reconciledAt });
  expect(closed.text).toContain(
    `${pad}missed changes reported at ${missed.at}: ${missed.message}\n` +
      `${pad}reconciled (--all) at ${reconciledAt}, after the report: its result is on the dashboard\n`,
  );
  expect(errors).toEqual([]);
  await page.close();
});
