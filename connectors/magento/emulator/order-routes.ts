/** Orders (read, search by updated_at), shipments with tracking and invoices, with Magento's quantity checks. */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { magentoError, noEntity } from './magento-error.js';
import { storeInvoice } from './invoice-routes.js';
import { searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import type { MagentoState, Row } from './state.js';

/** Sales routes under `/rest/:store/V1`. */
export function orderRoutes(V1: string, state: () => MagentoState, limits?: InputLimits): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/orders/:id`,
      handle: (r) => {
        const order = state().orders.get(Number(r.params.id));
        return order ? { status: 200, body: order } : noEntity();
      },
    },
    { method: 'GET', path: `${V1}/orders`, handle: (r) => searchReply([...state().orders.values()], r.query, limits) },
    // Shipments by searchCriteria, e.g. order_id: how a shipment whose answer was lost is found again.
    { method: 'GET', path: `${V1}/shipments`, handle: (r) => searchReply(state().shipments, r.query, limits) },
    { method: 'POST', path: `${V1}/order/:orderId/ship`, handle: (r) => shipDocument(state(), r) },
    { method: 'POST', path: `${V1}/order/:orderId/invoice`, handle: (r) => invoiceDocument(state(), r) },
    // OrderManagementInterface::addComment and ::getCommentsList (Sales webapi.xml).
    { method: 'POST', path: `${V1}/orders/:id/comments`, handle: (r) => addComment(state(), r) },
    {
      method: 'GET',
      path: `${V1}/orders/:id/comments`,
      handle: (r) => {
        const order = state().orders.get(Number(r.params.id));
        if (!order) return noEntity();
        const items = [...((order.status_histories as Row[] | undefined) ?? [])];
        return { status: 200, body: { items, search_criteria: {}, total_count: items.length } };
      },
    },
  ];
}

/**
 * Adds a status history comment (newest first, as the order's `status_histories` lists them); a `status` sets the
 * order's status. Magento answers `true` and keeps every comment it is sent, the same text twice included.
 */
function addComment(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const order = state.orders.get(Number(r.params.id));
  if (!order) return noEntity();
  const history = (r.body as { statusHistory?: Row } | undefined)?.statusHistory;
  if (!history || typeof history !== 'object')
    return magentoError(400, '"statusHistory" is required. Enter and try again.');
  const comments = ((order.status_histories as Row[] | undefined) ?? []).slice();
  const id = state.nextId.comment++;
  const status = typeof history.status === 'string' && history.status ? history.status : order.status;
  comments.unshift({
    entity_id: id,
    parent_id: order.entity_id,
    comment: history.comment ?? null,
    is_customer_notified: Number(history.is_customer_notified ?? 0),
    is_visible_on_front: Number(history.is_visible_on_front ?? 0),
    status,
    created_at: now(),
    entity_name: 'order',
  });
  order.status_histories = comments;
  order.status = status;
  return { status: 200, body: true };
}

/** Order states in which CanInvoice refuses any invoice, whatever is left to invoice. */
const NOT_INVOICEABLE = ['payment_review', 'holded', 'canceled', 'complete', 'closed'];

/**
 * `POST /V1/order/:id/invoice` (InvoiceOrder): CanInvoice first refuses an order in a state that takes no invoice
 * (a complete one included), then one with nothing left to invoice; then the quantity checks of `document`.
 */
function invoiceDocument(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const order = state.orders.get(Number(r.params.orderId));
  if (order && NOT_INVOICEABLE.includes(String(order.state)))
    return magentoError(
      400,
      `Invoice Document Validation Error(s):\nAn invoice cannot be created when an order has a status of ${String(order.status)}`,
    );
  return document(state, r, 'invoice');
}

/** Order states in which CanShip refuses any shipment, whatever is left to ship. */
const NOT_SHIPPABLE = ['payment_review', 'holded', 'canceled'];

/**
 * `POST /V1/order/:id/ship` (ShipOrder): CanShip first refuses an order in payment review, on hold or canceled (by its
 * status), then one with nothing left to ship; then the quantity checks of `document`.
 */
function shipDocument(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const order = state.orders.get(Number(r.params.orderId));
  if (order && NOT_SHIPPABLE.includes(String(order.state)))
    return magentoError(
      400,
      `Shipment Document Validation Error(s):\nA shipment cannot be created when an order has a status of ${String(order.status)}`,
    );
  return document(state, r, 'shipment');
}

/**
 * Moves the order on after a shipment or invoice, as the order's State handler does on save: a new order is
 * processing; a processing one with nothing left to invoice or ship is complete. A new state is a change of the
 * order's own row, which the save writes, so `updated_at` moves; a shipment that leaves the state as it was changes
 * only its items' quantities, and the order row (and its `updated_at`) stays as it was (docs/connectors.md).
 */
function advanceState(order: Row): void {
  const before = order.state;
  if (order.state === 'new') Object.assign(order, { state: 'processing', status: 'processing' });
  const items = order.items as Row[];
  const open = (i: Row, done: string) => Number(i.qty_ordered) - Number(i[done] ?? 0) > 0;
  const uninvoiced = items.some((i) => open(i, 'qty_invoiced'));
  const unshipped = items.some((i) => !i.parent_item_id && i.product_type !== 'virtual' && open(i, 'qty_shipped'));
  if (order.state === 'processing' && !uninvoiced && !unshipped)
    Object.assign(order, { state: 'complete', status: 'complete' });
  if (order.state !== before) order.updated_at = now();
}

/**
 * Creates a shipment or invoice. Lines default to everything still open; a line beyond what is left, or a document
 * with nothing left to ship or invoice, is refused the way Magento's document validators refuse it.
 */
function document(state: MagentoState, r: EmulatorRequest, kind: 'shipment' | 'invoice'): EmulatorReply {
  const order = state.orders.get(Number(r.params.orderId));
  if (!order) return noEntity();
  const body = (r.body ?? {}) as { items?: Row[]; tracks?: Row[]; comment?: Row };
  for (const list of ['items', 'tracks'] as const)
    if (body[list] !== undefined && !Array.isArray(body[list]))
      return magentoError(400, `[emulator] "${list}" must be a list of ${list === 'items' ? 'items' : 'tracks'}`);
  const done = kind === 'shipment' ? 'qty_shipped' : 'qty_invoiced';
  const lines = (order.items as Row[]).filter((i) => !i.parent_item_id || kind === 'invoice');
  const open = (item: Row) => Number(item.qty_ordered) - Number(item[done] ?? 0);
  const requested = body.items?.length
    ? body.items.map((i) => ({ id: Number(i.order_item_id), qty: Number(i.qty) }))
    : lines.filter((i) => open(i) > 0).map((i) => ({ id: Number(i.item_id), qty: open(i) }));
  const title =
    kind === 'shipment' ? 'Shipment Document Validation Error(s):' : 'Invoice Document Validation Error(s):';
  if (requested.length === 0)
    return magentoError(
      400,
      `${title}\nThe order does not allow ${kind === 'shipment' ? 'a shipment' : 'an invoice'} to be created.`,
    );
  for (const line of requested) {
    const item = (order.items as Row[]).find((i) => Number(i.item_id) === line.id);
    // Magento's quantity validators (the invoice one words it the same way for invoicing).
    if (!item)
      return magentoError(
        400,
        `${title}\nThe ${kind} contains product SKU "${line.id}" that is not part of the original order.`,
      );
    if (!(line.qty > 0) || line.qty > open(item))
      return magentoError(
        400,
        `${title}\nThe quantity to ${kind === 'shipment' ? 'ship' : 'invoice'} must not be greater than the ${kind === 'shipment' ? 'unshipped' : 'uninvoiced'} quantity for product SKU "${String(item.sku)}".`,
      );
  }
  if ((body.tracks ?? []).some((track) => !track.track_number))
    return magentoError(400, `${title}\nPlease enter a tracking number.`);
  for (const line of requested) {
    const item = (order.items as Row[]).find((i) => Number(i.item_id) === line.id)!;
    item[done] = Number(item[done] ?? 0) + line.qty;
  }
  advanceState(order);
  // Magento answers the new document's id as a JSON string.
  if (kind === 'invoice')
    return { status: 200, body: String(storeInvoice(state, order, requested, body.comment).entity_id) };
  const id = state.nextId.shipment++;
  const stamp = now();
  const items = requested.map((l) => {
    const item = (order.items as Row[]).find((i) => Number(i.item_id) === l.id)!;
    return { order_item_id: l.id, qty: l.qty, sku: item.sku, name: item.name };
  });
  state.shipments.push({
    entity_id: id,
    increment_id: String(id).padStart(9, '0'),
    order_id: order.entity_id,
    created_at: stamp,
    updated_at: stamp,
    total_qty: requested.reduce((sum, l) => sum + l.qty, 0),
    items,
    tracks: (body.tracks ?? []).map((t) => ({ ...t, order_id: order.entity_id, parent_id: id })),
    // The request's comment is kept on the document (`appendComment` only puts it in the e-mail).
    comments: body.comment ? [{ ...body.comment, parent_id: id, created_at: stamp }] : [],
  });
  return { status: 200, body: String(id) };
}

/**
 * Invoices every line of an order still open, for tests and the demo: the invoice the storefront's capture registered
 * when the order was placed (the sample orders are complete already, so the state check of the REST call is not
 * made). Returns the invoice.
 */
export function invoiceOrder(state: MagentoState, orderId: number): Row {
  const reply = document(
    state,
    { params: { orderId: String(orderId) }, body: {} } as unknown as EmulatorRequest,
    'invoice',
  );
  if (reply.status !== 200) throw new Error(`order ${orderId} cannot be invoiced: ${JSON.stringify(reply.body)}`);
  return state.invoices.find((i) => i.entity_id === Number(reply.body))!;
}
