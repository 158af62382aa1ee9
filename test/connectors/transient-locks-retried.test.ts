/**
 * Transient lock errors as each vendor answers them, injected into a seed flow running through the engine (real
 * nats-server, the seed systems' emulators, the seed specs): Salesforce's UNABLE_TO_LOCK_ROW bare and wrapped by a
 * FinancialForce trigger, Magento's product-save deadlock (400) and a deadlock elsewhere (500), M3's lock time-out
 * (XO_1130) and "changed by another user" (XUP0001). Each refused call is retried by the engine, the change lands
 * once, and nothing is dead-lettered. The rules tests pin the bodies and the classification; this pins the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlockFault } from '../../connectors/magento/emulator/deadlock-fault.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from '../e2e/helpers/seed-engine.js';
import type { SeedEngine } from '../e2e/helpers/seed-engine.js';

/** The calls a system received, as `METHOD path`. */
const calls = (system: { requests: { method: string; path: string }[] }, match: RegExp) =>
  system.requests.map((r) => `${r.method} ${r.path}`).filter((c) => match.test(c));

/** Stops the engine; no event may have been dead-lettered. */
async function stopWithoutDeadLetters(h: SeedEngine): Promise<void> {
  const open = await h.engine.deadLetters.list({ status: 'open' });
  await h.stop();
  expect(open.map((d) => `${d.integration}: ${d.error?.message ?? ''}`)).toEqual([]);
}

describe('Magento <-> FinancialForce seed flows', () => {
  let h: SeedEngine;
  beforeAll(async () => {
    h = await startSeedEngine(['magento-ff']);
  }, 60_000);
  afterAll(() => stopWithoutDeadLetters(h));

  it('Salesforce row locks, bare and wrapped by a trigger: the account upsert is retried and lands once', async () => {
    const { ff, magento } = h.systems;
    const path = '/services/data/v60.0/sobjects/Account/Magento_Customer_Id__c/88';
    ff.failRowLock({ pathPrefix: path, wrapped: true, trigger: 'c2g.CODAAccountTrigger' });
    ff.failRowLock({ pathPrefix: path });
    const customer = { ...magento.state.customers.get(42)!, id: 88, email: 'lin@example.com', firstname: 'Lin' };
    await h.post('magento-customers-to-ff-accounts', { ...customer, updated_at: '2026-12-01 10:00:00' }, 'magento');
    const accounts = () => ff.records('Account').filter((a) => a.Magento_Customer_Id__c === '88');
    await waitFor(() => accounts().length > 0, 'account 88');
    await expectDrained(h.nats.url);
    // Two refused by the lock, the third accepted.
    expect(calls(ff, /Magento_Customer_Id__c\/88$/)).toEqual([`PATCH ${path}`, `PATCH ${path}`, `PATCH ${path}`]);
    expect(accounts()).toEqual([expect.objectContaining({ Name: 'Lin Lovelace', Email__c: 'lin@example.com' })]);
  });

  it('Magento deadlocks on a product save (400) and elsewhere (500): the update is retried and applied', async () => {
    const { magento } = h.systems;
    const path = '/rest/default/V1/products/MUG-1';
    magento.fail({ ...deadlockFault({ productSave: true }), pathPrefix: path, method: 'PUT' });
    magento.fail({ ...deadlockFault({}), pathPrefix: path, method: 'PUT' });
    const product = {
      Id: '01t000000000MUGAAU',
      ProductCode: 'MUG-1',
      Name: 'Enamel Mug',
      IsActive: true,
      Web_Visible__c: true,
      Weight__c: 0.4,
      SystemModstamp: '2026-12-01T10:00:00.000+0000',
      PricebookEntries: {
        totalSize: 1,
        done: true,
        records: [{ UnitPrice: 13.25, IsActive: true, Pricebook2: { Name: 'Standard Price Book', IsStandard: true } }],
      },
    };
    await h.post('ff-products-to-magento-catalog', product, 'ff');
    await waitFor(() => magento.state.products.get('MUG-1')?.price === 13.25, 'MUG-1 repriced');
    await expectDrained(h.nats.url);
    expect(calls(magento, /^PUT .*\/V1\/products\/MUG-1$/)).toHaveLength(3);
    expect(calls(magento, /^POST .*\/V1\/products$/)).toEqual([]);
    expect(magento.state.products.get('MUG-1')).toMatchObject({ price: 13.25, weight: 0.4, status: 1 });
  });
});

describe('BNG <-> M3 seed flows', () => {
  let h: SeedEngine;
  beforeAll(async () => {
    h = await startSeedEngine(['bng-m3']);
  }, 60_000);
  afterAll(() => stopWithoutDeadLetters(h));

  const MI = '/m3api-rest/v2/execute/';
  const customer = (lastName: string, updatedAt: string) => ({
    customer: {
      id: 602,
      type: 'business',
      first_name: 'Ada',
      last_name: lastName,
      email: 'ada602@example.com',
      updated_at: updatedAt,
      address: { line1: '1 Analytical Way', city: 'London', postcode: 'N1', country: 'GB' },
    },
  });

  it('M3 lock time-out (XO_1130) on the add and a concurrent change (XUP0001): retried, one customer, changed', async () => {
    const { m3 } = h.systems;
    const transactions = () => m3.requests.map((r) => r.path.slice(MI.length)).filter((t) => t.startsWith('CRS610MI/'));
    m3.contend({ code: 'XO_1130', transaction: 'CRS610MI/Add', times: 1 });
    await h.post('bng-customers-to-m3', customer('Byron', '2026-12-01T10:00:00Z'), 'bng');
    await waitFor(() => m3.state.tables.customer.has('B00000602'), 'customer B00000602');
    await expectDrained(h.nats.url);
    m3.contend({ code: 'XUP0001', transaction: 'CRS610MI/ChgBasicData', times: 1 });
    await h.post('bng-customers-to-m3', customer('King', '2026-12-01T11:00:00Z'), 'bng');
    await waitFor(() => m3.state.tables.customer.get('B00000602')?.CUNM === 'Ada King', 'customer renamed');
    await expectDrained(h.nats.url);
    // The refused add is looked up again before it is sent again; the retried change resumes after the look-up
    // that had already found the customer.
    expect(transactions()).toEqual([
      'CRS610MI/GetBasicData',
      'CRS610MI/Add',
      'CRS610MI/GetBasicData',
      'CRS610MI/Add',
      'CRS610MI/GetBasicData',
      'CRS610MI/ChgBasicData',
      'CRS610MI/ChgBasicData',
    ]);
    expect([...m3.state.tables.customer.values()].filter((c) => c.CUNO === 'B00000602')).toHaveLength(1);
  });
});
