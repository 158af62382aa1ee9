/**
 * Invoices as documents of their own: `GET /V1/invoices/:id` reads one and `GET /V1/invoices` searches them
 * (InvoiceRepositoryInterface get and getList in Magento_Sales' webapi.xml), so a poll on `updated_at` finds every
 * invoice. An invoice is paid (state 2) when it is registered: captured online, or paid offline unless the payment
 * gateway still holds the transaction (Invoice::register); the emulator has no pending gateways.
 */
import type { Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { noEntity } from './magento-error.js';
import { searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import type { MagentoState, Row } from './state.js';

/** Invoice states (Magento\Sales\Model\Order\Invoice::STATE_OPEN, STATE_PAID, STATE_CANCELED). */
export const INVOICE_STATE = { open: 1, paid: 2, canceled: 3 } as const;

/** Invoice routes under `/rest/:store/V1`. */
export function invoiceRoutes(V1: string, state: () => MagentoState, limits?: InputLimits): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/invoices/:id`,
      handle: (r) => {
        const invoice = state().invoices.find((i) => i.entity_id === Number(r.params.id));
        return invoice ? { status: 200, body: invoice } : noEntity();
      },
    },
    { method: 'GET', path: `${V1}/invoices`, handle: (r) => searchReply(state().invoices, r.query, limits) },
  ];
}

const cents = (n: number) => Math.round(n * 100) / 100;

/**
 * Stores a paid invoice of the given order lines (`qty` of each order item) and touches the order, as saving an
 * invoice saves its order. The first invoice of an order carries the order's shipping. Returns the invoice.
 */
export function storeInvoice(
  state: MagentoState,
  order: Row,
  lines: { id: number; qty: number }[],
  comment?: Row,
): Row {
  const id = state.nextId.invoice++;
  const stamp = now();
  const items = lines.map((l) => {
    const item = (order.items as Row[]).find((i) => Number(i.item_id) === l.id)!;
    const share = l.qty / Number(item.qty_ordered);
    return {
      entity_id: id * 100 + l.id,
      parent_id: id,
      order_item_id: l.id,
      sku: item.sku,
      name: item.name,
      qty: l.qty,
      price: Number(item.price),
      row_total: cents(Number(item.price) * l.qty),
      tax_amount: cents(Number(item.tax_amount ?? 0) * share),
      discount_amount: cents(Number(item.discount_amount ?? 0) * share),
    };
  });
  const first = !state.invoices.some((i) => i.order_id === order.entity_id);
  const shipping = first ? Number(order.shipping_amount ?? 0) : 0;
  const shippingTax = first ? Number(order.shipping_tax_amount ?? 0) : 0;
  const sum = (field: string) => cents(items.reduce((s, i) => s + Number((i as Row)[field]), 0));
  // One invoice of the whole order bills the order's own totals (a negotiated quote's price included).
  const whole = first && (order.items as Row[]).every((i) => Number(i.qty_invoiced ?? 0) >= Number(i.qty_ordered));
  const computed = cents(sum('row_total') - sum('discount_amount') + sum('tax_amount') + shipping + shippingTax);
  const payment = (order.payment ?? {}) as Row;
  const invoice: Row = {
    entity_id: id,
    increment_id: String(id).padStart(9, '0'),
    order_id: order.entity_id,
    state: INVOICE_STATE.paid,
    created_at: stamp,
    updated_at: stamp,
    order_currency_code: order.order_currency_code,
    subtotal: whole ? Number(order.subtotal) : sum('row_total'),
    discount_amount: -sum('discount_amount'),
    tax_amount: cents(sum('tax_amount') + shippingTax),
    shipping_amount: shipping,
    shipping_tax_amount: shippingTax,
    grand_total: whole ? Number(order.grand_total) : computed,
    total_qty: lines.reduce((s, l) => s + l.qty, 0),
    transaction_id: payment.last_trans_id,
    items,
    // The request's comment is kept on the document (`appendComment` only puts it in the e-mail).
    comments: comment ? [{ ...comment, parent_id: id, created_at: stamp }] : [],
  };
  state.invoices.push(invoice);
  order.updated_at = stamp;
  return invoice;
}
