/** Sales order, shipment and invoice entities. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { addressSchema } from './customer.js';
import { bool, entity, int, num, str } from './fields.js';

const orderItem: JsonSchema = {
  type: 'object',
  description: 'An order line',
  properties: {
    item_id: int('Order item id'),
    sku: str('SKU'),
    name: str('Name'),
    qty_ordered: num('Ordered'),
    qty_shipped: num('Shipped so far'),
    qty_invoiced: num('Invoiced so far'),
    price: num('Unit price'),
    row_total: num('Row total'),
    tax_amount: num('Tax'),
    tax_percent: num('Tax rate'),
    discount_amount: num('Discount'),
    product_type: str('simple, configurable…'),
    parent_item_id: int('Parent line of a child item'),
  },
};

/** An order address (Magento\Sales\Api\Data\OrderAddressInterface): its region is a string, with region_code. */
const orderAddressSchema: JsonSchema = {
  ...addressSchema,
  description:
    'An order address: billing_address, or the shipping address in extension_attributes.shipping_assignments',
  properties: {
    ...Object.fromEntries(
      Object.entries(addressSchema.properties as Record<string, JsonSchema>).filter(([k]) => !k.startsWith('default_')),
    ),
    address_type: str('billing or shipping'),
    region: str('Region name'),
    region_code: str('Region code'),
    region_id: int('Region id'),
  },
};

/** The order record. */
export const orderSchema: JsonSchema = entity(
  'order',
  'Sales order (Magento\\Sales\\Api\\Data\\OrderInterface), as webhooks and searches deliver it.',
  [],
  {
    entity_id: int('Order id'),
    increment_id: str('Order number shown to the customer'),
    quote_id: int('The cart or negotiable quote the order was placed from'),
    state: str('new, processing, complete, closed, canceled, holded'),
    status: str('Status label code'),
    created_at: str('Created, YYYY-MM-DD HH:MM:SS (UTC)'),
    updated_at: str('Last updated, YYYY-MM-DD HH:MM:SS (UTC)'),
    customer_id: int('Customer id'),
    customer_email: str('Customer e-mail'),
    customer_firstname: str('First name'),
    customer_lastname: str('Last name'),
    order_currency_code: str('Currency'),
    grand_total: num('Grand total'),
    subtotal: num('Subtotal'),
    tax_amount: num('Tax'),
    shipping_amount: num('Shipping'),
    shipping_tax_amount: num('Tax on shipping'),
    shipping_discount_amount: num('Discount on shipping'),
    shipping_description: str('Shipping method'),
    discount_amount: num('Discount (negative)'),
    items: { type: 'array', items: orderItem, description: 'Order lines' },
    billing_address: orderAddressSchema,
    payment: {
      type: 'object',
      description: 'Payment',
      properties: {
        method: str('Payment method code'),
        last_trans_id: str('Transaction id'),
        amount_paid: num('Paid'),
        additional_information: { type: 'array' },
      },
    },
    extension_attributes: { type: 'object', description: 'applied_taxes, shipping_assignments…' },
    status_histories: { type: 'array', description: 'Comments' },
  },
);

/** The shipment record (order_id fills the path). */
export const shipmentSchema: JsonSchema = entity(
  'shipment',
  'A shipment of an order, with tracking numbers.',
  ['order_id'],
  {
    order_id: int('Order id (entity_id): fills the path'),
    items: {
      type: 'array',
      description: 'Lines to ship; all remaining when omitted',
      items: {
        type: 'object',
        required: ['order_item_id', 'qty'],
        properties: { order_item_id: int('Order item id'), qty: num('Quantity') },
      },
    },
    tracks: {
      type: 'array',
      description: 'Tracking numbers',
      items: {
        type: 'object',
        required: ['track_number', 'carrier_code', 'title'],
        properties: {
          track_number: str('Tracking number'),
          carrier_code: str('ups, fedex, usps, dhl, custom'),
          title: str('Carrier title'),
        },
      },
    },
    notify: bool('E-mail the customer'),
    appendComment: bool('Add the comment to the order'),
    comment: { type: 'object', description: 'comment, is_visible_on_front' },
  },
);

/** A stored shipment as `GET /V1/shipments` answers it (ShipmentInterface). */
export const shipmentRecordSchema: JsonSchema = {
  type: 'object',
  description: 'A shipment of an order.',
  properties: {
    entity_id: int('Shipment id'),
    increment_id: str('Shipment number'),
    order_id: int('Order id (entity_id)'),
    created_at: str('When it was created (YYYY-MM-DD HH:MM:SS, UTC)'),
    updated_at: str('When it last changed'),
    total_qty: num('Quantity shipped'),
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { order_item_id: int('Order item id'), qty: num('Quantity'), sku: str('SKU'), name: str('Name') },
      },
    },
    tracks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          track_number: str('Tracking number'),
          carrier_code: str('Carrier code'),
          title: str('Carrier title'),
          order_id: int('Order id'),
          parent_id: int('Shipment id'),
        },
      },
    },
  },
};

/** The invoice record (order_id fills the path). */
export const invoiceSchema: JsonSchema = entity('invoice', 'An invoice of an order.', ['order_id'], {
  order_id: int('Order id (entity_id): fills the path'),
  capture: bool('Capture the payment online'),
  items: {
    type: 'array',
    description: 'Lines to invoice; all remaining when omitted',
    items: { type: 'object', properties: { order_item_id: int('Order item id'), qty: num('Quantity') } },
  },
  notify: bool('E-mail the customer'),
  appendComment: bool('Add the comment to the e-mail'),
  comment: { type: 'object', description: 'comment, is_visible_on_front: kept on the invoice' },
});

/** An order status history comment (OrderStatusHistoryInterface); order_id fills the path. */
export const orderCommentSchema: JsonSchema = entity(
  'order_comment',
  "A comment in an order's history, optionally notifying the customer and setting the order's status.",
  ['order_id', 'comment'],
  {
    order_id: int('Order id (entity_id): fills the path'),
    comment: str('The comment'),
    is_customer_notified: int('1: e-mail it to the customer'),
    is_visible_on_front: int("1: show it in the customer's account"),
    status: str("The order's status to set with it (a status of the order's state); the current one when omitted"),
  },
);

/** A stored order comment as `GET /V1/orders/{id}/comments` answers it. */
export const orderCommentRecordSchema: JsonSchema = {
  type: 'object',
  description: "A comment in an order's history.",
  properties: {
    entity_id: int('Comment id'),
    parent_id: int('Order id'),
    comment: str('The comment'),
    is_customer_notified: int('1 when the customer was e-mailed'),
    is_visible_on_front: int("1 when shown in the customer's account"),
    status: str("The order's status with the comment"),
    created_at: str('When it was added (YYYY-MM-DD HH:MM:SS, UTC)'),
    entity_name: str('order'),
  },
};
