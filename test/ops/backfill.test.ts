/**
 * `junction backfill` on the seed specs against the Magento and FinancialForce emulators and a real nats-server:
 * existing customers become FF accounts with their cross-references; re-running writes nothing twice; an interrupted
 * (limited) run resumes; --where filters; backfilled events never get more than --max-in-flight ahead of live ones;
 * --dry-run prints the plan and stores nothing.
 */
import { afterEach, expect, it } from 'vitest';
import { XrefStore } from '../../engine/runtime/stores/xref-store.js';
import { setPaused } from '../../engine/runtime/control/pause-control.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { auditTrail, junction } from './cli-in-process.js';
import { accountCustomerIds, customerIds, listedCustomers, startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';

let world: SeedEngine | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const CUSTOMERS = 'magento-customers-to-ff-accounts';
const two = (n: number) => String(n).padStart(2, '0');

/**
 * `count` existing Magento customers 100.., each changed at its own second (before the emulator's seed customers, so
 * those come last in a listing); every listing finds the seed's customers too, so expectations count listedCustomers.
 */
function addCustomers(w: SeedEngine, count: number) {
  w.stubEnv();
  for (let i = 0; i < count; i++) {
    const id = 100 + i;
    w.systems.magento.state.customers.set(id, {
      id,
      email: `customer${id}@${i % 3 === 0 ? 'b2b.example' : 'example.com'}`,
      firstname: 'Customer',
      lastname: String(id),
      group_id: 1,
      website_id: 1,
      addresses: [],
      created_at: '2026-01-01 00:00:00',
      updated_at: `2026-10-01 00:${two(Math.floor(i / 60))}:${two(i % 60)}`,
    });
  }
}

async function xrefs(natsUrl: string) {
  const nc = await connect({ servers: natsUrl });
  try {
    return await new XrefStore(await new Kvm(nc).open('junction_xref')).list('customer');
  } finally {
    await nc.close();
  }
}

/** The customer integration's lag on the operator API: events stored and not yet delivered. */
async function customerLag(w: SeedEngine): Promise<number> {
  const status = (await (await fetch(`${w.engine.operatorUrl}/api/status`)).json()) as {
    integrations: { name: string; lag: number }[];
  };
  return status.integrations.find((i) => i.name === CUSTOMERS)!.lag;
}

/** Resumes the paused customer integration straight on the bucket (a second in-process CLI would share the output). */
async function resumeCustomers(w: SeedEngine): Promise<void> {
  const nc = await connect({ servers: w.nats.url });
  try {
    await setPaused(await new Kvm(nc).open('junction_control'), CUSTOMERS, undefined);
  } finally {
    await nc.close();
  }
}

const upserts = (w: SeedEngine) =>
  w.systems.ff.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/sobjects/Account/')).length;

it('loads existing customers once, with their cross-references; a re-run stores nothing new', async () => {
  world = await startSeedEngine();
  addCustomers(world, 30);
  const listed = listedCustomers(world);
  const [n, cursor] = [listed.length, String(listed.at(-1)!.updated_at)];
  const args = ['backfill', CUSTOMERS, world.dir, '--nats', world.nats.url];
  const first = await junction(...args);
  expect(first.stdout).toBe(
    `backfilled ${CUSTOMERS}: ${n} stored, 0 already stored, 0 filtered out (${n} listed, up to cursor ${cursor})\n`,
  );
  expect(first.stderr.trim().split('\n').at(-1)).toMatch(
    new RegExp(`^\\[#{24}\\] {2}${n}/${n} {2}\\d+/s {2}ETA \\d+s {2}\\(stored ${n}, already stored 0\\)$`),
  );
  await waitFor(() => accountCustomerIds(world!).length === n, 'an account per customer');
  await expectDrained(world.nats.url);
  expect(accountCustomerIds(world)).toEqual(customerIds(listed));
  const links = await xrefs(world.nats.url);
  expect(links.map((l) => l.sourceId).sort()).toEqual(customerIds(listed));
  const account = world.systems.ff.records('Account').find((a) => a.Magento_Customer_Id__c === '107')!;
  expect(links.find((l) => l.sourceId === '107')?.targetId).toBe(account.Id);
  expect(account).toMatchObject({ Name: 'Customer 107', Email__c: 'customer107@example.com' });

  const again = await junction(...args);
  expect(again.stdout).toBe(
    `backfilled ${CUSTOMERS}: 0 stored, ${n} already stored, 0 filtered out (${n} listed, up to cursor ${cursor})\n`,
  );
  await expectDrained(world.nats.url);
  expect(upserts(world)).toBe(n);
  expect(
    (await auditTrail(world.nats.url)).map((e) => [e.action, e.target, (e.detail as { stored: number }).stored]),
  ).toEqual([
    ['integration.backfill', CUSTOMERS, n],
    ['integration.backfill', CUSTOMERS, 0],
  ]);
});

it('resumes an interrupted run where it stopped, and filters with --where', async () => {
  world = await startSeedEngine();
  addCustomers(world, 24);
  const listed = listedCustomers(world);
  const stamp = (i: number) => String(listed.at(i)!.updated_at);
  const args = ['backfill', CUSTOMERS, world.dir, '--nats', world.nats.url];
  expect((await junction(...args, '--limit', '10')).stdout).toMatch(
    `: 10 stored, 0 already stored, 0 filtered out (10 listed, up to cursor ${stamp(9)})`,
  );
  // The next run resumes at the 10th record's cursor (inclusive): that one is already stored, the others are new (the
  // report counts every run). Its --limit counts its own records: the 10th again and the next 9.
  expect((await junction(...args, '--limit', '10')).stdout).toMatch(
    new RegExp(
      `: 19 stored, 1 already stored, 0 filtered out \\(20 listed, resumed from a run started \\S+, up to cursor ${stamp(18)}\\)`,
    ),
  );
  expect((await junction(...args)).stdout).toMatch(
    new RegExp(
      `: ${listed.length} stored, 2 already stored, 0 filtered out \\(${listed.length + 2} listed, resumed from a run started \\S+, up to cursor ${stamp(-1)}\\)`,
    ),
  );
  await waitFor(() => accountCustomerIds(world!).length === listed.length, 'an account per customer');

  const filtered = await junction(...args, '--restart', '--where', '$contains(email, "@b2b.example")');
  const b2b = listed.filter((c) => String(c.email).endsWith('@b2b.example')).length;
  expect(filtered.stdout).toMatch(
    `: 0 stored, ${b2b} already stored, ${listed.length - b2b} filtered out (${listed.length} listed`,
  );
  await expectDrained(world.nats.url);
  expect(accountCustomerIds(world)).toEqual(customerIds(listed));
  expect(upserts(world)).toBe(listed.length);
});

it('never gets more than --max-in-flight events ahead of live traffic', async () => {
  world = await startSeedEngine();
  addCustomers(world, 12);
  const existing = listedCustomers(world).length;
  const nats = ['--nats', world.nats.url];
  await junction('pause', CUSTOMERS, ...nats);
  const running = junction('backfill', CUSTOMERS, world.dir, '--max-in-flight', '5', ...nats);
  const lag = () => customerLag(world!);
  await waitFor(async () => (await lag()) === 5, 'five backfilled events stored');
  await new Promise((r) => setTimeout(r, 600));
  expect(await lag()).toBe(5);
  // A customer signs up live (the customer poll finds it): it is stored right behind the five, not behind all the
  // existing ones.
  const signedUp = { id: 500, email: 'live@example.com', firstname: 'Live', lastname: 'Customer', group_id: 1 };
  expect(
    await world.post(CUSTOMERS, { ...signedUp, website_id: 1, addresses: [], created_at: '2026-12-01 09:00:00' }),
  ).toBe(202);
  expect(await lag()).toBe(6);
  await resumeCustomers(world);
  // The listing runs into the live customer too (changed now), which the poll already stored.
  expect((await running).stdout).toMatch(
    `: ${existing} stored, 1 already stored, 0 filtered out (${existing + 1} listed`,
  );
  await waitFor(() => accountCustomerIds(world!).length === existing + 1, 'an account per customer');
  await expectDrained(world.nats.url);
  expect(accountCustomerIds(world)).toEqual(customerIds(listedCustomers(world)));
});

it('a customer changed during the load ends with its new version, though its webhook came before the old one', async () => {
  world = await startSeedEngine();
  addCustomers(world, 3);
  const existing = listedCustomers(world).length;
  const nats = ['--nats', world.nats.url];
  await junction('pause', CUSTOMERS, ...nats);
  const running = junction('backfill', CUSTOMERS, world.dir, '--max-in-flight', '1', ...nats);
  const lag = () => customerLag(world!);
  // The backfill has listed all existing customers and stored 100; it holds the others until there is room.
  await waitFor(async () => (await lag()) === 1, 'customer 100 stored');
  const renamed = {
    ...world.systems.magento.state.customers.get(101)!,
    lastname: 'Renamed',
    updated_at: '2026-12-01 09:00:00',
  };
  world.systems.magento.state.customers.set(101, renamed);
  expect(await world.post(CUSTOMERS, renamed)).toBe(202); // once the customer poll stored it
  await resumeCustomers(world);
  // The old 101 is stored after the polled new one; the listing then brings the new one again (changed now), which
  // the poll already stored: it is stored once more, so it is delivered last.
  expect((await running).stdout).toMatch(
    new RegExp(
      `^backfilled ${CUSTOMERS}: ${existing + 1} stored, 0 already stored, 0 filtered out \\(${existing + 1} listed, up to cursor 2026-12-`,
    ),
  );
  await waitFor(() => accountCustomerIds(world!).length === existing, 'an account per customer');
  await expectDrained(world.nats.url);
  expect(accountCustomerIds(world)).toEqual(customerIds(listedCustomers(world)));
  expect(world.systems.ff.records('Account').find((a) => a.Magento_Customer_Id__c === '101')).toMatchObject({
    Name: 'Customer Renamed',
  });
});

const CONTACT_QUERY =
  '  GET /services/data/v60.0/query?q=SELECT+Id%2C+Email%2C+Magento_Customer_Id__c+FROM+Contact+WHERE+AccountId+%3D+%27%3Caccount+id%3E%27';
const ADDRESS_BOOK_QUERY =
  '  GET /services/data/v60.0/query?q=SELECT+Id%2C+Magento_Address_Id__c+FROM+ContactPointAddress+WHERE+ParentId+%3D+%27%3Caccount+id%3E%27';

it('--dry-run prints what the first records would write and stores nothing', async () => {
  world = await startSeedEngine();
  addCustomers(world, 8);
  const dry = await junction('backfill', CUSTOMERS, world.dir, '--dry-run', '--limit', '2', '--nats', world.nats.url);
  expect(dry.stdout).toBe(
    [
      'record 100  would be written',
      '  PATCH /services/data/v60.0/sobjects/Account/Magento_Customer_Id__c/100',
      '    {"Name":"Customer 100","Email__c":"customer100@b2b.example"}',
      // the customer's contact (its look-up finds nothing in a dry run) and the account's address book
      CONTACT_QUERY,
      '  POST /services/data/v60.0/sobjects/Contact',
      '    {"AccountId":"<account id>","FirstName":"Customer","LastName":"100","Email":"customer100@b2b.example","Magento_Customer_Id__c":"100"}',
      ADDRESS_BOOK_QUERY,
      'record 101  would be written',
      '  PATCH /services/data/v60.0/sobjects/Account/Magento_Customer_Id__c/101',
      '    {"Name":"Customer 101","Email__c":"customer101@example.com"}',
      // the customer's contact (its look-up finds nothing in a dry run) and the account's address book
      CONTACT_QUERY,
      '  POST /services/data/v60.0/sobjects/Contact',
      '    {"AccountId":"<account id>","FirstName":"Customer","LastName":"101","Email":"customer101@example.com","Magento_Customer_Id__c":"101"}',
      ADDRESS_BOOK_QUERY,
      'dry run: 2 records shown (0 filtered out); nothing stored',
      '',
    ].join('\n'),
  );
  expect(upserts(world)).toBe(0);
  expect(await junction('backfill', 'nope', world.dir, '--nats', world.nats.url)).toMatchObject({
    code: 2,
    stderr: `junction: no integration named "nope" in ${world.dir}\n`,
  });
  expect(await junction('backfill', 'magento-customers-to-ff-acounts', world.dir, '--dry-run')).toMatchObject({
    code: 2,
    stderr: `junction: no integration named "magento-customers-to-ff-acounts" in ${world.dir}; did you mean "${CUSTOMERS}"?\n`,
  });
});
