/**
 * The demo's end check, made against the emulators' state rather than the engine's own counters: every event sent
 * is either written to its target exactly once or sits in the dead-letter queue (lost = 0), and no target record
 * exists twice (duplicates = 0), in the FF and Salesforce orgs, the Magento store and the M3 company (customers,
 * customer orders and their batch orders by the BNG order id, GL vouchers of payments and credit memos by batch
 * key), new products (one create each), credit notes and their lines, cash entries by Magento invoice, customers
 * by e-mail, and the Magento invoices FF's payments of orders on account made (one per order). The order poll
 * also finds the orders paying invoice quotes, which it skips by design; only the record that must write counts.
 */
import type { SeedSystems } from '../../../connectors/seed-systems.js';
import type { SentEvents } from './demo-traffic.js';

export interface DemoCheck {
  events: number;
  delivered: number;
  dead_lettered: number;
  lost: number;
  /** The integration/key of each event lost, so a failed demo says which. */
  lostKeys: string[];
  duplicates: number;
}

export function checkTargets(systems: SeedSystems, sent: SentEvents, openDeadLetterKeys: Set<string>): DemoCheck {
  const count = (values: unknown[]) =>
    values.reduce<Map<string, number>>((m, v) => m.set(String(v), (m.get(String(v)) ?? 0) + 1), new Map());
  const accounts = count(
    systems.ff
      .records('Account')
      .map((a) => a.Magento_Customer_Id__c)
      .filter((v) => v !== undefined),
  );
  // FF's own invoices (the open ones the demo issues) have no Magento order id.
  const invoices = count(
    systems.ff
      .records('c2g__codaInvoice__c')
      .map((i) => i.Magento_Order_Id__c)
      .filter((v) => v !== undefined),
  );
  const lines = count(systems.ff.records('c2g__codaInvoiceLineItem__c').map((l) => l.Magento_Order_Item_Id__c));
  const usage = count(systems.salesforce.records('Usage_Entry__c').map((u) => u.External_Id__c));
  const cash = count(systems.ff.records('c2g__codaCashEntry__c').map((c) => c.Magento_Invoice_Id__c));
  // An invoice's live quote (a declined one cannot take money, so it does not count).
  const quotes = count(
    [...systems.magento.state.negotiableQuotes.values()]
      .map(
        (q) =>
          (q.extension_attributes as { negotiable_quote: { status: string; quote_name?: string } }).negotiable_quote,
      )
      .filter((q) => q.status !== 'declined')
      .map((q) => /^Invoice (\S+) /.exec(q.quote_name ?? '')?.[1]),
  );
  const m3 = systems.m3.state.tables;
  const m3Customers = count([...m3.customer.keys()]);
  const m3Orders = count([...m3.order_head.values()].map((o) => o.CUOR));
  const m3Batches = count([...m3.order_batch.values()].map((o) => o.CUOR));
  const m3Vouchers = count([...m3.gl_voucher.values()].map((v) => v.KEY1));
  let delivered = 0;
  let dead = 0;
  const lostKeys: string[] = [];
  const tally = (written: number | undefined, key: string) => {
    if (written) delivered++;
    else if (openDeadLetterKeys.has(key)) dead++;
    else lostKeys.push(key);
  };
  for (const id of sent.customers) tally(accounts.get(String(id)), `magento-customers-to-ff-accounts/${id}`);
  for (const id of sent.orders) tally(invoices.get(String(id)), `magento-orders-to-ff-invoices/${id}`);
  for (const ad of sent.ads) tally(usage.get(`ad-${ad.id}`), `ad-usage-to-salesforce/${ad.id}`);
  for (const invoice of sent.invoices)
    tally(quotes.get(invoice.name), `ff-open-invoices-to-magento-quotes/${invoice.id}`);
  for (const invoice of sent.payments)
    tally(cash.get(String(invoice)), `magento-invoice-payments-to-ff-cash-entries/${invoice}`);
  const bng = sent.bng;
  for (const id of bng.customers) tally(m3Customers.get(m3Key('B', id, 8)), `bng-customers-to-m3/${id}`);
  for (const id of bng.orders) tally(m3Orders.get(String(id)), `bng-orders-to-m3/${id}`);
  for (const id of bng.payments) tally(m3Vouchers.get(m3Key('P', id, 9)), `bng-payments-to-m3-gl/${id}`);
  for (const id of bng.creditMemos) tally(m3Vouchers.get(m3Key('C', id, 9)), `bng-credit-memos-to-m3-ar/${id}`);
  // The quantities Magento's inventory was sent for one source (warehouse).
  const stockWritesTo = (source: string) =>
    count(
      systems.magento.requests
        .filter((r) => r.method === 'POST' && r.path.endsWith('/inventory/source-items'))
        .flatMap((r) =>
          ((r.body as { sourceItems?: { source_code: string; quantity: number }[] }).sourceItems ?? [])
            .filter((i) => i.source_code === source)
            .map((i) => i.quantity),
        ),
    );
  const stockWrites = stockWritesTo('east_warehouse');
  const erp = sent.erp;
  for (const p of erp.stock) tally(stockWrites.get(String(p.quantity)), `ff-prices-stock-to-magento/${p.sku}`);
  // A gap event's count: written to the west source with the quantity its read found.
  const westWrites = stockWritesTo('west_warehouse');
  for (const p of erp.gapStock) tally(westWrites.get(String(p.quantity)), `ff-prices-stock-to-magento/${p.sku}`);
  const magento = systems.magento;
  const productCreates = count(
    magento.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/V1/products'))
      .map((r) => (r.body as { product?: { sku?: string } }).product?.sku),
  );
  for (const p of erp.products)
    tally(magento.state.products.has(p.sku) ? 1 : 0, `ff-products-to-magento-catalog/${p.id}`);
  const creditNotes = count(systems.ff.records('c2g__codaCreditNote__c').map((n) => n.Magento_Creditmemo_Id__c));
  const noteLines = count(
    systems.ff.records('c2g__codaCreditNoteLineItem__c').map((l) => l.Magento_Creditmemo_Item_Id__c),
  );
  for (const id of erp.refunds) tally(creditNotes.get(String(id)), `magento-creditmemos-to-ff-credit-notes/${id}`);
  // A shipment names its FF fulfilment in its comment.
  const shipments = count(magento.state.shipments.map((s) => (s.comments as { comment?: string }[])[0]?.comment));
  for (const s of erp.shipments)
    tally(shipments.get(`FinancialForce fulfilment ${s.name}`), `ff-fulfilment-to-magento-shipments/${s.order}`);
  const shoppers = count([...magento.state.customers.values()].map((c) => c.email));
  for (const a of erp.accounts) tally(shoppers.get(a.email), `ff-accounts-to-magento-customers/${a.id}`);
  // An order paid on account gets its Magento invoice only from FF's payment: one per order, naming the FF invoice.
  const onAccount = new Set(erp.onAccount);
  const paidOnAccount = count(
    magento.state.invoices.filter((i) => onAccount.has(Number(i.order_id))).map((i) => i.order_id),
  );
  const paidComments = new Set(
    magento.state.invoices.flatMap((i) => ((i.comments ?? []) as { comment?: string }[]).map((c) => c.comment)),
  );
  for (const p of erp.paidInFf)
    tally(
      paidComments.has(`Paid in FinancialForce: invoice ${p.name}`) ? paidOnAccount.get(String(p.order)) : 0,
      `ff-invoice-payments-to-magento-orders/${p.id}`,
    );
  const duplicates = [
    ...[accounts, invoices, lines, usage, quotes, cash, m3Orders, m3Batches, m3Vouchers],
    ...[productCreates, creditNotes, noteLines, shoppers, shipments, paidOnAccount],
  ].reduce((sum, m) => sum + [...m.values()].filter((n) => n > 1).length, 0);
  const events =
    sent.customers.length +
    sent.orders.length +
    sent.ads.length +
    erp.stock.length +
    erp.gapStock.length +
    erp.shipments.length +
    sent.invoices.length +
    sent.payments.length +
    bng.customers.length +
    bng.orders.length +
    bng.payments.length +
    bng.creditMemos.length +
    erp.products.length +
    erp.refunds.length +
    erp.accounts.length +
    erp.paidInFf.length;
  return { events, delivered, dead_lettered: dead, lost: lostKeys.length, lostKeys, duplicates };
}

/** The M3 key the BNG specs give a record: a prefix and the BNG id zero-padded (`B00000601`, `P000009911`). */
function m3Key(prefix: string, id: number, width: number): string {
  return prefix + String(id).padStart(width, '0');
}
