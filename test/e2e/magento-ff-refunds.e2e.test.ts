/**
 * Refunds end to end through a real nats-server, the engine and the vendor emulators: Magento refunds part of an
 * order (a credit memo with an item, the shipping and a restocking fee) and FinancialForce gets a sales credit note
 * against the order's invoice, one line per refunded item with that line's own tax code, a shipping line and the fee.
 * The credit memo poll finds the refund: the order's invoice, and the customer's account before it (both older than
 * the polls' go-live cursor), are fetched on demand.
 * Under faults (FF's answer lost after it saved, a line saved after the client gave up) it is still one credit note.
 */
import { afterEach, expect, it } from 'vitest';
import { refundOrder } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { answerLate, answerLost, expectFaultsUsed } from './helpers/faults.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** Refunds the mug and the cap of seed order 1001 (less a restocking fee of 2), as Magento does. */
function refundMugAndCap(magento: SeedEngine['systems']['magento']) {
  const refund = refundOrder(magento.state, 1001, {
    items: [
      { order_item_id: 10011, qty: 1 },
      { order_item_id: 10014, qty: 1 },
    ],
    arguments: { adjustment_negative: 2 },
    comment: { comment: 'Returned unopened', is_visible_on_front: 0 },
  });
  if (!('memo' in refund)) throw new Error(`refund refused: ${JSON.stringify(refund.error)}`);
  return refund;
}

it('a Magento refund reaches FinancialForce as a credit note against the invoice, with per-line tax', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  // The cap was taxed at New York's rate: its refund line must carry that code, not the order's first tax.
  const order = magento.state.orders.get(1001)!;
  const taxes = (order.extension_attributes as { item_applied_taxes: Row[] }).item_applied_taxes;
  taxes.find((t) => t.item_id === 10014)!.applied_taxes = [{ code: 'US-NY-*-Rate 1', percent: 8.875, amount: 0.93 }];

  const refund = refundMugAndCap(magento); // the credit memo poll finds it

  await waitFor(
    () => ff.records('c2g__codaCreditNoteLineItem__c').length === 4,
    'the credit note and its lines',
    60_000,
  );
  await expectDrained(h.nats.url);
  const idOf = (sobject: string, field: string, value: string) =>
    ff.records(sobject).find((r) => r[field] === value)!.Id;
  const product = (code: string) => idOf('Product2', 'ProductCode', code);
  const tax = (name: string) => idOf('c2g__codaTaxCode__c', 'Name', name);
  const account = ff.records('Account').find((a) => a.Magento_Customer_Id__c === '42')!;
  const [invoice] = ff.records('c2g__codaInvoice__c');
  expect(invoice).toMatchObject({ Magento_Order_Id__c: '1001', c2g__Account__c: account.Id });
  const [note] = ff.records('c2g__codaCreditNote__c');
  expect(note).toMatchObject({
    Name: 'SCR000001',
    Magento_Creditmemo_Id__c: String(refund.memo.entity_id),
    c2g__Account__c: account.Id,
    c2g__Invoice__c: invoice.Id,
    c2g__CreditNoteCurrency__c: idOf('c2g__codaAccountingCurrency__c', 'Name', 'USD'),
    c2g__CreditNoteStatus__c: 'In Progress',
    c2g__CustomerReference__c: refund.memo.increment_id,
    c2g__CreditNoteDescription__c: `Magento credit memo ${String(refund.memo.increment_id)} for order 00001001: Returned unopened`,
  });
  const lines = ff
    .records('c2g__codaCreditNoteLineItem__c')
    .map((l) => [
      l.c2g__CreditNote__c === note.Id,
      l.c2g__Product__c,
      l.c2g__Quantity__c,
      l.c2g__UnitPrice__c,
      l.c2g__TaxCode1__c,
      l.c2g__TaxValue1__c,
    ]);
  expect(lines).toEqual([
    [true, product('MUG-1'), 1, 12.5, tax('US-CA'), 1.03],
    [true, product('CAP-1'), 1, 12.5, tax('US-NY'), 0.93],
    [true, product('SHIPPING'), 1, 5, tax('US-CA'), 0.41],
    [true, product('ADJUSTMENT'), 1, -2, undefined, 0],
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

it('the credit note upsert answer lost and a line timing out after FF saved it: one credit note, four lines', async () => {
  h = await startSeedEngine(['magento-ff'], { fastTimeouts: true, fastPolls: true });
  const { magento, ff } = h.systems;
  const refund = refundMugAndCap(magento);
  const SF = '/services/data/v60.0/sobjects';
  const memo = String(refund.memo.entity_id);
  ff.fail(answerLost(`${SF}/c2g__codaCreditNote__c/Magento_Creditmemo_Id__c/${memo}`));
  ff.fail(answerLate(`${SF}/c2g__codaCreditNoteLineItem__c/Magento_Creditmemo_Item_Id__c/`));
  await waitFor(
    () => ff.records('c2g__codaCreditNoteLineItem__c').length === 4,
    'the credit note and its lines',
    60_000,
  );
  await expectDrained(h.nats.url);
  await expectFaultsUsed(ff);
  const notes = ff.records('c2g__codaCreditNote__c');
  expect(notes.map((n) => n.Magento_Creditmemo_Id__c)).toEqual([memo]);
  const lines = ff.records('c2g__codaCreditNoteLineItem__c');
  expect(lines.every((l) => l.c2g__CreditNote__c === notes[0].Id)).toBe(true);
  expect(new Set(lines.map((l) => l.Magento_Creditmemo_Item_Id__c)).size).toBe(4);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});
