/**
 * FinancialForce's payment status back to Magento, end to end through a real nats-server, the engine and the vendor
 * emulators: an order paid on account (purchase order) is shipped in Magento, billed by FinancialForce, paid there,
 * and FF's Paid invoice (its change event) invoices the Magento order once, which completes it; FF books no cash
 * entry for that Magento invoice, and the same Paid invoice seen again invoices nothing more.
 */
import { afterEach, expect, it } from 'vitest';
import { sampleOrder, touch } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { changeEventEnriched, enrichmentReads, patchSalesforceRecord } from '../runtime/helpers/vendor-engine.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const ORDER = 2001;

it('an order paid on account: shipped, billed and paid in FF, then invoiced once in Magento and complete', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { nats, systems, engine } = h;
  const { magento, ff } = systems;

  // Customer 42 reaches FF first (the invoice needs the account).
  touch(magento.state.customers.get(42)!);
  await waitFor(() => ff.records('Account').some((a) => a.Magento_Customer_Id__c === '42'), 'the FF account');

  // Placed with a purchase order: no payment taken, nothing invoiced. The warehouse has shipped it (processing).
  const order = touch(
    sampleOrder(ORDER, {
      state: 'processing',
      status: 'processing',
      payment: { method: 'purchaseorder', po_number: 'PO-77', additional_information: [] },
    }),
  );
  for (const item of order.items as Row[]) item.qty_shipped = item.qty_ordered;
  magento.state.orders.set(ORDER, order);

  // The order poll bills it in FF, before Magento has any invoice.
  const ffInvoice = () => ff.records('c2g__codaInvoice__c').find((i) => i.Magento_Order_Id__c === String(ORDER));
  await waitFor(
    () => ff.records('c2g__codaInvoiceLineItem__c').filter((l) => l.c2g__Invoice__c === ffInvoice()?.Id).length === 4,
    'the FF invoice with its three lines and shipping',
  );
  const { Id, Name } = ffInvoice()!;
  expect(ffInvoice()).toMatchObject({ Payment_Method__c: 'purchaseorder', c2g__CustomerReference__c: '00002001' });
  expect(magento.state.invoices).toEqual([]);

  // FF posts it; the customer pays and FF's cash matching makes it Paid (emulator control: FF computes the status).
  ff.post('c2g__codaInvoice__c', String(Id));
  ff.store.update('c2g__codaInvoice__c', String(Id), { c2g__PaymentStatus__c: 'Paid', c2g__OutstandingValue__c: 0 });
  await waitFor(() => magento.state.invoices.length === 1, 'the Magento invoice');
  const [invoice] = magento.state.invoices;
  expect(invoice).toMatchObject({
    order_id: ORDER,
    state: 2,
    grand_total: 66.71,
    comments: [expect.objectContaining({ comment: `Paid in FinancialForce: invoice ${String(Name)}` })],
  });
  // Everything is invoiced and shipped: Magento completes the order.
  expect([order.state, order.status]).toEqual(['complete', 'complete']);
  expect((order.items as Row[]).map((i) => [i.sku, i.qty_invoiced])).toEqual([
    ['MUG-1', 2],
    ['TEE-1', 1],
    ['TEE-1-M', 1],
    ['CAP-1', 1],
  ]);

  // The invoice poll finds the new Magento invoice (the only one): FF collected that money, so it books no cash entry.
  const counts = async (name: string) => (await engine.status()).integrations.find((i) => i.name === name)!.counts;
  await waitFor(
    async () => (await counts('magento-invoice-payments-to-ff-cash-entries')).delivered === 1,
    'the Magento invoice polled and handled',
  );
  // FF amends the paid invoice's description (a new change event, still Paid): nothing is invoiced again.
  const reads = enrichmentReads(ff, String(Id));
  await patchSalesforceRecord(ff.url, 'c2g__codaInvoice__c', String(Id), {
    c2g__InvoiceDescription__c: 'Magento order 00002001, paid by PO-77',
  });
  await changeEventEnriched(ff, String(Id), reads);
  await expectDrained(nats.url);
  expect(magento.state.invoices).toHaveLength(1);
  expect(ff.records('c2g__codaCashEntry__c')).toEqual([]);
  const posts = magento.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/order/${ORDER}/invoice`));
  expect(posts).toHaveLength(1);
  expect(posts[0].body).toEqual({
    capture: false,
    notify: true,
    appendComment: true,
    comment: { comment: `Paid in FinancialForce: invoice ${String(Name)}`, is_visible_on_front: 1 },
  });
  expect(await engine.deadLetters.list({ status: 'open' })).toEqual([]);
});
