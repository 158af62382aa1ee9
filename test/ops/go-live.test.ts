/**
 * Go-live day on the Magento <-> FinancialForce seed specs, through the real CLI code paths against the emulators and
 * a real nats-server: 500 existing Magento customers (200 of them linked by the old middleware's CSV, 200 more only
 * sharing an e-mail with an FF account, one whose e-mail two accounts share) and 200 orders not yet invoiced are
 * loaded into a fresh engine while live webhooks keep coming (new customers whose orders arrive first, changed
 * customers, new orders). At the end: every customer has exactly one account (the matched ones their existing
 * account), every order its invoice with the customer's account, nothing is dead-lettered, and reconcile finds no
 * difference on either integration.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sampleOrder } from '../../connectors/magento/emulator/state.js';
import { canonicalId } from '../../connectors/salesforce/emulator/record-ids.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { auditTrail, junction } from './cli-in-process.js';
import { listedCustomers, startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';

let world: SeedEngine | undefined;
let csvDir: string | undefined;
afterEach(async () => {
  await world?.stop();
  if (csvDir) await rm(csvDir, { recursive: true, force: true });
  world = csvDir = undefined;
});

const CUSTOMERS = 'magento-customers-to-ff-accounts';
const ORDERS = 'magento-orders-to-ff-invoices';
/** The seed engine's poll (startSeedEngine), and this test's for the two flows the live traffic goes through. */
const [EVERY_SECOND, LIVE_POLL] = ['    every: 1s', '    every: 250ms'];
const pad = (n: number, width = 2) => String(n).padStart(width, '0');
/** Distinct, increasing Magento timestamps (the listings' cursor). */
const at = (day: number, i: number) =>
  `2026-10-${pad(day)} ${pad(Math.floor(i / 3600))}:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)}`;
const accountId = (n: number) => canonicalId(`001000000${pad(n, 6)}`)!;

function customer(id: number, updatedAt: string, lastname = String(id)) {
  return {
    id,
    email: id === 1400 ? 'shared@example.com' : `c${id}@example.com`,
    firstname: 'Customer',
    lastname,
    group_id: 1,
    website_id: 1,
    addresses: [],
    created_at: '2025-01-01 00:00:00',
    updated_at: updatedAt,
  };
}

/** A completed order of one simple item and no shipping: an invoice and one line in FinancialForce. */
function order(id: number, customerId: number, updatedAt: string) {
  const base = sampleOrder(id);
  return {
    ...base,
    customer_id: customerId,
    customer_email: `c${customerId}@example.com`,
    customer_firstname: 'Customer',
    customer_lastname: String(customerId),
    updated_at: updatedAt,
    shipping_amount: 0,
    shipping_tax_amount: 0,
    discount_amount: -2.5,
    items: (base.items as { product_type: string }[]).slice(0, 1),
  };
}

it('loads 500 customers and 200 orders into a fresh engine under live traffic; reconcile then finds no difference', async () => {
  const started = Date.now();
  world = await startSeedEngine({
    // The org's and store's API allocations are deployment settings; this load is not about pacing them.
    edits: {
      'connections/ff.yaml': [['requests_per_second: 50, burst: 50', 'requests_per_second: 2000, burst: 2000']],
      'connections/magento.yaml': [['requests_per_second: 20, burst: 40', 'requests_per_second: 2000, burst: 2000']],
      // The live traffic waits for these polls, 80 times (liveTraffic).
      [`${CUSTOMERS}.yaml`]: [[EVERY_SECOND, LIVE_POLL]],
      [`${ORDERS}.yaml`]: [[EVERY_SECOND, LIVE_POLL]],
    },
  });
  world.stubEnv();
  const { magento, ff } = world.systems;
  magento.state.orders.clear();
  // The seed store's customers and the seed org's accounts take part too, matched by e-mail like the others.
  const seedCustomers = listedCustomers(world);
  const seedAccounts = ff.records('Account');
  const seedAccountsOf = (email: unknown) => seedAccounts.filter((a) => a.Email__c === email);
  const seedLinked = seedCustomers.filter((c) => seedAccountsOf(c.email).length === 1);
  const seedUnmatched = seedCustomers.filter((c) => seedAccountsOf(c.email).length === 0);
  const seedOrphans = seedAccounts.filter((a) => !seedCustomers.some((c) => c.email === a.Email__c));
  // Customers 1000-1499. FF already has accounts: 1000-1199 with the Magento id (the old middleware made them and
  // exported the links), 1200-1399 with the e-mail only (made by hand), and two that share customer 1400's e-mail.
  for (let i = 0; i < 500; i++) magento.state.customers.set(1000 + i, customer(1000 + i, at(1, i)));
  for (let n = 1000; n < 1400; n++)
    ff.store.insert(
      'Account',
      {
        Id: accountId(n),
        Name: `Customer ${n}`,
        Email__c: `c${n}@example.com`,
        ...(n < 1200 ? { Magento_Customer_Id__c: String(n) } : {}),
      },
      { seed: true },
    );
  for (const n of [9001, 9002])
    ff.store.insert('Account', { Id: accountId(n), Name: 'Shared', Email__c: 'shared@example.com' }, { seed: true });
  // 200 orders not yet invoiced, of 200 different customers (imported, matched, ambiguous and not yet in FF).
  for (let i = 0; i < 200; i++) {
    const id = 8000 + i;
    magento.state.orders.set(id, order(id, 1000 + ((i * 5) % 500), at(2, i)));
  }
  const nats = ['--nats', world.nats.url];

  // 1. Links from the old middleware.
  csvDir = await mkdtemp(join(tmpdir(), 'junction-golive-'));
  const csv = join(csvDir, 'customer-links.csv');
  await writeFile(
    csv,
    ['magento_id,ff_account', ...Array.from({ length: 200 }, (_, i) => `${1000 + i},${accountId(1000 + i)}`)].join(
      '\n',
    ),
  );
  const imported = await junction(
    'xref',
    'import',
    'customer',
    csv,
    '--source-column',
    'magento_id',
    '--target-column',
    'ff_account',
    '--reason',
    'links from the old middleware',
    ...nats,
  );
  expect(imported).toMatchObject({ code: 0, stdout: 'created 200, changed 0, unchanged 0, conflicts 0\n' });

  // 2. The rest by e-mail: 200 linked, the 200 imported confirmed, the shared e-mail reported and left alone.
  const matched = await junction('xref', 'match', 'customer', world.dir, '--reason', 'go-live by e-mail', ...nats);
  expect(matched.code).toBe(1);
  const lines = matched.stdout.trimEnd().split('\n');
  expect(lines.at(-1)).toBe(
    `xref match customer (${CUSTOMERS}): ${500 + seedCustomers.length} source and ${402 + seedAccounts.length} target records; linked ${200 + seedLinked.length} (200 already linked, 0 conflicts, 0 taken); not linked: 1 ambiguous keys, ${99 + seedUnmatched.length} without a target, ${seedOrphans.length} without a source, 0 without a key`,
  );
  expect(lines.filter((l) => l.startsWith('ambiguous'))).toEqual([
    `ambiguous  1400       ${accountId(9001)},${accountId(9002)}  shared@example.com: 1 source and 2 target records`,
  ]);
  // In the order Magento lists the customers: the seed's changed after the go-live ones.
  expect(lines.filter((l) => l.startsWith('linked')).map((l) => l.split(/\s+/).slice(1, 3))).toEqual([
    ...Array.from({ length: 200 }, (_, i) => [String(1200 + i), accountId(1200 + i)]),
    ...seedLinked.map((c) => [String(c.id), String(seedAccountsOf(c.email)[0].Id)]),
  ]);
  expect(lines.filter((l) => l.startsWith('no source')).map((l) => l.split(/\s+/).slice(2))).toEqual(
    seedOrphans.map((a) => [String(a.Id), String(a.Email__c)]),
  );

  // 3. The initial load, customers first, while live traffic flows.
  const live = liveTraffic(world);
  // The listings are live: customers and orders that change during the load are listed (again) at their new
  // cursor, and those the webhooks brought first count as already stored. Every listed record is stored once.
  const loaded = async (name: string, existing: number) => {
    const { stdout } = await junction('backfill', name, world!.dir, ...nats);
    const m =
      /^backfilled \S+: (\d+) stored, (\d+) already stored, 0 filtered out \((\d+) listed, up to cursor .+\)\n$/.exec(
        stdout,
      );
    expect(m, stdout).not.toBeNull();
    const [stored, already, listed] = m!.slice(1).map(Number);
    expect(stored + already).toBe(listed);
    expect(listed).toBeGreaterThanOrEqual(existing);
  };
  await loaded(CUSTOMERS, 500 + seedCustomers.length);
  await loaded(ORDERS, 200);
  await live;
  await waitFor(() => ff.records('c2g__codaInvoice__c').length === 240, 'every invoice', 60_000);
  await expectDrained(world.nats.url, 30_000);

  // Nothing dead-lettered: no order went without its customer's account.
  expect(await world.engine.deadLetters.list()).toEqual([]);
  // One account per customer: the imported and matched ones kept theirs (and got the customer's data), the others
  // got one each, which carries the Magento id.
  const accounts = new Map(ff.records('Account').map((a) => [String(a.Id), a]));
  expect(accounts.size).toBe(402 + seedAccounts.length + 100 + 20 + seedUnmatched.length);
  const links = new Map(
    (
      JSON.parse((await junction('xref', 'export', 'customer', '--format', 'json', ...nats)).stdout) as {
        sourceId: string;
        targetId: string;
      }[]
    ).map((e) => [e.sourceId, e.targetId]),
  );
  expect(links.size).toBe(520 + seedCustomers.length);
  expect(new Set(links.values()).size).toBe(520 + seedCustomers.length);
  for (let n = 1000; n < 1520; n++) {
    const account = accounts.get(links.get(String(n)) ?? '');
    expect([n, account?.Email__c]).toEqual([n, magento.state.customers.get(n)!.email]);
    if (n < 1400) expect([n, account?.Id]).toEqual([n, accountId(n)]);
    else expect([n, account?.Magento_Customer_Id__c]).toEqual([n, String(n)]);
  }
  expect(accounts.get(links.get('1019')!)).toMatchObject({ Name: 'Customer Changed 1' });
  // Every invoice has its customer's account.
  const invoices = ff.records('c2g__codaInvoice__c');
  for (const o of magento.state.orders.values())
    expect([o.entity_id, invoices.find((v) => v.Magento_Order_Id__c === String(o.entity_id))?.c2g__Account__c]).toEqual(
      [o.entity_id, links.get(String(o.customer_id))],
    );

  // 4. Both sides agree.
  for (const [name, count] of [
    [CUSTOMERS, 520 + seedCustomers.length],
    [ORDERS, 240],
  ] as const) {
    const { code, stdout, stderr } = await junction('reconcile', name, world.dir, '--all', ...nats);
    expect({ code, stdout }).toEqual({
      code: 0,
      stdout: `reconcile ${name} (all ${count} records): ${count} match, 0 differ, 0 missing, 0 skipped, 0 errors\n`,
    });
    // Progress goes to stderr (backfill's display); its last line counts every record.
    expect(stderr.trimEnd().split('\n').at(-1)).toMatch(
      new RegExp(`^${count} records +\\d+/s +\\(${count} match, 0 differ, 0 missing, 0 skipped, 0 errors\\)$`),
    );
  }
  expect((await auditTrail(world.nats.url)).map((e) => [e.action, e.target])).toEqual([
    ['xref.import', 'customer'],
    ['xref.match', 'customer'],
    ['integration.backfill', CUSTOMERS],
    ['integration.backfill', ORDERS],
    ['integration.reconcile', CUSTOMERS],
    ['integration.reconcile', ORDERS],
  ]);
  process.stderr.write(`go-live test: ${Date.now() - started} ms\n`);
  // Each customer is an account, its contact and its address book in FF: four calls (92 s measured beside other tests).
}, 180_000);

/**
 * Webhooks during the load: 20 new customers, each with an order that arrives before the customer does; 20 existing
 * customers changed; 20 new orders of existing customers. Each record is stored by its flow's poll (every 250 ms
 * here): a round waits for the order that comes first, then for the other three at once. One after the other, the 80
 * waits were most of the test (60 of its 88 s after the loads ended), and more than its 180 s at a load of 20-24; with
 * polls every second still 25 of its 51 s after the loads ended.
 */
async function liveTraffic(w: SeedEngine): Promise<void> {
  const { magento } = w.systems;
  for (let k = 0; k < 20; k++) {
    const fresh = customer(1500 + k, at(3, k));
    magento.state.customers.set(fresh.id, fresh);
    const early = order(8500 + k, fresh.id, at(3, k));
    magento.state.orders.set(8500 + k, early);
    const changed = customer(1000 + k * 19, at(4, k), `Changed ${k}`);
    magento.state.customers.set(changed.id, changed);
    const next = order(8600 + k, 1000 + k * 23, at(4, k));
    magento.state.orders.set(8600 + k, next);
    expect(await w.post(ORDERS, early)).toBe(202);
    expect(await Promise.all([w.post(CUSTOMERS, fresh), w.post(CUSTOMERS, changed), w.post(ORDERS, next)])).toEqual([
      202, 202, 202,
    ]);
    await new Promise((r) => setTimeout(r, 100));
  }
}
