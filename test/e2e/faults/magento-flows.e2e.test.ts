/**
 * The Magento-origin seed flows under faults, driven the real way: a customer, order, credit memo or paid invoice
 * changes in the Magento emulator, the flow's poll (searchCriteria on updated_at) finds it, and the engine writes to
 * the FinancialForce emulator. FF's answer to the create is lost after it committed (`lost`: the connection drops)
 * or comes after the client gave up (`late`: FF commits once the call timed out after 1 s, before the retry). FF
 * honours no Idempotency-Key, so what is asserted is FF's own state: exactly one record per Magento record, with its
 * values.
 */
import { describe, expect, it } from 'vitest';
import { invoiceOrder, refundOrder, sampleOrder, touch } from '../../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../../runtime/helpers/runtime-harness.js';
import { answerLate, answerLost } from '../helpers/faults.js';
import { sharedSeedEngine } from '../helpers/shared-seed-engine.js';

type Row = Record<string, unknown>;
const h = sharedSeedEngine(['magento-ff'], {
  fastTimeouts: true,
  fastPolls: true,
  faulted: ({ magento, ff }) => [magento, ff],
});

const SF = '/services/data/v60.0/sobjects';
const FAULTS = { lost: answerLost, late: answerLate };
const where = (sobject: string, field: string, value: unknown) =>
  h.systems.ff.records(sobject).filter((r) => r[field] === value);
const idOf = (sobject: string, field: string, value: string) => where(sobject, field, value)[0]?.Id;

/** A completed order of customer 42, placed now (so the order poll finds it). */
function placeOrder(entityId: number): Row {
  const order = touch(sampleOrder(entityId));
  h.systems.magento.state.orders.set(entityId, order);
  return order;
}

describe.each(['lost', 'late'] as const)('FF answer %s after it committed', (fault) => {
  const n = fault === 'lost' ? 1 : 2;

  it('Magento customer -> FF account, then its change: one account, updated', async () => {
    const { ff, magento } = h.systems;
    const id = 770 + n;
    ff.fail(FAULTS[fault](`${SF}/Account/Magento_Customer_Id__c/${id}`));
    const customer = touch({
      ...magento.state.customers.get(42)!,
      id,
      email: `kay${n}@example.com`,
      firstname: 'Kay',
      lastname: `No. ${n}`,
      addresses: [
        {
          id: 900 + n,
          firstname: 'Kay',
          lastname: `No. ${n}`,
          street: ['5 Harbour Rd'],
          city: 'Bristol',
          postcode: 'BS1 5TY',
          country_id: 'GB',
          telephone: '+44 117 496 0100',
          default_billing: true,
          default_shipping: true,
        },
      ],
    });
    magento.state.customers.set(id, customer);
    await waitFor(() => where('Account', 'Magento_Customer_Id__c', String(id)).length === 1, `account ${id}`);
    touch(Object.assign(customer, { lastname: 'Renamed' }));
    await waitFor(
      () => where('Account', 'Magento_Customer_Id__c', String(id))[0]?.Name === 'Kay Renamed',
      `account ${id} renamed`,
    );
    await expectDrained(h.nats.url);
    expect(where('Account', 'Magento_Customer_Id__c', String(id))).toEqual([
      expect.objectContaining({
        Name: 'Kay Renamed',
        Email__c: `kay${n}@example.com`,
        BillingStreet: '5 Harbour Rd',
        BillingCity: 'Bristol',
        BillingCountry: 'United Kingdom',
        ShippingPostalCode: 'BS1 5TY',
      }),
    ]);
  });

  it('Magento order -> FF invoice with addresses and lines: one invoice, one line per item', async () => {
    const { ff } = h.systems;
    const entity = 6100 + n;
    ff.fail(FAULTS[fault](`${SF}/c2g__codaInvoice__c/Magento_Order_Id__c/${entity}`));
    placeOrder(entity);
    const invoices = () => where('c2g__codaInvoice__c', 'Magento_Order_Id__c', String(entity));
    const lines = () =>
      ff.records('c2g__codaInvoiceLineItem__c').filter((l) => l.c2g__Invoice__c === invoices()[0]?.Id);
    await waitFor(
      () => lines().length === 4,
      () => `4 lines of invoice ${entity}, have ${lines().length}`,
    );
    await expectDrained(h.nats.url);
    expect(invoices()).toEqual([
      expect.objectContaining({
        c2g__Account__c: idOf('Account', 'Magento_Customer_Id__c', '42'),
        c2g__CustomerReference__c: `0000${entity}`,
        Billing_Name__c: 'Ada Lovelace',
        Billing_Street__c: '12 Analytical Way',
        Billing_City__c: 'San Francisco',
        Billing_Postal_Code__c: '94107',
        Shipping_Name__c: 'Difference Engines Ltd, Ada Lovelace',
        Shipping_Street__c: '1 Engine House\nUnit 4',
        Shipping_City__c: 'Oakland',
        Shipping_State__c: 'CA',
        Shipping_Country__c: 'US',
      }),
    ]);
    expect(lines().map((l) => l.Magento_Order_Item_Id__c)).toEqual([
      `${entity}1`,
      `${entity}2`,
      `${entity}4`,
      `${entity}-shipping`,
    ]);
  });

  it('Magento credit memo -> FF credit note against the invoice: one credit note with its lines', async () => {
    const { ff, magento } = h.systems;
    const entity = 6200 + n;
    placeOrder(entity);
    const refund = refundOrder(magento.state, entity, { items: [{ order_item_id: entity * 10 + 1, qty: 1 }] });
    if (!('memo' in refund)) throw new Error(`refund refused: ${JSON.stringify(refund.error)}`);
    const memo = String(refund.memo.entity_id);
    ff.fail(FAULTS[fault](`${SF}/c2g__codaCreditNote__c/Magento_Creditmemo_Id__c/${memo}`));
    const notes = () => where('c2g__codaCreditNote__c', 'Magento_Creditmemo_Id__c', memo);
    const lines = () =>
      ff.records('c2g__codaCreditNoteLineItem__c').filter((l) => l.c2g__CreditNote__c === notes()[0]?.Id);
    await waitFor(
      () => lines().length === 2,
      () => `2 lines of credit note ${memo}, have ${lines().length}`,
    );
    await expectDrained(h.nats.url);
    expect(notes()).toEqual([
      expect.objectContaining({
        c2g__Invoice__c: idOf('c2g__codaInvoice__c', 'Magento_Order_Id__c', String(entity)),
        c2g__Account__c: idOf('Account', 'Magento_Customer_Id__c', '42'),
        c2g__CustomerReference__c: refund.memo.increment_id,
      }),
    ]);
    expect(lines().map((l) => [l.c2g__Quantity__c, l.c2g__UnitPrice__c, l.c2g__TaxValue1__c])).toEqual([
      [1, 12.5, 1.03],
      [1, 5, 0.41],
    ]);
  });

  it('paid Magento invoice of an ordinary order -> one FF cash entry against its FF invoice', async () => {
    const { ff, magento } = h.systems;
    const entity = 6300 + n;
    placeOrder(entity);
    const invoice = invoiceOrder(magento.state, entity);
    const id = String(invoice.entity_id);
    ff.fail(FAULTS[fault](`${SF}/c2g__codaCashEntry__c/Magento_Invoice_Id__c/${id}`));
    const lines = () => where('c2g__codaCashEntryLineItem__c', 'Magento_Invoice_Id__c', id);
    await waitFor(() => lines().length === 1, `the cash entry line of invoice ${id}`);
    await expectDrained(h.nats.url);
    const entries = where('c2g__codaCashEntry__c', 'Magento_Invoice_Id__c', id);
    expect(entries).toEqual([
      expect.objectContaining({
        c2g__Type__c: 'Receipt',
        c2g__Reference__c: `txn_${entity}`,
        c2g__PaymentMethod__c: 'Electronic',
      }),
    ]);
    expect(lines()).toEqual([
      expect.objectContaining({
        c2g__CashEntry__c: entries[0].Id,
        c2g__Account__c: idOf('Account', 'Magento_Customer_Id__c', '42'),
        c2g__CashEntryValue__c: 66.71,
        Sales_Invoice__c: idOf('c2g__codaInvoice__c', 'Magento_Order_Id__c', String(entity)),
      }),
    ]);
  });
});
