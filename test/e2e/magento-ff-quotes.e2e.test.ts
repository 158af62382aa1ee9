/**
 * The example Magento <-> FinancialForce specs, end to end through a real nats-server, the engine and the vendor
 * emulators: an open FF invoice reaches the customer as a B2B quote (from the FF org's invoice change events), the
 * customer pays it at Magento's checkout, and FF gets the cash entry tied to the invoice, while the order
 * integration leaves the payment alone.
 */
import { afterEach, expect, it } from 'vitest';
import { placeQuoteOrder, touch } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { changeEventEnriched, enrichmentReads } from '../runtime/helpers/vendor-engine.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** An invoice in the FF org, for the seeded account with Magento customer 42. */
const INVOICE_ID = 'a1A000000000101EAA';
type Org = SeedEngine['systems']['ff'];
const draftInvoice = (ff: Org) =>
  ff.store.insert('c2g__codaInvoice__c', {
    Id: INVOICE_ID,
    Name: 'SIN000101',
    c2g__Account__c: ff.records('Account')[0].Id,
    c2g__InvoiceCurrency__c: 'a0C000000000USD',
    c2g__DueDate__c: '2026-12-24',
    c2g__InvoiceStatus__c: 'In Progress',
  });
/**
 * FinancialForce changes the invoice as its posting and cash matching do (emulator control: the outstanding value is
 * FF's to compute); the org emits the change event, which the flow enriches with the open amount.
 */
const settle = (ff: Org, outstanding: number) =>
  ff.store.update('c2g__codaInvoice__c', INVOICE_ID, {
    c2g__InvoiceStatus__c: 'Complete',
    c2g__PaymentStatus__c: outstanding === 1240.5 ? 'Unpaid' : outstanding > 0 ? 'Part Paid' : 'Paid',
    c2g__OutstandingValue__c: outstanding,
  });

const quoteFields = (q: Row) => (q.extension_attributes as { negotiable_quote: Row }).negotiable_quote;

it('an open invoice becomes a quote, is paid in Magento, and FinancialForce books the cash against it', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { nats, systems } = h;
  const { magento, ff } = systems;
  draftInvoice(ff);

  // The customer changes in Magento; the customer poll creates the FF account and the `customer` cross-reference
  // payments use.
  touch(magento.state.customers.get(42)!);
  await waitFor(
    () => ff.records('Account').some((a) => a.Magento_Customer_Id__c === '42'),
    'the FF account for customer 42',
  );

  // FF posts the invoice: its change event reaches the flow.
  settle(ff, 1240.5);
  await waitFor(
    () => [...magento.state.negotiableQuotes.values()].some((q) => quoteFields(q).status === 'submitted_by_admin'),
    'the invoice quote sent to the buyer',
  );
  const [quote] = [...magento.state.negotiableQuotes.values()];
  expect(quote).toMatchObject({
    customer: { id: 42 },
    is_virtual: true,
    items: [{ sku: 'INVOICE-PAYMENT', qty: 1, price: 0 }],
  });
  expect(quoteFields(quote)).toMatchObject({
    quote_name: 'Invoice SIN000101 (due 2026-12-24)',
    negotiated_price_type: 3,
    negotiated_price_value: 1240.5,
    negotiated_total_price: 1240.5,
  });
  expect(quote.comments).toEqual([
    expect.objectContaining({
      comment: 'Invoice SIN000101: 1,240.50 USD open, due 2026-12-24. Place the order from this quote to pay it.',
    }),
  ]);

  // The buyer pays at checkout: the order and its paid invoice; the order and invoice polls find them.
  const order = placeQuoteOrder(magento.state, Number(quote.id), { method: 'braintree', transactionId: 'ch_3PQ9x2' });
  const paid = magento.state.invoices.find((i) => i.order_id === order.entity_id)!;
  await waitFor(() => ff.records('c2g__codaCashEntryLineItem__c').length === 1, 'the cash entry line');
  const [entry] = ff.records('c2g__codaCashEntry__c');
  expect(entry).toMatchObject({
    Magento_Invoice_Id__c: String(paid.entity_id),
    c2g__Type__c: 'Receipt',
    c2g__BankAccount__c: 'a0B000000000BRTEA2',
    c2g__Reference__c: 'ch_3PQ9x2',
    c2g__PaymentMethod__c: 'Electronic',
  });
  const account = ff.records('Account').find((a) => a.Magento_Customer_Id__c === '42')!;
  expect(ff.records('c2g__codaCashEntryLineItem__c')).toEqual([
    expect.objectContaining({
      c2g__CashEntry__c: entry.Id,
      c2g__Account__c: account.Id,
      c2g__CashEntryValue__c: 1240.5,
      Sales_Invoice__c: INVOICE_ID,
      c2g__AccountReference__c: `Magento ${String(paid.increment_id)}`,
    }),
  ]);

  // FF catches up (paid): the ordered quote is final, so nothing is declined or re-sent.
  const reads = enrichmentReads(ff, INVOICE_ID);
  settle(ff, 0);
  await changeEventEnriched(ff, INVOICE_ID, reads);
  await expectDrained(nats.url);
  expect([...magento.state.negotiableQuotes.values()].map((q) => quoteFields(q).status)).toEqual(['ordered']);
  // The payment was not invoiced a second time.
  expect(ff.records('c2g__codaInvoice__c').map((i) => i.Id)).toEqual([INVOICE_ID]);
});

it('an invoice paid outside Magento withdraws its quote, and a part payment re-prices it by replacing it', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { nats, systems } = h;
  const { magento, ff } = systems;
  draftInvoice(ff);
  const quotes = () =>
    [...magento.state.negotiableQuotes.values()].map((q) => [
      q.id,
      quoteFields(q).status,
      quoteFields(q).negotiated_price_value,
    ]);

  settle(ff, 1240.5);
  await waitFor(
    () => quotes().length === 1 && quotes()[0][1] === 'submitted_by_admin',
    () => `first quote sent: ${JSON.stringify(quotes())}`,
  );
  settle(ff, 240.5);
  await waitFor(
    () => quotes().length === 2 && quotes()[1][1] === 'submitted_by_admin',
    () => `replacement sent: ${JSON.stringify(quotes())}`,
  );
  settle(ff, 0);
  await waitFor(
    () => quotes()[1][1] === 'declined',
    () => `withdrawn: ${JSON.stringify(quotes())}`,
  );
  await expectDrained(nats.url);
  // The declined quotes lose their negotiated price, so neither can take the customer's money any more.
  expect(quotes()).toEqual([
    [31, 'declined', null],
    [32, 'declined', null],
  ]);
  expect(quoteFields(magento.state.negotiableQuotes.get(32)!).decline_reason).toBe('Invoice SIN000101 is paid.');
});
