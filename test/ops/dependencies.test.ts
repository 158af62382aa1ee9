/**
 * `requires` on the seed specs, end to end: an order whose customer has no FinancialForce account yet waits (not a
 * dead letter, no invoice without an account), visible as `waiting`; its customer is fetched from Magento and synced
 * first; waiting spends no retry budget; past the dependency deadline the order is dead-lettered saying why.
 */
import { afterEach, expect, it } from 'vitest';
import { sampleOrder } from '../../connectors/magento/emulator/state.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';

let world: SeedEngine | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const ORDERS = 'magento-orders-to-ff-invoices.yaml';
const FAST_RETRY: [string, string] = [
  'retry: { max_attempts: 12, initial: 2s, max: 15m, dependency_deadline: 24h }',
  'retry: { max_attempts: 2, initial: 50ms, max: 200ms, dependency_deadline: 24h }',
];

type Status = { integrations: { name: string; status?: string; waiting: number }[] };
async function status(w: SeedEngine, name: string) {
  const body = (await (await fetch(`${w.engine.operatorUrl}/api/status`)).json()) as Status;
  return body.integrations.find((i) => i.name === name)!;
}

it('an order waits for its customer, which is fetched from Magento and synced first; then the invoice has the account', async () => {
  world = await startSeedEngine({ edits: { [ORDERS]: [FAST_RETRY] } });
  const { ff, magento } = world.systems;
  const account = ff.records('Account').find((a) => a.Magento_Customer_Id__c === '42')!;
  const order = sampleOrder(7001);
  magento.state.orders.set(7001, order);
  expect(await world.post('magento-orders-to-ff-invoices', order)).toBe(202);

  await waitFor(() => ff.records('c2g__codaInvoice__c').length === 1, 'the invoice');
  await expectDrained(world.nats.url);
  expect(ff.records('c2g__codaInvoice__c')[0]).toMatchObject({
    Magento_Order_Id__c: '7001',
    c2g__Account__c: account.Id,
  });
  // The customer was read from Magento (GET /V1/customers/42) and synced by its own integration first.
  expect(magento.requests.filter((r) => r.method === 'GET' && /\/V1\/customers\/42$/.test(r.path))).toHaveLength(1);
  expect(await world.engine.deadLetters.list()).toEqual([]);
  expect(await status(world, 'magento-orders-to-ff-invoices')).toMatchObject({ waiting: 0 });
  const metrics = await world.engine.metrics.getSingleMetricAsString('junction_events_retried_total');
  expect(metrics).toMatch(
    /junction_events_retried_total\{integration="magento-orders-to-ff-invoices",code="dependency-missing"\} [1-9]/,
  );
});

it('without fetch the order waits, shown as waiting, past its retry budget, until the customer arrives', async () => {
  world = await startSeedEngine({
    edits: {
      [ORDERS]: [
        FAST_RETRY,
        [
          '{ xref: customer, key: "customer_id ? $string(customer_id)" }',
          '{ xref: customer, key: "customer_id ? $string(customer_id)", fetch: false }',
        ],
      ],
    },
  });
  const { ff, magento } = world.systems;
  expect(await world.post('magento-orders-to-ff-invoices', sampleOrder(7002))).toBe(202);
  await waitFor(async () => (await status(world!, 'magento-orders-to-ff-invoices')).waiting === 1, 'waiting');
  expect(await status(world, 'magento-orders-to-ff-invoices')).toMatchObject({ status: 'waiting', waiting: 1 });
  // Many more deliveries than max_attempts (2): waiting does not use up the budget. Counted, not a fixed 1.5 s, which
  // a loaded machine filled with fewer deliveries than the budget.
  const waits = async () =>
    Number(
      /integration="magento-orders-to-ff-invoices",code="dependency-missing"\} (\d+)/.exec(
        await world!.engine.metrics.getSingleMetricAsString('junction_events_retried_total'),
      )?.[1] ?? 0,
    );
  await waitFor(async () => (await waits()) >= 6, 'six deliveries that found no customer');
  expect(ff.records('c2g__codaInvoice__c')).toEqual([]);
  expect(await world.engine.deadLetters.list()).toEqual([]);

  expect(
    await world.post('magento-customers-to-ff-accounts', {
      ...magento.state.customers.get(42),
      updated_at: '2026-12-01 09:00:00',
    }),
  ).toBe(202);
  await waitFor(() => ff.records('c2g__codaInvoice__c').length === 1, 'the invoice once the customer is synced');
  await expectDrained(world.nats.url);
  expect(await status(world, 'magento-orders-to-ff-invoices')).toMatchObject({ waiting: 0 });
  expect(await world.engine.deadLetters.list()).toEqual([]);
});

it('past the dependency deadline the order is dead-lettered with what it waited for, and a replay delivers it', async () => {
  world = await startSeedEngine({
    edits: {
      [ORDERS]: [
        // 3 s: at a load of 30 an attempt took 0.5 s, and a 1 s deadline saw only the 2 that max_attempts allows.
        [FAST_RETRY[0], 'retry: { max_attempts: 2, initial: 50ms, max: 100ms, dependency_deadline: 3s }'],
        ['key: "customer_id ? $string(customer_id)" }', 'key: "customer_id ? $string(customer_id)", fetch: false }'],
      ],
    },
  });
  expect(await world.post('magento-orders-to-ff-invoices', sampleOrder(7003))).toBe(202);
  await waitFor(async () => (await world!.engine.deadLetters.list()).length === 1, 'dead-lettered at the deadline');
  const [entry] = await world.engine.deadLetters.list();
  expect(entry).toMatchObject({
    integration: 'magento-orders-to-ff-invoices',
    key: '7003',
    reason: 'dependency-deadline',
    error: { code: 'dependency-deadline' },
  });
  expect(entry.error.message).toMatch(
    /^waited \d+(ms|s) for cross-reference customer "42" \(dependency deadline 3s\); sync that record \(or `junction xref set customer 42 <id>`\), then replay$/,
  );
  expect(entry.attempts).toBeGreaterThan(2);
  expect(await status(world, 'magento-orders-to-ff-invoices')).toMatchObject({ waiting: 0 });
  expect(world.systems.ff.records('c2g__codaInvoice__c')).toEqual([]);

  const { ff, magento } = world.systems;
  expect(
    await world.post('magento-customers-to-ff-accounts', {
      ...magento.state.customers.get(42),
      updated_at: '2026-12-01 09:00:00',
    }),
  ).toBe(202);
  await waitFor(
    () => ff.records('Account').some((a) => a.Email__c === 'ada@example.com' && a.Name === 'Ada Lovelace'),
    'customer synced',
  );
  expect(await world.engine.replay(entry.id)).toMatchObject({ status: 'replayed' });
  await waitFor(() => ff.records('c2g__codaInvoice__c').length === 1, 'the replayed order invoiced');
  await expectDrained(world.nats.url);
});
