/**
 * Transient lock errors as each vendor answers them, injected into flows running through the engine (real
 * nats-server, the vendor emulators): Salesforce's UNABLE_TO_LOCK_ROW bare and wrapped by a trigger (the service app
 * seed flow), Magento's product-save deadlock and lock wait (400) and a deadlock elsewhere (500) (a product price
 * update), M3's lock time-out (XO_1130) and "changed by another user" (XUP0001) (the BNG customer seed flow). Each
 * refused call is retried by the engine, the change lands once, and nothing is dead-lettered. The rules tests pin
 * the bodies and the classification; this pins the retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { MAGENTO_CONNECTION, magentoEnv } from '../runtime/helpers/vendor-connections.js';
import { startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';
import { MI } from '../e2e/helpers/bng-m3-faults.js';
import { sharedSeedEngine } from '../e2e/helpers/shared-seed-engine.js';

/** The calls a system received, as `METHOD path`. */
const calls = (system: { requests: { method: string; path: string }[] }, match: RegExp) =>
  system.requests.map((r) => `${r.method} ${r.path}`).filter((c) => match.test(c));

describe('service app -> Salesforce seed flow', () => {
  const h = sharedSeedEngine(['service-app-salesforce']);

  it('Salesforce row locks, bare and wrapped by a trigger: the usage upsert is retried and lands once', async () => {
    const { salesforce } = h.systems;
    const path = '/services/data/v60.0/sobjects/Usage_Entry__c/External_Id__c/ad-9201';
    salesforce.failRowLock({ pathPrefix: path, wrapped: true, trigger: 'UsageEntryTrigger' });
    salesforce.failRowLock({ pathPrefix: path });
    const ad = {
      id: 9201,
      customer_id: 42,
      contract_number: 'C-1001',
      product_type: 'banner',
      units: 2,
      created_at: '2026-12-01T08:00:00Z',
    };
    await h.post('ad-usage-to-salesforce', { event_id: 'evt-9201', type: 'ad.created', ad }, 'app');
    const usage = () => salesforce.records('Usage_Entry__c').filter((u) => u.External_Id__c === 'ad-9201');
    await waitFor(() => usage().length > 0, 'usage ad-9201');
    await expectDrained(h.nats.url);
    // Two refused by the lock, the third accepted.
    expect(calls(salesforce, /\/ad-9201$/)).toEqual([`PATCH ${path}`, `PATCH ${path}`, `PATCH ${path}`]);
    expect(usage()).toEqual([expect.objectContaining({ Units__c: 2 })]);
  });
});

describe('a Magento product update', () => {
  const SECRET = 'price-hook-secret';
  let h: VendorEngine;
  let magento: MagentoEmulator;
  beforeAll(async () => {
    magento = await startMagentoEmulator();
    h = await startVendorEngine(
      {
        'connections/magento.yaml': MAGENTO_CONNECTION,
        'erp-prices-to-magento.yaml': `apiVersion: junction/v1
kind: Integration
name: erp-prices-to-magento
source: { webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "\${env:HOOK_SECRET}" } } } }
key: sku
steps:
  - id: price
    connection: magento
    operation: products.update
    body: '{ "sku": sku, "price": price }'
owns: [{ connection: magento, object: product, fields: [price] }]
retry: { max_attempts: 5, initial: 200ms, max: 1s }
`,
      },
      { ...magentoEnv(magento), HOOK_SECRET: SECRET },
    );
  }, 60_000);
  afterAll(async () => {
    const open = await h.engine.deadLetters.list({ status: 'open' });
    await h.dispose();
    await magento.stop();
    expect(open.map((d) => `${d.integration}: ${d.error?.message ?? ''}`)).toEqual([]);
  });

  it('Magento deadlocks on the product save (400) and elsewhere (500): the update is retried and applied', async () => {
    const path = '/rest/default/V1/products/MUG-1';
    magento.failDeadlock({ productSave: true, pathPrefix: path });
    magento.failDeadlock({ productSave: true, lockWait: true, pathPrefix: path });
    magento.failDeadlock({ pathPrefix: path });
    const raw = JSON.stringify({ sku: 'MUG-1', price: 13.25 });
    const signature = createHmac('sha256', SECRET).update(raw).digest('hex');
    const res = await fetch(`${h.engine.url!}/hooks/erp-prices-to-magento`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body: raw,
    });
    expect(res.status).toBe(202);
    await waitFor(() => magento.state.products.get('MUG-1')?.price === 13.25, 'MUG-1 repriced');
    await expectDrained(h.nats.url);
    // A deadlock, a lock wait and an internal error refused, the fourth save accepted.
    expect(calls(magento, /\/V1\/products\/MUG-1$/)).toEqual(Array(4).fill(`PUT ${path}`));
    expect(magento.state.products.get('MUG-1')).toMatchObject({ sku: 'MUG-1', price: 13.25, name: 'Enamel Mug' });
  });
});

describe('BNG <-> M3 seed flows', () => {
  const h = sharedSeedEngine(['bng-m3']);

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
    // This customer's calls only (the M3 -> BNG customer poll lists CRS610MI alongside).
    const transactions = () =>
      m3.requests.filter((r) => r.query.CUNO === 'B00000602').map((r) => r.path.slice(MI.length + 1));
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
