/** Magento 2 REST V1 entity schemas (the records steps produce and read), after Magento's own data interfaces. */
import type { JsonSchema } from '../../engine/sdk/index.js';

const str = { type: 'string' };
const num = { type: 'number' };
const int = { type: 'integer' };

export const productSchema: JsonSchema = {
  type: 'object',
  description: 'catalog product (Magento\\Catalog\\Api\\Data\\ProductInterface); partial updates merge',
  required: ['sku'],
  properties: {
    sku: str, name: str, price: num, status: int, visibility: int, type_id: str, attribute_set_id: int, weight: num,
    custom_attributes: { type: 'array', items: { type: 'object', required: ['attribute_code'], properties: { attribute_code: str, value: {} } } },
    media_gallery_entries: { type: 'array' },
    extension_attributes: { type: 'object' },
  },
};

export const sourceItemSchema: JsonSchema = {
  type: 'object',
  description: 'inventory source item (MSI): quantity of one SKU at one source',
  required: ['sku', 'source_code', 'quantity', 'status'],
  properties: { sku: str, source_code: str, quantity: num, status: { type: 'integer', enum: [0, 1] } },
};

export const stockItemSchema: JsonSchema = {
  type: 'object',
  description: 'legacy stock item of the default source',
  required: ['sku', 'item_id'],
  properties: { sku: str, item_id: int, qty: num, is_in_stock: { type: 'boolean' } },
};

const address = { type: 'object', properties: { firstname: str, lastname: str, street: { type: 'array', items: str }, city: str, postcode: str, country_id: str, telephone: str, region: { type: 'object' }, default_billing: { type: 'boolean' }, default_shipping: { type: 'boolean' } } };

export const customerSchema: JsonSchema = {
  type: 'object',
  description: 'customer with addresses',
  required: ['email', 'firstname', 'lastname'],
  properties: { id: int, email: str, firstname: str, lastname: str, middlename: str, prefix: str, suffix: str, dob: str, gender: int, taxvat: str, group_id: int, store_id: int, website_id: int, addresses: { type: 'array', items: address }, custom_attributes: { type: 'array' } },
};

export const shipmentSchema: JsonSchema = {
  type: 'object',
  description: 'shipment of an order, with tracking numbers',
  required: ['order_id'],
  properties: {
    order_id: int,
    items: { type: 'array', items: { type: 'object', required: ['order_item_id', 'qty'], properties: { order_item_id: int, qty: num } } },
    tracks: { type: 'array', items: { type: 'object', required: ['track_number', 'carrier_code', 'title'], properties: { track_number: str, carrier_code: str, title: str } } },
    notify: { type: 'boolean' },
  },
};

export const invoiceSchema: JsonSchema = {
  type: 'object',
  description: 'invoice of an order',
  required: ['order_id'],
  properties: { order_id: int, capture: { type: 'boolean' }, items: { type: 'array', items: { type: 'object', properties: { order_item_id: int, qty: num } } }, notify: { type: 'boolean' } },
};

export const orderSchema: JsonSchema = {
  type: 'object',
  description: 'sales order (Magento\\Sales\\Api\\Data\\OrderInterface), as webhooks and searches deliver it',
  properties: {
    entity_id: int, increment_id: str, state: str, status: str, created_at: str, updated_at: str, customer_id: int, customer_email: str,
    customer_firstname: str, customer_lastname: str, order_currency_code: str, grand_total: num, subtotal: num, tax_amount: num,
    shipping_amount: num, shipping_tax_amount: num, shipping_discount_amount: num, shipping_description: str, discount_amount: num,
    items: { type: 'array', items: { type: 'object', properties: { item_id: int, sku: str, name: str, qty_ordered: num, price: num, row_total: num, tax_amount: num, tax_percent: num, discount_amount: num, product_type: str, parent_item_id: int } } },
    billing_address: address, payment: { type: 'object', properties: { method: str, last_trans_id: str, amount_paid: num, additional_information: { type: 'array' } } },
    extension_attributes: { type: 'object' }, status_histories: { type: 'array' },
  },
};
