/** The Magento REST V1 routes the emulator answers, with Magento's status codes and error bodies. */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import type { MagentoState, Row } from './state.js';

const V1 = '/rest/:store/V1';
const error = (status: number, message: string, parameters?: unknown): EmulatorReply => ({ status, body: parameters === undefined ? { message } : { message, parameters } });
const noProduct = () => error(404, "The product that was requested doesn't exist. Verify the product and try again.");
const required = (field: string) => error(400, '"%fieldName" is required. Enter and try again.', { fieldName: field });

export function magentoRoutes(state: () => MagentoState): Route[] {
  return [
    { method: 'GET', path: `${V1}/orders/:id`, handle: (r) => found(state().orders.get(Number(r.params.id)), () => error(404, 'The entity that was requested doesn\'t exist. Verify the entity and try again.')) },
    { method: 'GET', path: `${V1}/orders`, handle: (r) => searchOrders(state(), r) },
    { method: 'GET', path: `${V1}/products/:sku`, handle: (r) => found(state().products.get(r.params.sku), noProduct) },
    {
      method: 'PUT',
      path: `${V1}/products/:sku`,
      handle: (r) => {
        const product = (r.body as { product?: Row } | undefined)?.product;
        if (!product) return required('product');
        const existing = state().products.get(r.params.sku);
        if (!existing) return noProduct();
        if (product.price !== undefined && (typeof product.price !== 'number' || product.price < 0)) return error(400, 'The "%1" value is invalid for the "price" attribute.', [String(product.price)]);
        // A partial update: only the attributes sent change (custom attributes merge by code).
        const merged: Row = { ...existing, ...product, sku: existing.sku };
        if (Array.isArray(product.custom_attributes)) merged.custom_attributes = mergeByCode(existing.custom_attributes as Row[], product.custom_attributes as Row[]);
        state().products.set(r.params.sku, merged);
        return { status: 200, body: merged };
      },
    },
    {
      method: 'PUT',
      path: `${V1}/products/:sku/stockItems/:itemId`,
      handle: (r) => {
        const existing = state().products.get(r.params.sku);
        if (!existing) return noProduct();
        const stock = (r.body as { stockItem?: Row } | undefined)?.stockItem;
        if (!stock) return required('stockItem');
        const ext = existing.extension_attributes as { stock_item: Row };
        ext.stock_item = { ...ext.stock_item, ...stock };
        return { status: 200, body: Number(r.params.itemId) };
      },
    },
    {
      method: 'POST',
      path: `${V1}/inventory/source-items`,
      handle: (r) => {
        const items = (r.body as { sourceItems?: Row[] } | undefined)?.sourceItems;
        if (!Array.isArray(items) || items.length === 0) return required('sourceItems');
        for (const item of items) {
          for (const field of ['sku', 'source_code', 'quantity', 'status']) if (item[field] === undefined || item[field] === null) return error(400, 'Validation Failed', [`"${field}" can not be empty.`]);
          if (!state().products.has(String(item.sku))) return error(400, 'Validation Failed', [`Product with SKU "${String(item.sku)}" does not exist.`]);
        }
        for (const item of items) state().sourceItems.set(`${String(item.sku)}/${String(item.source_code)}`, { ...item });
        return { status: 200, body: [] };
      },
    },
    { method: 'GET', path: `${V1}/customers/:id`, handle: (r) => found(state().customers.get(Number(r.params.id)), () => error(404, 'No such entity with %fieldName = %fieldValue', { fieldName: 'customerId', fieldValue: r.params.id })) },
    {
      method: 'POST',
      path: `${V1}/customers`,
      handle: (r) => {
        const customer = (r.body as { customer?: Row } | undefined)?.customer;
        if (!customer) return required('customer');
        for (const f of ['email', 'firstname', 'lastname']) if (!customer[f]) return required(f === 'email' ? 'email' : f === 'firstname' ? 'First Name' : 'Last Name');
        if ([...state().customers.values()].some((c) => c.email === customer.email)) return error(400, 'A customer with the same email address already exists in an associated website.');
        const id = state().nextId.customer++;
        const created = { ...customer, id, group_id: customer.group_id ?? 1, website_id: customer.website_id ?? 1 };
        state().customers.set(id, created);
        return { status: 200, body: created };
      },
    },
    {
      method: 'PUT',
      path: `${V1}/customers/:id`,
      handle: (r) => {
        const existing = state().customers.get(Number(r.params.id));
        if (!existing) return error(404, 'No such entity with %fieldName = %fieldValue', { fieldName: 'customerId', fieldValue: r.params.id });
        const customer = (r.body as { customer?: Row } | undefined)?.customer;
        if (!customer) return required('customer');
        const updated = { ...existing, ...customer, id: existing.id };
        state().customers.set(Number(existing.id), updated);
        return { status: 200, body: updated };
      },
    },
    { method: 'POST', path: `${V1}/order/:orderId/ship`, handle: (r) => orderAction(state(), r, 'shipments') },
    { method: 'POST', path: `${V1}/order/:orderId/invoice`, handle: (r) => orderAction(state(), r, 'invoices') },
  ];
}

function found(row: Row | undefined, missing: () => EmulatorReply): EmulatorReply {
  return row ? { status: 200, body: row } : missing();
}

function mergeByCode(existing: Row[] = [], updates: Row[]): Row[] {
  const out = existing.map((a) => ({ ...a }));
  for (const u of updates) {
    const at = out.findIndex((a) => a.attribute_code === u.attribute_code);
    if (at >= 0) out[at] = { ...u };
    else out.push({ ...u });
  }
  return out;
}

function searchOrders(state: MagentoState, r: EmulatorRequest): EmulatorReply {
  const q = r.query;
  const field = q['searchCriteria[filter_groups][0][filters][0][field]'];
  const value = q['searchCriteria[filter_groups][0][filters][0][value]'];
  const pageSize = Number(q['searchCriteria[pageSize]'] ?? 20);
  let items = [...state.orders.values()];
  if (field === 'updated_at' && value) items = items.filter((o) => String(o.updated_at) > value);
  items.sort((a, b) => String(a.updated_at).localeCompare(String(b.updated_at)) || Number(a.entity_id) - Number(b.entity_id));
  return { status: 200, body: { items: items.slice(0, pageSize), search_criteria: { filter_groups: field ? [{ filters: [{ field, value, condition_type: 'gt' }] }] : [], page_size: pageSize }, total_count: items.length } };
}

function orderAction(state: MagentoState, r: EmulatorRequest, kind: 'shipments' | 'invoices'): EmulatorReply {
  const order = state.orders.get(Number(r.params.orderId));
  if (!order) return error(404, 'The entity that was requested doesn\'t exist. Verify the entity and try again.');
  const body = (r.body ?? {}) as Row;
  if (kind === 'shipments' && Array.isArray(body.tracks)) {
    for (const t of body.tracks as Row[]) if (!t.track_number) return required('track_number');
  }
  const id = kind === 'shipments' ? state.nextId.shipment++ : state.nextId.invoice++;
  state[kind].push({ id, order_id: order.entity_id, ...body });
  return { status: 200, body: String(id) };
}
