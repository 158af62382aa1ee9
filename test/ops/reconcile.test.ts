/**
 * `junction reconcile` on the seed specs against the emulators: after a backfill both sides agree; a value changed
 * by hand in FinancialForce and a deleted account are reported (table, markdown, JSON) and exit 1; the change is one
 * echo suppression would hide (the same source record is skipped as unchanged), and `--fix --yes` writes it back.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { junction } from './cli-in-process.js';
import { accountCustomerIds, customerIds, listedCustomers, startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';

let world: SeedEngine | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const CUSTOMERS = 'magento-customers-to-ff-accounts';

/** Saves `count` customers (ids from 200) in the Magento emulator. */
function addCustomers(w: SeedEngine, count: number): void {
  for (let i = 0; i < count; i++)
    w.systems.magento.state.customers.set(200 + i, {
      id: 200 + i,
      email: `c${200 + i}@example.com`,
      firstname: 'C',
      lastname: String(200 + i),
      group_id: 1,
      website_id: 1,
      addresses: [],
      updated_at: `2026-10-02 00:00:0${i}`,
    });
}

it('reports hand-made changes and missing records, and --fix writes them back past echo suppression', async () => {
  world = await startSeedEngine();
  world.stubEnv();
  const { magento, ff } = world.systems;
  addCustomers(world, 6);
  // The seed store's own customers are listed (and backfilled) with the six.
  const n = listedCustomers(world).length;
  const nats = ['--nats', world.nats.url];
  await junction('backfill', CUSTOMERS, world.dir, ...nats);
  await waitFor(() => accountCustomerIds(world!).length === n, 'an account per customer');
  await expectDrained(world.nats.url);
  expect(accountCustomerIds(world)).toEqual(customerIds(listedCustomers(world)));

  const clean = await junction('reconcile', CUSTOMERS, world.dir, '--all', ...nats);
  const allMatch = `reconcile ${CUSTOMERS} (all ${n} records): ${n} match, 0 differ, 0 missing, 0 skipped, 0 errors\n`;
  expect(clean).toMatchObject({ code: 0, stdout: allMatch });
  // Progress on stderr, as backfill's: piped, the first comparison's line, then one every 2 s, and the last one.
  const progress = clean.stderr.split('\n');
  expect(progress[0]).toMatch(/^1 records {2}\d+\/s {2}\(1 match, 0 differ, 0 missing, 0 skipped, 0 errors\)$/);
  expect(progress.at(-2)).toMatch(
    new RegExp(`^${n} records {2}\\d+/s {2}\\(${n} match, 0 differ, 0 missing, 0 skipped, 0 errors\\)$`),
  );
  expect(progress.at(-1)).toBe('');

  const account = (id: number) => ff.records('Account').find((a) => a.Magento_Customer_Id__c === String(id))!;
  // A change of 202 arrives: linked now, it updates the account by its id.
  expect(await world.post(CUSTOMERS, { ...magento.state.customers.get(202), updated_at: '2026-10-02 12:00:00' })).toBe(
    202,
  );
  await expectDrained(world.nats.url);
  ff.store.update('Account', String(account(202).Id), { Email__c: 'typed-by-hand@example.com' });
  // 204's account is deleted in FF, and its link with it.
  ff.store.remove('Account', String(account(204).Id));
  expect((await junction('xref', 'delete', 'customer', '204', ...nats)).code).toBe(0);
  // Echo suppression alone would never repair this: a new event of the unchanged customer writes the same body as
  // last time, so it is skipped as an echo.
  expect(await world.post(CUSTOMERS, { ...magento.state.customers.get(202), updated_at: '2026-10-03 00:00:00' })).toBe(
    202,
  );
  await expectDrained(world.nats.url);
  expect(account(202).Email__c).toBe('typed-by-hand@example.com');

  const drift = await junction('reconcile', CUSTOMERS, world.dir, '--all', ...nats);
  expect(drift.code).toBe(1);
  expect(drift.stdout).toBe(
    [
      `reconcile ${CUSTOMERS} (all ${n} records): ${n - 2} match, 1 differ, 1 missing, 0 skipped, 0 errors`,
      // In the order Magento lists them: 202 changed last (now).
      'missing  204  ff Account Magento_Customer_Id__c=204',
      `differs  202  ff Account Id=${account(202).Id}       Email__c: "c202@example.com" expected, target has "typed-by-hand@example.com"`,
      '',
    ].join('\n'),
  );
  const markdown = await junction('reconcile', CUSTOMERS, world.dir, '--all', '--format', 'markdown', ...nats);
  expect(markdown.stdout.split('\n').slice(2, 6)).toEqual([
    '| | key | target record | difference |',
    '|---|---|---|---|',
    '| missing | 204 | ff Account Magento_Customer_Id__c=204 |  |',
    `| differs | 202 | ff Account Id=${account(202).Id} | Email__c: "c202@example.com" expected, target has "typed-by-hand@example.com" |`,
  ]);
  const sampled = await junction('reconcile', CUSTOMERS, world.dir, '--sample', String(n), '--format', 'json', ...nats);
  // A sample is drawn over the whole listing first: the listing's progress, then the comparisons' with a bar and ETA.
  expect(sampled.stderr.split('\n')[0]).toMatch(
    new RegExp(`^${n} records {2}\\d+/s {2}\\(listing, then ${n} are compared\\)$`),
  );
  expect(sampled.stderr.split('\n').at(-2)).toMatch(
    new RegExp(
      `^\\[#{24}\\] {2}${n}/${n} {2}\\d+/s {2}ETA (0s|–) {2}\\(${n - 2} match, 1 differ, 1 missing, 0 skipped, 0 errors\\)$`,
    ),
  );
  const json = JSON.parse(sampled.stdout);
  expect(json).toMatchObject({
    integration: CUSTOMERS,
    scope: n,
    listed: n,
    checked: n,
    counts: { match: n - 2, differs: 1, missing: 1 },
  });
  expect(json.problems[0]).not.toHaveProperty('record');

  // Refused before any comparison (which can take minutes), not after.
  expect(await junction('reconcile', CUSTOMERS, world.dir, '--all', '--fix', ...nats)).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: --fix needs a confirmation: pass --yes (there is no terminal to ask on)\n',
  });
  const fixed = await junction('reconcile', CUSTOMERS, world.dir, '--all', '--fix', '--yes', ...nats);
  expect(fixed.stderr.split('\n').at(-2)).toBe(
    `re-sent 2 records; \`junction reconcile ${CUSTOMERS}\` again once they are delivered`,
  );
  await waitFor(() => account(202).Email__c === 'c202@example.com' && account(204) !== undefined, 'written back');
  await expectDrained(world.nats.url);
  expect((await junction('reconcile', CUSTOMERS, world.dir, '--all', ...nats)).stdout).toBe(allMatch);
});

it('reconciles on a schedule in the engine: the report on the operator API and as metrics', async () => {
  // A round every second holds the reconcile lease for 0.9 s. Every 500 ms it was 0.45 s, and a round stores its
  // report only while the lease holds: a broker answering the renewals 450 ms late (a loaded machine; proven with that
  // delay) kept every round from storing one.
  world = await startSeedEngine({
    edits: {
      [`${CUSTOMERS}.yaml`]: [
        [
          'retry: { max_attempts: 10, initial: 1s, max: 10m }',
          'retry: { max_attempts: 10, initial: 1s, max: 10m }\nreconcile: { every: 1s, sample: 10 }',
        ],
      ],
    },
  });
  world.stubEnv();
  const { magento, ff } = world.systems;
  // The seed store's own customers are loaded first: the rounds below start from two sides that agree.
  const seeded = listedCustomers(world).length;
  await junction('backfill', CUSTOMERS, world.dir, '--nats', world.nats.url);
  await waitFor(() => accountCustomerIds(world!).length === seeded, 'an account per seed customer');
  await expectDrained(world.nats.url);
  magento.state.customers.set(300, {
    id: 300,
    email: 'c300@example.com',
    firstname: 'C',
    lastname: '300',
    group_id: 1,
    website_id: 1,
    addresses: [],
    updated_at: '2026-10-02 00:00:00',
  });
  type Reports = { reports: { integration: string; counts: Record<string, number> }[] };
  const reports = async () =>
    ((await (await fetch(`${world!.engine.operatorUrl}/api/reconcile`)).json()) as Reports).reports;
  await waitFor(
    async () => (await reports())[0]?.counts.missing === 1,
    'a scheduled round reports the missing account',
  );
  expect(await world.post(CUSTOMERS, magento.state.customers.get(300))).toBe(202);
  await waitFor(() => ff.records('Account').some((a) => a.Magento_Customer_Id__c === '300'), 'synced');
  await waitFor(async () => (await reports())[0]?.counts.match === seeded + 1, 'a later round finds it');
  expect(await reports()).toMatchObject([
    { integration: CUSTOMERS, scope: 10, listed: seeded + 1, checked: seeded + 1, counts: { match: seeded + 1 } },
  ]);
  const metrics = await (await fetch(`${world.engine.operatorUrl}/metrics`)).text();
  expect(metrics).toContain(`junction_reconcile_records{integration="${CUSTOMERS}",outcome="match"} ${seeded + 1}`);
  expect(metrics).toMatch(
    new RegExp(`junction_reconcile_last_run_timestamp_seconds\\{integration="${CUSTOMERS}"\\} \\d+`),
  );
});

it('two engines: a scheduled round longer than its interval runs on one engine at a time, and the next one only after it', async () => {
  const retry = 'retry: { max_attempts: 10, initial: 1s, max: 10m }';
  world = await startSeedEngine({
    edits: { [`${CUSTOMERS}.yaml`]: [[retry, `${retry}\nreconcile: { every: 1s, sample: 10 }`]] },
  });
  world.stubEnv();
  addCustomers(world, 6);
  // Both sides agree first, so every round reads each sampled account back from FinancialForce.
  const seeded = listedCustomers(world).length;
  await junction('backfill', CUSTOMERS, world.dir, '--nats', world.nats.url);
  await waitFor(() => accountCustomerIds(world!).length === seeded, 'an account per seed customer');
  await expectDrained(world.nats.url);
  const second = await world.startEngine();
  expect(second.operatorUrl).toBeDefined();
  // Every account read back answers 400 ms late: a round, which reads its sampled accounts back one after the other,
  // takes at least this long, well over its interval (1 s) and its lease (0.9 s). Only the account itself: delaying
  // its contacts and addresses too (three more calls each) made a round four times as long and proved nothing more.
  const readBacks = Math.min(seeded, 10);
  const roundMs = readBacks * 400;
  expect(roundMs).toBeGreaterThanOrEqual(2_800);
  world.systems.ff.fail({ pathPrefix: '/services/data/v60.0/sobjects/Account/', delayMs: 400, times: 1_000_000 });
  const nc = await connect({ servers: world.nats.url, noAsyncTraces: true });
  try {
    const control = await new Kvm(nc).open('junction_control');
    const stored: number[] = [];
    const watch = await control.watch({ key: `reconcile.${CUSTOMERS}` });
    const watching = (async () => {
      for await (const e of watch) if (e.operation === 'PUT') stored.push(e.created.getTime());
    })();
    // The first may be the last report before the watch (a watch starts with the current value); the two after it
    // are a whole round apart (about 3 s here).
    await waitFor(() => stored.length >= 3, 'three reports stored', 90_000);
    watch.stop();
    await watching;
    // One round at a time across both engines: each report comes about a whole round after the one before (before, a
    // round started every second on the holder, and on the other engine once the lease ran out, beside the running
    // one). A second is left for the report's own write: the next round may begin while it is still on its way.
    const gaps = stored.slice(2).map((t, i) => t - stored[i + 1]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(roundMs - 1_000);
  } finally {
    world.systems.ff.clearFaults();
    await nc.close();
  }
}, 180_000);
