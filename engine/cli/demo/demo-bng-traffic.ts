/**
 * The demo's BNG web shop traffic towards Infor M3: business customers, paid orders (M3 batch orders confirmed into
 * customer orders), settled payments (balanced GL vouchers) and credit memos for returns (balanced AR vouchers),
 * signed as BNG signs its webhooks. Records what it
 * sent in the shared SentEvents so the end check can compare with the M3 emulator's company.
 */
import { HOOK_SECRETS } from '../../../connectors/seed-systems.js';
import type { SentEvents } from './demo-traffic.js';
import { postHook, sign } from './demo-traffic.js';
import type { BrokerPatience } from '../broker-patience.js';

const SKUS = ['mug-1', 'tee-1', 'cap-1'];

export class DemoBngTraffic {
  #order = 9000;
  #payment = 9900;
  #creditMemo = 7700;
  #tick = 0;

  constructor(
    private readonly engineUrl: string,
    private readonly sent: SentEvents['bng'],
    private readonly patience: BrokerPatience,
  ) {}

  async customer(id: number): Promise<void> {
    const customer = {
      id,
      type: 'business',
      first_name: 'Buyer',
      last_name: String(id),
      email: `buyer${id}@example.com`,
      updated_at: '2026-11-21T09:00:00Z',
      address: { line1: `${id} Harbor Rd`, city: 'Boston', postcode: '02108', country: 'US' },
    };
    await this.#post('bng-customers-to-m3', { customer });
    this.sent.customers.push(id);
  }

  /** One round: a paid order of one of the customers, and every other round the payment of the previous order. */
  async round(customers: number[]): Promise<void> {
    const tick = this.#tick++;
    const id = ++this.#order;
    const order = {
      id,
      customer_id: customers[tick % customers.length],
      channel: tick % 3 === 0 ? 'b2b' : 'web',
      region: tick % 2 === 0 ? 'east' : 'west',
      payment_status: 'paid',
      currency: 'USD',
      placed_at: '2026-11-21T10:00:00Z',
      updated_at: `2026-11-21T10:00:${String(tick % 60).padStart(2, '0')}Z`,
      customer_reference: `PO-${id}`,
      lines: [
        { sku: SKUS[tick % 3], quantity: 1 + (tick % 4), unit_price: 12.5 },
        { sku: SKUS[(tick + 1) % 3], quantity: 1, unit_price: 18 },
      ],
    };
    await this.#post('bng-orders-to-m3', { order });
    this.sent.orders.push(id);
    if (tick % 2 === 1) {
      const payment = {
        id: ++this.#payment,
        order_id: id - 1,
        method: tick % 4 === 1 ? 'card' : 'paypal',
        status: 'settled',
        amount: 43 + tick,
        currency: 'USD',
        settled_at: '2026-11-21T23:00:00Z',
      };
      await this.#post('bng-payments-to-m3-gl', { payment });
      this.sent.payments.push(payment.id);
    }
    if (tick % 4 === 2) await this.#creditMemoFor(order);
  }

  /** A return of the order's first line: its net and 8 % tax, credited in total. */
  async #creditMemoFor(order: { id: number; customer_id: number; lines: { sku: string; unit_price: number }[] }) {
    const [line] = order.lines;
    const tax = Math.round(line.unit_price * 8) / 100;
    const credit_memo = {
      id: ++this.#creditMemo,
      order_id: order.id,
      customer_id: order.customer_id,
      status: 'issued',
      currency: 'USD',
      issued_at: '2026-11-22T09:00:00Z',
      lines: [{ sku: line.sku, quantity: 1, amount: line.unit_price, tax }],
      total: Math.round((line.unit_price + tax) * 100) / 100,
    };
    await this.#post('bng-credit-memos-to-m3-ar', { credit_memo });
    this.sent.creditMemos.push(credit_memo.id);
  }

  #post(integration: string, body: unknown): Promise<void> {
    const signature = 'sha256=' + sign(HOOK_SECRETS.bng, body, 'hex');
    return postHook(this.engineUrl, integration, body, 'X-BNG-Signature', signature, this.patience);
  }
}
