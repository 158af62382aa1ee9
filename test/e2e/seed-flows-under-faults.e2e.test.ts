/**
 * Every Magento <-> FinancialForce and service app -> Salesforce seed flow through the engine (real nats-server,
 * the seed systems' emulators, the seed specs), with the vendor's answer lost after it committed (dropAfterCommit)
 * and with calls that time out after the vendor committed. None of the vendors honours Idempotency-Key, so what is
 * asserted is the emulators' own state: exactly one record per business object, every update applied, no dead letter.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { sampleOrder } from '../../connectors/magento/emulator/state.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;
let h: SeedEngine;
beforeAll(async () => {
  h = await startSeedEngine(['magento-ff', 'service-app-salesforce'], { fastTimeouts: true });
}, 60_000);
// Every injected fault was hit: the flows really lost those answers.
afterEach(async () => expect(await faultsLeft()).toEqual([[], [], []]));
afterAll(async () => {
  const open = await h.engine.deadLetters.list({ status: 'open' });
  await h.stop();
  expect(open.map((d) => `${d.integration}: ${d.error?.message ?? ''}`)).toEqual([]);
});

const SF = '/services/data/v60.0/sobjects';
/** The vendor commits, then the connection drops before the answer. */
const lost = (pathPrefix: string, times = 1) => ({ dropAfterCommit: true, pathPrefix, times });
/** The vendor commits 1.5 s later; the client (1 s timeout) has given up by then. */
const late = (pathPrefix: string) => ({ delayMs: 1500, pathPrefix });
const count = (rows: Row[], field: string, value: unknown) => rows.filter((r) => r[field] === value).length;
/** The faults still pending on the Magento, FF and Salesforce emulators. */
const faultsLeft = async () =>
  Promise.all(
    [h.systems.magento, h.systems.ff, h.systems.salesforce].map(
      async (s) => (await (await fetch(`${s.url}/__emulator/faults`)).json()) as unknown[],
    ),
  );

it('Magento customer -> FF account, and its update: one account, renamed', async () => {
  const { ff, magento } = h.systems;
  const customer = { ...magento.state.customers.get(42)!, id: 77, email: 'kay@example.com', firstname: 'Kay' };
  ff.fail(lost(`${SF}/Account/Magento_Customer_Id__c/77`));
  await h.post('magento-customers-to-ff-accounts', { ...customer, updated_at: '2026-12-01 10:00:00' }, 'magento');
  await waitFor(() => count(ff.records('Account'), 'Magento_Customer_Id__c', '77') === 1, 'account 77');
  ff.fail(late(`${SF}/Account/Magento_Customer_Id__c/77`));
  await h.post(
    'magento-customers-to-ff-accounts',
    { ...customer, lastname: 'Renamed', updated_at: '2026-12-01 11:00:00' },
    'magento',
  );
  await waitFor(() => ff.records('Account').some((a) => a.Name === 'Kay Renamed'), 'account 77 renamed');
  await expectDrained(h.nats.url);
  expect(count(ff.records('Account'), 'Magento_Customer_Id__c', '77')).toBe(1);
});

it('Magento order -> FF invoice and lines, and a later change: one invoice, one line per item, updated', async () => {
  const { ff } = h.systems;
  const order = sampleOrder(5001, { customer_id: 77, customer_firstname: 'Kay', updated_at: '2026-12-01 12:00:00' });
  ff.fail(lost(`${SF}/c2g__codaInvoice__c/Magento_Order_Id__c/5001`));
  ff.fail(late(`${SF}/c2g__codaInvoiceLineItem__c/Magento_Order_Item_Id__c/50011`));
  await h.post('magento-orders-to-ff-invoices', order, 'magento');
  const lines = () => ff.records('c2g__codaInvoiceLineItem__c');
  await waitFor(
    () => lines().length === 4,
    () => `4 invoice lines, have ${lines().length}`,
  );
  await h.post(
    'magento-orders-to-ff-invoices',
    { ...order, customer_lastname: 'Renamed', updated_at: '2026-12-01 13:00:00' },
    'magento',
  );
  const invoices = () => ff.records('c2g__codaInvoice__c').filter((i) => i.Magento_Order_Id__c === '5001');
  await waitFor(() => String(invoices()[0]?.c2g__InvoiceDescription__c).endsWith('Kay Renamed'), 'invoice updated');
  await expectDrained(h.nats.url);
  expect(invoices()).toHaveLength(1);
  expect(
    lines()
      .map((l) => l.Magento_Order_Item_Id__c)
      .sort(),
  ).toEqual(['5001-shipping', '50011', '50012', '50014']);
});

it('service app ad -> Salesforce usage entry, created with the answer lost and corrected after a timeout', async () => {
  const { salesforce } = h.systems;
  salesforce.fail(lost(`${SF}/Usage_Entry__c/External_Id__c/ad-9001`));
  const ad = {
    id: 9001,
    customer_id: 42,
    contract_number: 'C-1001',
    product_type: 'banner',
    units: 3,
    created_at: '2026-12-01T08:00:00Z',
  };
  await h.post('ad-usage-to-salesforce', { event_id: 'evt-9001', type: 'ad.created', ad }, 'app');
  await waitFor(() => count(salesforce.records('Usage_Entry__c'), 'External_Id__c', 'ad-9001') === 1, 'usage ad-9001');
  salesforce.fail(late(`${SF}/Usage_Entry__c/External_Id__c/ad-9001`));
  await h.post(
    'ad-usage-to-salesforce',
    { event_id: 'evt-9001-2', type: 'ad.changed', ad: { ...ad, product_type: 'video', units: 5 } },
    'app',
  );
  await waitFor(() => salesforce.records('Usage_Entry__c').some((u) => u.Units__c === 5), 'usage ad-9001 corrected');
  await expectDrained(h.nats.url);
  expect(salesforce.records('Usage_Entry__c').map((u) => [u.External_Id__c, u.Product_Type__c, u.Units__c])).toEqual([
    ['ad-9001', 'Video Pre-roll', 5],
  ]);
});
