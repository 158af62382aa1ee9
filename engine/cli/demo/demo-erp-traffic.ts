/**
 * The demo's catalogue, stock, refund and master-data traffic: new FinancialForce products (which Magento has never
 * seen) and stock counts, made in the FF org like product management and the warehouse make them (the org's change
 * events carry them), Magento refunds of earlier orders, FinancialForce accounts with a contact (which become
 * Magento customers from the org's change events too), and orders paid on account, which FF bills and, once paid
 * there, Magento invoices. Remembers what it sent, so the end check can find each in its target.
 */
import { refundOrder, sampleOrder, touch } from '../../../connectors/magento/emulator/index.js';
import type { MagentoState } from '../../../connectors/magento/emulator/state.js';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.js';

/**
 * What the ERP traffic sent: new products (SKU and FF id), stock counts (a unique quantity at WH-EAST each, so the
 * check can find its write), refunded credit memo ids, FF account ids with their contact's e-mail.
 */
export interface SentErpEvents {
  products: { sku: string; id: string }[];
  stock: { sku: string; quantity: number }[];
  /** Counts at WH-WEST that Salesforce sent as gap events (header only): each read, and written to the west source. */
  gapStock: { sku: string; quantity: number }[];
  /** Fulfilments shipped in FF (each should become one Magento shipment), by name and Magento order. */
  shipments: { name: string; order: number }[];
  refunds: number[];
  accounts: { id: string; email: string }[];
  /** Shipped orders paid on account (purchase order), each billed in FF and to be paid there. */
  onAccount: number[];
  /** Their FF invoices made Paid (each should invoice its Magento order once), by FF id and number. */
  paidInFf: { id: string; name: string; order: number }[];
}

export class DemoErpTraffic {
  #n = 0;
  #fulfilments = 0;

  constructor(
    private readonly ff: SalesforceEmulator,
    private readonly magento: MagentoState,
    readonly sent: SentErpEvents,
  ) {}

  /** A product FF starts selling online, with its standard and wholesale prices: Magento creates it with them. */
  async newProduct(): Promise<void> {
    const n = ++this.#n;
    const sku = `DEMO-${n}`;
    const id = `01t0000000D${String(n).padStart(4, '0')}`;
    const book = (name: string) => this.ff.records('Pricebook2').find((b) => b.Name === name)!.Id;
    const product = this.ff.store.insert('Product2', {
      Id: id,
      ProductCode: sku,
      Name: `Demo product ${n}`,
      Description: `Demo product ${n}, described once by the ERP.`,
      Family: n % 2 ? 'Kitchen' : 'Apparel',
      IsActive: true,
      Web_Visible__c: true,
      Weight__c: 0.25 * n,
    });
    for (const [name, price, suffix] of [
      ['Standard Price Book', 10 + n, 'S'],
      ['Wholesale', 8 + n, 'W'],
    ] as const)
      this.ff.store.insert('PricebookEntry', {
        Id: `01u0000000D${String(n).padStart(3, '0')}${suffix}`,
        Pricebook2Id: book(name),
        Product2Id: product.Id,
        UnitPrice: price,
        IsActive: true,
      });
    this.sent.products.push({ sku, id: String(product.Id) });
  }

  /** The warehouse counts a product at WH-EAST: the new quantity reaches Magento's east warehouse source. */
  async stockCount(sku: string, quantity: number): Promise<void> {
    const product = this.ff.records('Product2').find((p) => p.ProductCode === sku)!.Id;
    const east = this.ff.records('Location').find((l) => l.Name === 'WH-EAST')!.Id;
    const item = this.ff.records('ProductItem').find((i) => i.Product2Id === product && i.LocationId === east)!;
    this.ff.store.update('ProductItem', String(item.Id), { QuantityOnHand: quantity });
    this.sent.stock.push({ sku, quantity });
  }

  /**
   * A count at WH-WEST that Salesforce sends as a gap event (a change it could not describe: the header and record id,
   * no quantity): the stock flow reads the quantity FF holds (gap_fields) and Magento's west warehouse source gets it.
   * The only change of that item in the demo, so the quantity read is this count's.
   */
  async gapStockCount(sku: string, quantity: number): Promise<void> {
    const product = this.ff.records('Product2').find((p) => p.ProductCode === sku)!.Id;
    const west = this.ff.records('Location').find((l) => l.Name === 'WH-WEST')!.Id;
    const item = this.ff.records('ProductItem').find((i) => i.Product2Id === product && i.LocationId === west)!;
    this.ff.pubsubGaps('ProductItem');
    this.ff.store.update('ProductItem', String(item.Id), { QuantityOnHand: quantity });
    this.sent.gapStock.push({ sku, quantity });
  }

  /** The warehouse ships one line of an order in FF: Magento gets the shipment with its tracking number. */
  async fulfil(orderId: number): Promise<void> {
    const n = ++this.#fulfilments;
    const name = `FUL-D${String(n).padStart(4, '0')}`;
    const fulfilment = this.ff.store.insert('Fulfilment__c', {
      Id: `a3F0000000D${String(n).padStart(4, '0')}`,
      Name: name,
      Magento_Order_Id__c: String(orderId),
      Status__c: 'Picking',
    });
    const line = { Fulfilment__c: fulfilment.Id, Magento_Order_Item_Id__c: String(orderId * 10 + 4), Quantity__c: 1 };
    this.ff.store.insert('Fulfilment_Line__c', { Id: `a3G0000000D${String(n).padStart(4, '0')}`, ...line });
    this.ff.store.insert('Fulfilment_Package__c', {
      Id: `a3H0000000D${String(n).padStart(4, '0')}`,
      Fulfilment__c: fulfilment.Id,
      Carrier__c: 'UPS',
      Tracking_Number__c: `1ZDEMO${String(n).padStart(6, '0')}`,
    });
    this.ff.store.update('Fulfilment__c', String(fulfilment.Id), { Status__c: 'Shipped' });
    this.sent.shipments.push({ name, order: orderId });
  }

  /** The customer sends one mug of an order back: Magento refunds it, its poll finds it, FF gets the credit note. */
  refund(orderId: number): void {
    const refund = refundOrder(this.magento, orderId, {
      items: [{ order_item_id: orderId * 10 + 1, qty: 1 }],
      arguments: { shipping_amount: 0 },
      comment: { comment: 'Returned by the customer', is_visible_on_front: 0 },
    });
    if (!('memo' in refund)) return;
    this.sent.refunds.push(Number(refund.memo.entity_id));
  }

  /**
   * A B2B buyer orders with a purchase order (no money taken at checkout) and the warehouse ships everything: the
   * order poll bills it in FF (`payBilledOrders` then has FF collect the money).
   */
  orderOnAccount(orderId: number, customerId: number): void {
    const order = sampleOrder(orderId, {
      customer_id: customerId,
      state: 'processing',
      status: 'processing',
      payment: { method: 'purchaseorder', po_number: `PO-${orderId}`, additional_information: [] },
    });
    for (const item of order.items as Record<string, unknown>[]) item.qty_shipped = item.qty_ordered;
    this.magento.orders.set(orderId, touch(order));
    this.sent.onAccount.push(orderId);
  }

  /**
   * FF posts the invoice of each order paid on account that it has billed in full, and its cash matching makes it
   * Paid (emulator control: FF computes the status): the change event invoices the Magento order.
   */
  payBilledOrders(): void {
    const paid = new Set(this.sent.paidInFf.map((p) => p.order));
    const lines = (invoiceId: unknown) =>
      this.ff.records('c2g__codaInvoiceLineItem__c').filter((l) => l.c2g__Invoice__c === invoiceId).length;
    for (const order of this.sent.onAccount.filter((o) => !paid.has(o))) {
      const invoice = this.ff.records('c2g__codaInvoice__c').find((i) => i.Magento_Order_Id__c === String(order));
      // Posted only once every line is there: a posted invoice takes no more lines.
      if (!invoice || lines(invoice.Id) < this.#billedLines(order)) continue;
      this.ff.post('c2g__codaInvoice__c', String(invoice.Id));
      this.ff.store.update('c2g__codaInvoice__c', String(invoice.Id), {
        c2g__PaymentStatus__c: 'Paid',
        c2g__OutstandingValue__c: 0,
      });
      this.sent.paidInFf.push({ id: String(invoice.Id), name: String(invoice.Name), order });
    }
  }

  /** The lines FF bills for an order: one per product (a configurable's child is its parent's line) and shipping. */
  #billedLines(orderId: number): number {
    const order = this.magento.orders.get(orderId)!;
    return (order.items as Record<string, unknown>[]).filter((i) => !i.parent_item_id).length + 1;
  }

  /**
   * A new business customer is set up in FF with a contact, in one transaction (as a converted lead is): the
   * account's change event, enriched with its contacts, gives Magento the customer account.
   */
  async ffAccount(): Promise<void> {
    const n = ++this.#n;
    const contact = { FirstName: 'Buyer', LastName: `No. ${n}`, Email: `buyer${n}@business.example` };
    const account = this.ff.store.transaction(
      () => {
        const created = this.ff.store.insert('Account', {
          Id: `0010000000D${String(n).padStart(4, '0')}`,
          Name: `Business ${n} Ltd`,
          Phone: '+1 555 0100',
          BillingStreet: `${n} Commerce Way`,
          BillingCity: 'Boston',
          BillingState: 'MA',
          BillingPostalCode: '02110',
          BillingCountry: 'US',
          c2g__CODAAccountTradingCurrency__c: 'USD',
          c2g__CODADaysOffset1__c: 30,
        });
        this.ff.store.insert('Contact', {
          Id: `0030000000D${String(n).padStart(4, '0')}`,
          ...contact,
          AccountId: created.Id,
        });
        return created;
      },
      () => true,
    );
    this.sent.accounts.push({ id: String(account.Id), email: contact.Email });
  }
}
