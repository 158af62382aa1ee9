/**
 * The `missed_changes` alert condition on the real alert path: a real engine subscribed to the Salesforce emulator's
 * Change Data Capture stream (gRPC on loopback) gets an overflow event (GAP_OVERFLOW). The alert fires once to a
 * Slack-style and a signed webhook on local HTTP receivers, naming the integration, what was missed and the reconcile
 * command that recovers it; a second overflow fires anew; a whole reconcile finished after the report resolves it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { signNotification } from '../../engine/runtime/alerts/alert-notifiers.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { storeReconcileReport } from '../../engine/runtime/control/reconcile-reports.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { salesforceConnection, salesforceEnv } from '../runtime/helpers/vendor-connections.js';
import { startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';

const ALERT = `apiVersion: junction/v1
kind: Alert
name: account-changes-missed
description: Salesforce changes that came as no event
severity: critical
integrations: [account-changes]
condition:
  missed_changes: {}
notify:
  - slack: { url: "\${env:SLACK_URL}" }
  - webhook: { url: "\${env:HOOK_URL}", secret: "\${env:ALERT_SECRET}" }
`;

const SPECS = {
  'connections/sf.yaml': salesforceConnection({ pubsub: true }),
  'alert.yaml': ALERT,
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

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const servers: { close(cb: () => void): void }[] = [];

/** A local HTTP receiver that records each request and answers 200. */
async function receiver(): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

let sf: SalesforceEmulator;
let h: VendorEngine;
let slack: Awaited<ReturnType<typeof receiver>>;
let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
  sf = await startSalesforceEmulator({ pubsub: true });
  [slack, hook] = [await receiver(), await receiver()];
  // The receivers' *_URL make them allowed private hosts (vendor-engine.ts), as --allow-private-host would.
  const env = {
    ...salesforceEnv(sf),
    SLACK_URL: `${slack.url}/services/T0/B0/x`,
    HOOK_URL: `${hook.url}/junction`,
    ALERT_SECRET: 'hush',
  };
  h = await startVendorEngine(SPECS, env, { alertIntervalMs: 300 });
});
afterAll(async () => {
  await h?.dispose();
  await sf?.stop();
  for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
});

type Missed = { at: string; message: string; recover: string; reconciledAt?: string };
type Status = { integrations: { name: string; missedChanges?: Missed }[] };
const missedChanges = async () =>
  ((await h.engine.status()) as unknown as Status).integrations.find((i) => i.name === 'account-changes')!
    .missedChanges;

/** Alert rounds the engine ran as the holder of the alert lease. */
async function alertRounds(): Promise<number> {
  const metrics = await (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
  return Number(/^junction_alert_rounds_total (\d+)/m.exec(metrics)?.[1]);
}

/** Waits for three more alert rounds: a message that was to come more than once would have come by then. */
async function threeMoreRounds(): Promise<void> {
  const rounds = await alertRounds();
  await waitFor(async () => (await alertRounds()) >= rounds + 3, 'three more alert rounds', 30_000);
}

/** A new overflow report, once the status shows it (a later one than `after`). */
async function overflow(recordId: string, after?: string): Promise<Missed> {
  sf.pubsubHeaderOnly('Account', 'GAP_OVERFLOW', [recordId]);
  let missed: Missed | undefined;
  await waitFor(async () => (missed = await missedChanges()) !== undefined && missed.at !== after, 'reported', 30_000);
  return missed!;
}

const body = (r: Received) => JSON.parse(r.body) as Record<string, unknown>;

it('missed_changes fires once per report with the recover command, anew for a newer one, and resolves on reconcile', async () => {
  sf.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h.received('changes').length === 1, 'the stream under way', 30_000);
  await threeMoreRounds();
  expect(hook.requests).toEqual([]);

  const first = await overflow('000000000000000AAA');
  const committed = /committed at (\S+Z) made/.exec(first.message)![1];
  const command = `junction reconcile account-changes specs --all --since ${committed} --fix`;
  expect(first.recover).toBe(command);
  await waitFor(() => hook.requests.length === 1, 'the alert firing on the webhook', 30_000);
  const summary = (m: Missed) =>
    `its source's vendor reported changes it cannot deliver as events (at ${m.at}): ${m.message}; ` +
    `to recover them: ${m.recover}`;
  const firing = body(hook.requests[0]);
  expect(firing).toEqual({
    alert: 'account-changes-missed',
    status: 'firing',
    severity: 'critical',
    subject: 'account-changes',
    summary: summary(first),
    description: 'Salesforce changes that came as no event',
    value: 1,
    started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    at: firing.started_at,
  });
  expect(first.message).toMatch(/^Salesforce sent an overflow event \(GAP_OVERFLOW\) on \/data\/AccountChangeEvent /);
  await waitFor(() => slack.requests.length === 1, 'the alert firing on Slack');
  expect(slack.requests.map((r) => [r.path, body(r)])).toEqual([
    [
      '/services/T0/B0/x',
      {
        text:
          `[FIRING] account-changes-missed (critical) account-changes: ${summary(first)}\n` +
          `Salesforce changes that came as no event\nsince ${String(firing.started_at)}`,
      },
    ],
  ]);
  // Once per report: the alert keeps firing (nothing reconciled), but tells nobody again before repeat_every (4h).
  await threeMoreRounds();
  expect(hook.requests).toHaveLength(1);

  // A newer report replaces the first while it fires: it is news, so it fires (and is told) anew.
  const second = await overflow('000000000000000AAB', first.at);
  await waitFor(() => hook.requests.length === 2, 'the newer report firing', 30_000);
  const again = body(hook.requests[1]);
  expect(again).toMatchObject({ status: 'firing', subject: 'account-changes', summary: summary(second) });
  expect(Date.parse(String(again.started_at))).toBeGreaterThan(Date.parse(String(firing.started_at)));

  // A whole reconcile finished after the report (as `junction reconcile --all` stores it): resolved, saying so.
  const nc = await connect({ servers: h.nats.url });
  const reconciledAt = new Date(Date.parse(second.at) + 1000).toISOString();
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
  await waitFor(() => hook.requests.length === 3, 'the alert resolved on the webhook', 30_000);
  expect(body(hook.requests[2])).toEqual({
    ...again,
    status: 'resolved',
    summary:
      `a whole reconcile (--all) finished at ${reconciledAt}, after the report of changes missed at ${second.at}: ` +
      "what it found and re-sent is in its report (the dashboard's Reconciliation)",
    at: expect.stringMatching(/^\d{4}-/),
  });
  for (const r of hook.requests) {
    expect(r.path).toBe('/junction');
    const timestamp = String(r.headers['x-junction-timestamp']);
    expect(r.headers['x-junction-signature']).toBe(signNotification('hush', timestamp, r.body));
  }
  await threeMoreRounds();
  expect(hook.requests).toHaveLength(3);
  expect(slack.requests).toHaveLength(3);
}, 120_000);
