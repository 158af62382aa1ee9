/**
 * B2B negotiable quotes as the seller (admin token) sees them: draft, fill, price, send, decline, read as a cart.
 * The seller can change a quote only while it holds it: once sent, it is locked until the buyer sends it back, and an
 * ordered, declined, closed or expired quote is final. The buyer's checkout is `placeQuoteOrder`.
 */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { asAnswered } from './customer-routes.js';
import { storeInvoice } from './invoice-routes.js';
import { magentoError, noCustomer, noProduct, requiredField } from './magento-error.js';
import { searchReply } from './search-criteria.js';
import type { InputLimits } from './search-criteria.js';
import { sampleOrder } from './state.js';
import type { MagentoState, Row } from './state.js';

const SELLER_HOLDS = new Set(['draft_by_admin', 'created', 'submitted_by_customer', 'processing_by_admin']);
const FINAL = new Set(['ordered', 'declined', 'closed', 'expired']);

/** The quote table's columns a cart search filters and sorts by: the customer's id, and `entity_id` (the cart's id). */
const quoteColumn = (cart: Row, field: string): unknown =>
  field === 'customer_id' ? (cart.customer as Row).id : field === 'entity_id' ? cart.id : cart[field];

/** Quote routes under `/rest/:store/V1`. */
export function quoteRoutes(V1: string, state: () => MagentoState, limits?: InputLimits): Route[] {
  return [
    { method: 'POST', path: `${V1}/negotiableQuote/draft`, handle: (r) => draft(state(), r) },
    { method: 'PUT', path: `${V1}/negotiableQuote/:quoteId`, handle: (r) => update(state(), r) },
    { method: 'POST', path: `${V1}/negotiableQuote/submitToCustomer`, handle: (r) => submit(state(), r) },
    { method: 'POST', path: `${V1}/negotiableQuote/decline`, handle: (r) => decline(state(), r) },
    // Registered before `/carts/:cartId`, so "search" is never read as an id.
    {
      method: 'GET',
      path: `${V1}/carts/search`,
      handle: (r) =>
        searchReply(
          [...state().negotiableQuotes.keys()].map((id) => read(state(), String(id)).body as Row),
          r.query,
          limits,
          quoteColumn,
        ),
    },
    { method: 'GET', path: `${V1}/carts/:cartId`, handle: (r) => read(state(), r.params.cartId) },
  ];
}

function draft(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const customerId = (r.body as Row | undefined)?.customerId;
  if (customerId === undefined) return requiredField('customerId');
  const customer = state.customers.get(Number(customerId));
  if (!customer) return noCustomer(String(customerId));
  const id = state.nextId.quote++;
  const stamp = now();
  state.negotiableQuotes.set(id, {
    id,
    created_at: stamp,
    updated_at: stamp,
    is_active: false,
    is_virtual: false,
    items: [],
    customer: { id: customer.id, email: customer.email, firstname: customer.firstname, lastname: customer.lastname },
    store_id: customer.store_id, // drafted for the customer's store view [emulator]
    currency: { quote_currency_code: 'USD' },
    extension_attributes: {
      negotiable_quote: {
        quote_id: id,
        quote_name: `Quote for ${String(customer.firstname)} ${String(customer.lastname)}`,
        status: 'draft_by_admin',
        is_regular_quote: true,
        creator_type: 2,
      },
    },
    comments: [],
  });
  // The API answers the new quote id as a bare number.
  return { status: 200, body: id };
}

function update(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const quote = state.negotiableQuotes.get(Number(r.params.quoteId));
  if (!quote) return noQuote(r.params.quoteId);
  const body = (r.body as { quote?: Row } | undefined)?.quote;
  if (!body) return requiredField('quote');
  if (body.id !== undefined && Number(body.id) !== Number(quote.id))
    return magentoError(400, 'The quote ID in the request does not match the quote ID in the URL.');
  const locked = sellerCannotChange(quote);
  if (locked) return locked;
  const lines = (quote.items as Row[]).map((i) => ({ ...i }));
  for (const item of (body.items as Row[] | undefined) ?? []) {
    if (item.item_id !== undefined) {
      const line = lines.find((l) => Number(l.item_id) === Number(item.item_id));
      if (!line)
        return magentoError(404, "The %1 Cart doesn't contain the %2 item.", [String(quote.id), String(item.item_id)]);
      line.qty = Number(item.qty);
      continue;
    }
    const product = state.products.get(String(item.sku));
    if (!product) return noProduct();
    if (!(Number(item.qty) > 0)) return magentoError(400, 'The requested qty is not available');
    // Like any Magento cart, adding a SKU already on the quote raises that line's quantity.
    const same = lines.find((l) => l.sku === product.sku);
    if (same) same.qty = Number(same.qty) + Number(item.qty);
    else
      lines.push({
        item_id: Number(quote.id) * 100 + lines.length + 1,
        sku: product.sku,
        qty: Number(item.qty),
        name: product.name,
        price: product.price,
        product_type: product.type_id,
        quote_id: String(quote.id),
      });
  }
  const next = {
    ...((quote.extension_attributes as Row).negotiable_quote as Row),
    ...(((body.extension_attributes as Row | undefined)?.negotiable_quote as Row | undefined) ?? {}),
  };
  const invalid = priceProblem(next);
  if (invalid) return invalid;
  const status = ((quote.extension_attributes as Row).negotiable_quote as Row).status;
  quote.items = lines;
  quote.is_virtual = lines.length > 0 && lines.every((l) => l.product_type === 'virtual');
  quote.extension_attributes = { negotiable_quote: { ...next, status, ...totals(lines, next) } };
  quote.updated_at = now();
  return { status: 200, body: [] };
}

function submit(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const body = (r.body ?? {}) as Row;
  const quote = state.negotiableQuotes.get(Number(body.quoteId));
  if (!quote) return noQuote(String(body.quoteId));
  const locked = sellerCannotChange(quote);
  if (locked) return locked;
  if ((quote.items as Row[]).length === 0) return magentoError(400, 'Cannot send a B2B quote without items.');
  setStatus(quote, 'submitted_by_admin');
  if (body.comment) (quote.comments as Row[]).push({ creator_type: 2, comment: body.comment, created_at: now() });
  return { status: 200, body: true };
}

function decline(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const body = (r.body ?? {}) as Row;
  const quote = state.negotiableQuotes.get(Number(body.quoteId));
  if (!quote) return noQuote(String(body.quoteId));
  if (!body.reason) return requiredField('reason');
  const status = String(((quote.extension_attributes as Row).negotiable_quote as Row).status);
  if (FINAL.has(status)) return magentoError(400, 'The quote cannot be declined in its %1 state.', [status]);
  // Declining removes the negotiated price: the quote falls back to catalog prices.
  const fields = (quote.extension_attributes as Row).negotiable_quote as Row;
  quote.extension_attributes = {
    negotiable_quote: {
      ...fields,
      negotiated_price_type: null,
      negotiated_price_value: null,
      negotiated_total_price: fields.original_total_price,
      decline_reason: body.reason,
    },
  };
  setStatus(quote, 'declined');
  return { status: 200, body: true };
}

/**
 * The quote as `GET /V1/carts/:cartId` answers it (CartInterface): its customer as the store holds it now (the
 * getter is not nullable, so the whole customer), and no comments: those are the negotiable quote's own, read by
 * `GET /V1/negotiableQuote/:quoteId/comments`.
 */
function read(state: MagentoState, id: string): EmulatorReply {
  const quote = state.negotiableQuotes.get(Number(id));
  if (!quote)
    return magentoError(404, 'No such entity with %fieldName = %fieldValue', { fieldName: 'cartId', fieldValue: id });
  const items = quote.items as Row[];
  const { comments: _comments, ...cart } = quote;
  const customer = state.customers.get(Number((quote.customer as Row).id));
  return {
    status: 200,
    body: {
      ...cart,
      customer: customer ? asAnswered(customer) : quote.customer,
      items_count: items.length,
      items_qty: items.reduce((sum, i) => sum + Number(i.qty), 0),
    },
  };
}

/**
 * The buyer's checkout of a sent quote (what the storefront does): an order at the negotiated total, paid, the quote
 * marked ordered, and its paid invoice. Virtual-only orders are complete as soon as they are invoiced. Returns the
 * order.
 */
export function placeQuoteOrder(
  state: MagentoState,
  quoteId: number,
  payment: { method: string; transactionId: string },
): Row {
  const quote = state.negotiableQuotes.get(quoteId);
  const fields = (quote?.extension_attributes as Row | undefined)?.negotiable_quote as Row | undefined;
  if (!quote || !fields) throw new Error(`no negotiable quote ${quoteId}`);
  if (fields.status !== 'submitted_by_admin')
    throw new Error(`quote ${quoteId} is ${String(fields.status)}; the buyer can order only a quote the seller sent`);
  const entityId = state.nextId.order++;
  const items = quote.items as Row[];
  const total = Number(fields.negotiated_total_price ?? fields.original_total_price);
  const lines = items.map((item, i) => ({
    item_id: entityId * 10 + i + 1,
    sku: item.sku,
    name: item.name,
    qty_ordered: item.qty,
    qty_shipped: 0,
    qty_invoiced: item.qty,
    qty_refunded: 0,
    price: Number(item.price),
    row_total: Number(item.price) * Number(item.qty),
    tax_amount: 0,
    tax_percent: 0,
    discount_amount: 0,
    product_type: item.product_type,
  }));
  const stamp = now();
  const customer = quote.customer as Row;
  const order = sampleOrder(entityId, {
    quote_id: quoteId,
    state: quote.is_virtual ? 'complete' : 'processing',
    status: quote.is_virtual ? 'complete' : 'processing',
    created_at: stamp,
    updated_at: stamp,
    customer_id: customer.id,
    customer_email: customer.email,
    customer_firstname: customer.firstname,
    customer_lastname: customer.lastname,
    subtotal: total,
    discount_amount: 0,
    shipping_amount: 0,
    shipping_tax_amount: 0,
    tax_amount: 0,
    grand_total: total,
    items: lines,
    payment: {
      method: payment.method,
      last_trans_id: payment.transactionId,
      amount_paid: total,
      additional_information: [],
    },
    extension_attributes: { applied_taxes: [] },
  });
  state.orders.set(entityId, order);
  // Paid at checkout: the order's invoice is registered with it.
  storeInvoice(
    state,
    order,
    lines.map((l) => ({ id: l.item_id, qty: Number(l.qty_ordered) })),
  );
  setStatus(quote, 'ordered');
  return order;
}

function sellerCannotChange(quote: Row): EmulatorReply | undefined {
  const status = String(((quote.extension_attributes as Row).negotiable_quote as Row).status);
  if (SELLER_HOLDS.has(status)) return undefined;
  if (FINAL.has(status)) return magentoError(400, 'The quote cannot be changed in its %1 state.', [status]);
  return magentoError(
    400,
    'This quote is currently locked for editing. It will become available once released by the buyer.',
  );
}

function priceProblem(fields: Row): EmulatorReply | undefined {
  const type = fields.negotiated_price_type;
  if (type === undefined || type === null) return undefined;
  if (![1, 2, 3].includes(Number(type))) return magentoError(400, 'Invalid negotiated price type %1.', [String(type)]);
  const value = Number(fields.negotiated_price_value);
  if (fields.negotiated_price_value === undefined || fields.negotiated_price_value === null || !(value >= 0))
    return requiredField('negotiated_price_value');
  if (Number(type) === 1 && value > 100) return magentoError(400, 'The discount percentage cannot be more than 100.');
  return undefined;
}

/** Catalog total and the total after the negotiated price (percentage off, amount off, or a proposed total). */
function totals(lines: Row[], fields: Row): Row {
  const original = round(lines.reduce((sum, l) => sum + Number(l.price) * Number(l.qty), 0));
  const value = Number(fields.negotiated_price_value);
  const type =
    fields.negotiated_price_type === undefined || fields.negotiated_price_type === null
      ? 0
      : Number(fields.negotiated_price_type);
  const negotiated =
    type === 1 ? original * (1 - value / 100) : type === 2 ? original - value : type === 3 ? value : original;
  return { original_total_price: original, negotiated_total_price: round(Math.max(0, negotiated)) };
}

function setStatus(quote: Row, status: string): void {
  const fields = (quote.extension_attributes as Row).negotiable_quote as Row;
  quote.extension_attributes = { negotiable_quote: { ...fields, status } };
  quote.updated_at = now();
}

const round = (n: number) => Math.round(n * 100) / 100;
const noQuote = (id: string): EmulatorReply =>
  magentoError(404, 'No such entity with %fieldName = %fieldValue', { fieldName: 'quoteId', fieldValue: id });
