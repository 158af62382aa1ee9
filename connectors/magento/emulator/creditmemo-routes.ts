/**
 * Credit memos: `POST /V1/order/:orderId/refund` (RefundOrder, an offline refund) creates one, `GET /V1/creditmemo/:id`
 * reads it and `GET /V1/creditmemos` searches them. Items are refunded at the order's price, with their share of the
 * line's tax and discount; shipping defaults to what is left of the order's, as Magento's shipping total does.
 */
import type { EmulatorReply, Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { magentoError, noEntity } from './magento-error.js';
import { searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import type { MagentoState, Row } from './state.js';

/** What a refund asks for (RefundOrderInterface::execute's items and arguments). */
export interface RefundRequest {
  items?: { order_item_id: number; qty: number }[];
  arguments?: { shipping_amount?: number; adjustment_positive?: number; adjustment_negative?: number };
  comment?: { comment: string; is_visible_on_front?: number };
}

/** Credit memo routes under `/rest/:store/V1`. */
export function creditmemoRoutes(V1: string, state: () => MagentoState, limits?: InputLimits): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/creditmemo/:id`,
      handle: (r) => {
        const memo = state().creditmemos.get(Number(r.params.id));
        return memo ? { status: 200, body: memo } : noEntity();
      },
    },
    {
      method: 'GET',
      path: `${V1}/creditmemos`,
      handle: (r) => searchReply([...state().creditmemos.values()], r.query, limits),
    },
    {
      method: 'POST',
      path: `${V1}/order/:orderId/refund`,
      handle: (r) => {
        const refund = refundOrder(state(), Number(r.params.orderId), (r.body ?? {}) as RefundRequest);
        // Magento answers the new credit memo's id as a JSON string.
        return 'error' in refund ? refund.error : { status: 200, body: String(refund.memo.entity_id) };
      },
    },
  ];
}

const cents = (n: number) => Math.round(n * 100) / 100;
const TITLE = 'Creditmemo Document Validation Error(s):';

/**
 * Refunds items of an order (all that is left when none are named) and stores the credit memo. Refused as Magento's
 * credit memo quantity validator refuses: an item beyond its unrefunded quantity, or a total that is not positive.
 */
export function refundOrder(
  state: MagentoState,
  orderId: number,
  request: RefundRequest = {},
): { memo: Row } | { error: EmulatorReply } {
  const order = state.orders.get(orderId);
  if (!order) return { error: noEntity() };
  const items = order.items as Row[];
  const left = (item: Row) => Number(item.qty_ordered) - Number(item.qty_refunded ?? 0);
  const requested = request.items?.length
    ? request.items
    : items
        .filter((i) => !i.parent_item_id && left(i) > 0)
        .map((i) => ({ order_item_id: Number(i.item_id), qty: left(i) }));
  const messages: string[] = [];
  for (const line of requested) {
    const item = items.find((i) => Number(i.item_id) === Number(line.order_item_id));
    if (!item)
      messages.push(
        `The creditmemo contains product SKU "${line.order_item_id}" that is not part of the original order.`,
      );
    else if (!(line.qty > 0) || line.qty > left(item))
      messages.push(
        `The quantity to creditmemo must not be greater than the unrefunded quantity for product SKU "${String(item.sku)}".`,
      );
  }
  const id = state.nextId.creditmemo;
  const lines = requested
    .map((line) => ({ line, item: items.find((i) => Number(i.item_id) === Number(line.order_item_id)) }))
    // A refused line adds nothing to the totals, so a memo of refused lines alone also has no positive total.
    .filter(
      (l): l is { line: { order_item_id: number; qty: number }; item: Row } =>
        l.item !== undefined && l.line.qty > 0 && l.line.qty <= left(l.item),
    )
    .map(({ line, item }, i) => {
      const share = line.qty / Number(item.qty_ordered);
      return {
        entity_id: id * 100 + i + 1,
        parent_id: id,
        order_item_id: Number(item.item_id),
        sku: item.sku,
        name: item.name,
        qty: line.qty,
        price: Number(item.price),
        row_total: cents(Number(item.price) * line.qty),
        tax_amount: cents(Number(item.tax_amount ?? 0) * share),
        discount_amount: cents(Number(item.discount_amount ?? 0) * share),
      };
    });
  const refundedShipping = [...state.creditmemos.values()]
    .filter((m) => m.order_id === orderId)
    .reduce((sum, m) => sum + Number(m.shipping_amount), 0);
  const shipping = request.arguments?.shipping_amount ?? cents(Number(order.shipping_amount ?? 0) - refundedShipping);
  const shippingTax = cents(Number(order.shipping_tax_amount ?? 0) * (shipping / Number(order.shipping_amount || 1)));
  const positive = request.arguments?.adjustment_positive ?? 0;
  const negative = request.arguments?.adjustment_negative ?? 0;
  const sum = (field: string) => cents(lines.reduce((s, l) => s + Number((l as Row)[field]), 0));
  const grandTotal = cents(
    sum('row_total') + sum('tax_amount') - sum('discount_amount') + shipping + shippingTax + positive - negative,
  );
  if (grandTotal <= 0) messages.push("The credit memo's total must be positive.");
  if (messages.length) return { error: magentoError(400, `${TITLE}\n${messages.join('\n')}`) };
  for (const { order_item_id, qty } of requested) {
    const item = items.find((i) => Number(i.item_id) === Number(order_item_id))!;
    item.qty_refunded = Number(item.qty_refunded ?? 0) + qty;
  }
  state.nextId.creditmemo++;
  const stamp = now();
  const memo: Row = {
    entity_id: id,
    increment_id: String(id).padStart(9, '0'),
    order_id: orderId,
    state: 2,
    created_at: stamp,
    updated_at: stamp,
    order_currency_code: order.order_currency_code,
    subtotal: sum('row_total'),
    discount_amount: -sum('discount_amount'),
    tax_amount: cents(sum('tax_amount') + shippingTax),
    shipping_amount: shipping,
    shipping_tax_amount: shippingTax,
    adjustment_positive: positive,
    adjustment_negative: negative,
    adjustment: cents(positive - negative),
    grand_total: grandTotal,
    items: lines,
    comments: request.comment ? [{ ...request.comment, parent_id: id, created_at: stamp }] : [],
  };
  state.creditmemos.set(id, memo);
  order.total_refunded = cents(Number(order.total_refunded ?? 0) + grandTotal);
  order.updated_at = stamp;
  return { memo };
}
