/**
 * Realistic traffic for the demo: customers, completed and paid orders and refunds (demo-erp-traffic.ts) changing in
 * the Magento store, which its polls find; signed webhooks for ads from the service app; FF accounts, stock counts,
 * fulfilments and new products (demo-erp-traffic.ts) and open FF invoices made in the FF org, whose change events
 * reach Magento (the invoices as quotes that the buyer then pays). Remembers what it sent so the end check can
 * compare.
 */
import { createHmac } from 'node:crypto';
import { issuedFields } from '../../../connectors/salesforce/emulator/records.js';
import { invoiceOrder, placeQuoteOrder, touch } from '../../../connectors/magento/emulator/index.js';
import type { MagentoState } from '../../../connectors/magento/emulator/state.js';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.js';
import { sampleOrder } from '../../../connectors/magento/emulator/state.js';
import { HOOK_SECRETS } from '../../../connectors/seed-systems.js';
import { Retryable } from '../broker-patience.js';
import type { BrokerPatience } from '../broker-patience.js';
import { DemoErpTraffic } from './demo-erp-traffic.js';
import type { SentErpEvents } from './demo-erp-traffic.js';

export interface SentEvents {
  customers: number[];
  orders: number[];
  ads: { id: number; contract: string }[];
  /** Open FF invoices (sent to Magento as quotes), by FF id and number. */
  invoices: { id: string; name: string }[];
  /** Paid Magento invoices, of orders and of invoice quotes (each should become one FF cash entry). */
  payments: number[];
  /** BNG customers, paid orders and settled payments (M3 customers, customer orders and GL vouchers). */
  bng: { customers: number[]; orders: number[]; payments: number[]; creditMemos: number[] };
  /** New ERP products, refunds and FF accounts (Magento products, FF credit notes, Magento customers). */
  erp: SentErpEvents;
}

export class DemoTraffic {
  readonly sent: SentEvents = {
    customers: [],
    orders: [],
    ads: [],
    invoices: [],
    payments: [],
    bng: { customers: [], orders: [], payments: [], creditMemos: [] },
    erp: {
      products: [],
      stock: [],
      gapStock: [],
      shipments: [],
      refunds: [],
      accounts: [],
      onAccount: [],
      paidInFf: [],
    },
  };
  readonly #erp: DemoErpTraffic;
  readonly #paidQuotes = new Set<number>();
  /** The paid orders placed so far, newest last: fulfilments and refunds go back to earlier ones. */
  readonly #paid: number[] = [];
  #ad = 7000;
  #tick = 0;

  /**
   * `ff` is the FinancialForce org, where the open invoices and the accounts the demo announces are created;
   * `magento` is the store, which keeps the demo's orders so they can be refunded; `patience` retries a webhook
   * the engine could not store.
   */
  constructor(
    private readonly engineUrl: string,
    private readonly ff: SalesforceEmulator,
    private readonly magento: MagentoState,
    private readonly patience: BrokerPatience,
  ) {
    this.#erp = new DemoErpTraffic(ff, magento, this.sent.erp);
  }

  /** A customer signs up or edits their address in the store. */
  customer(id: number): void {
    this.magento.customers.set(
      id,
      touch({
        ...this.magento.customers.get(id),
        id,
        email: `customer${id}@example.com`,
        firstname: 'Customer',
        lastname: String(id),
        group_id: 1,
        website_id: 1,
        created_at: this.magento.customers.get(id)?.created_at ?? '2026-12-01 09:00:00',
        addresses: [
          {
            id,
            firstname: 'Customer',
            lastname: String(id),
            street: [`${id} Market St`],
            city: 'San Francisco',
            postcode: '94103',
            country_id: 'US',
            telephone: '+1 555 0100',
            default_billing: true,
            default_shipping: true,
          },
        ],
      }),
    );
    this.sent.customers.push(id);
  }

  /**
   * One round of mixed traffic: a paid order, every other round a stock change (in the fourth a gap event's), every
   * third an ad, every fourth an
   * open invoice, a refund of an earlier order and an order paid on account, every fifth a new ERP product and every
   * sixth a new FF account.
   */
  async round(customers: number[]): Promise<void> {
    const tick = this.#tick++;
    // Numbered by the store, as checkout numbers orders: a number of the demo's own would one day be an order the
    // store numbered itself (those paying invoice quotes), and replace it.
    const entity = this.magento.nextId.order++;
    this.#paid.push(entity);
    this.magento.orders.set(entity, touch(sampleOrder(entity, { customer_id: customers[tick % customers.length] })));
    const invoice = invoiceOrder(this.magento, entity);
    this.sent.orders.push(entity);
    this.sent.payments.push(Number(invoice.entity_id));
    if (tick % 2 === 0) await this.#erp.stockCount(['MUG-1', 'TEE-1', 'CAP-1'][tick % 3], 1000 + tick);
    if (tick === 3) await this.#erp.gapStockCount('MUG-1', 2000 + tick);
    if (tick % 3 === 0) await this.ad('C-1001');
    if (tick % 4 === 1) this.openInvoice(tick);
    if (tick % 4 === 2) await this.#erp.fulfil(this.#paid.at(-2)!);
    if (tick % 4 === 3) this.#erp.refund(this.#paid.at(-3)!);
    if (tick % 4 === 0) {
      const onAccount = this.magento.nextId.order++;
      this.#erp.orderOnAccount(onAccount, customers[(tick + 1) % customers.length]);
      this.sent.orders.push(onAccount);
    }
    if (tick % 5 === 2) await this.#erp.newProduct();
    if (tick % 6 === 4) await this.#erp.ffAccount();
  }

  /**
   * FF issues and posts an invoice for customer 42 (emulator control: the open amount is FF's to compute); its
   * change event reaches Magento as a quote priced at the open amount.
   */
  openInvoice(tick: number): void {
    const posted = this.ff.store.insert('c2g__codaInvoice__c', {
      // The org's own id and invoice number, as every invoice gets: hand-made ones can equal those of an order's
      // invoice the engine created, and replace it (docs/connectors.md).
      ...issuedFields(this.ff.state, 'c2g__codaInvoice__c'),
      c2g__Account__c: this.ff.records('Account')[0].Id,
      c2g__InvoiceCurrency__c: 'a0C000000000USD',
      c2g__DueDate__c: '2026-12-21',
      c2g__InvoiceStatus__c: 'Complete',
      c2g__PaymentStatus__c: 'Unpaid',
      c2g__OutstandingValue__c: 100 + (tick % 50) * 10,
    });
    this.sent.invoices.push({ id: String(posted.Id), name: String(posted.Name) });
  }

  /** FF collects the money of the orders paid on account it has billed (see DemoErpTraffic.payBilledOrders). */
  payBilledOrders(): void {
    this.#erp.payBilledOrders();
  }

  /** The buyer pays every invoice quote that has reached Magento: an order and its paid invoice, for the polls. */
  payInvoiceQuotes(magento: MagentoState): void {
    for (const quote of magento.negotiableQuotes.values()) {
      const fields = (quote.extension_attributes as { negotiable_quote: { status: string; quote_name?: string } })
        .negotiable_quote;
      if (
        fields.status !== 'submitted_by_admin' ||
        !fields.quote_name?.startsWith('Invoice ') ||
        this.#paidQuotes.has(Number(quote.id))
      )
        continue;
      this.#paidQuotes.add(Number(quote.id));
      const order = placeQuoteOrder(magento, Number(quote.id), {
        method: 'braintree',
        transactionId: `ch_${String(quote.id)}`,
      });
      const paid = magento.invoices.find((i) => i.order_id === order.entity_id)!;
      this.sent.payments.push(Number(paid.entity_id));
    }
  }

  async ad(contract: string): Promise<number> {
    const id = ++this.#ad;
    const event = {
      event_id: `evt-${id}`,
      type: 'ad.created',
      ad: {
        id,
        customer_id: 42,
        contract_number: contract,
        product_type: ['banner', 'video', 'listing'][id % 3],
        units: (id % 5) + 1,
        created_at: '2026-11-21T08:00:00Z',
      },
    };
    await this.#post(
      'ad-usage-to-salesforce',
      event,
      'X-App-Signature',
      'sha256=' + sign(HOOK_SECRETS.app, event, 'hex'),
    );
    this.sent.ads.push({ id, contract });
    return id;
  }

  #post(integration: string, body: unknown, header: string, signature: string): Promise<void> {
    return postHook(this.engineUrl, integration, body, header, signature, this.patience);
  }
}

/**
 * Sends a signed webhook as a real sender does: a 5xx (the engine could not store the event: NATS unavailable) or
 * no answer is retried with backoff while the broker may come back (`patience`); any other answer throws.
 */
export function postHook(
  engineUrl: string,
  integration: string,
  body: unknown,
  header: string,
  signature: string,
  patience: BrokerPatience,
): Promise<void> {
  return patience.retry(`the webhook of ${integration}`, async () => {
    const res = await fetch(`${engineUrl}/hooks/${integration}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [header]: signature },
      body: JSON.stringify(body),
    }).catch((error: Error) => {
      throw new Retryable(`no answer from the engine: ${error.message}`);
    });
    if (res.status === 202) return;
    const answer = `the engine answered ${res.status}: ${await res.text()}`;
    throw res.status >= 500 ? new Retryable(answer) : new Error(`webhook ${integration}: ${answer}`);
  });
}

export function sign(secret: string, body: unknown, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(JSON.stringify(body)).digest(encoding);
}
