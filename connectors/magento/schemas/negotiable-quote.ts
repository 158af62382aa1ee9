/**
 * Adobe Commerce B2B negotiable quotes: the seller drafts a quote for a company buyer, fills it, proposes a price and
 * sends it; the buyer converts it into an order at checkout (and pays there).
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, num, str } from './fields.js';

/** The system states of a negotiable quote (`extension_attributes.negotiable_quote.status`). */
export const QUOTE_STATUSES = [
  'draft_by_admin',
  'created',
  'submitted_by_customer',
  'processing_by_admin',
  'submitted_by_admin',
  'processing_by_customer',
  'ordered',
  'expired',
  'declined',
  'closed',
];

const negotiableFields: JsonSchema = {
  type: 'object',
  description: 'The negotiable-quote part of the quote',
  properties: {
    quote_name: str('Name the buyer sees in My Account > My Quotes'),
    status: { type: 'string', enum: QUOTE_STATUSES, description: 'System state (read-only for the seller)' },
    negotiated_price_type: {
      type: 'integer',
      enum: [1, 2, 3],
      description: '1 percentage discount, 2 amount discount, 3 proposed total',
    },
    negotiated_price_value: num('The percentage, the discount amount or the proposed total'),
    shipping_price: num('Proposed shipping price'),
    expiration_period: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'Expiration date, YYYY-MM-DD',
    },
    original_total_price: num('Catalog total of the items (read-only)'),
    negotiated_total_price: num('Total after the negotiated price (read-only)'),
  },
};

const quoteItem: JsonSchema = {
  type: 'object',
  required: ['sku', 'qty'],
  description: 'A quote line; a SKU already on the quote adds to its quantity, as in any Magento cart',
  properties: {
    item_id: int('Existing line to change'),
    sku: str('Product SKU'),
    qty: num('Quantity'),
    name: str('Name (read-only)'),
    price: num('Catalog price (read-only)'),
    quote_id: str('Quote id (read-only)'),
  },
};

/** `POST /V1/negotiableQuote/draft`: an empty draft for a customer; answers the new quote id. */
export const quoteDraftSchema: JsonSchema = entity(
  'negotiable_quote_draft',
  'A new, empty draft quote for a company buyer.',
  ['customerId'],
  {
    customerId: int('Magento customer id of the buyer'),
  },
);

/** `PUT /V1/negotiableQuote/{quoteId}`: the quote with its items and negotiable fields. */
export const negotiableQuoteSchema: JsonSchema = entity(
  'negotiable_quote',
  'A negotiable quote (a cart with negotiable_quote extension attributes).',
  ['id'],
  {
    id: int('Quote id: fills the path'),
    items: { type: 'array', items: quoteItem, description: 'Lines to add (by SKU) or change (by item_id)' },
    extension_attributes: {
      type: 'object',
      description: 'negotiable_quote',
      properties: { negotiable_quote: negotiableFields },
    },
  },
);

/** `POST /V1/negotiableQuote/submitToCustomer`. */
export const quoteSubmitSchema: JsonSchema = entity(
  'negotiable_quote_submit',
  'Sends the quote to the buyer.',
  ['quoteId'],
  {
    quoteId: int('Quote id'),
    comment: str('Comment the buyer sees with the quote'),
    files: { type: 'array', description: 'Attachments (base64_encoded_data, type, name)' },
  },
);

/** `POST /V1/negotiableQuote/decline`. */
export const quoteDeclineSchema: JsonSchema = entity(
  'negotiable_quote_decline',
  'Declines the quote: its negotiated price is removed.',
  ['quoteId', 'reason'],
  {
    quoteId: int('Quote id'),
    reason: str('Why, shown to the buyer'),
  },
);

/** `GET /V1/carts/{cartId}` of a negotiable quote. */
export const cartSchema: JsonSchema = entity(
  'cart',
  'A cart; negotiable quotes carry extension_attributes.negotiable_quote.',
  [],
  {
    id: int('Quote (cart) id'),
    is_active: { type: 'boolean', description: 'Active cart' },
    is_virtual: { type: 'boolean', description: 'Only virtual items' },
    items: { type: 'array', items: quoteItem, description: 'Lines' },
    items_count: int('Number of lines'),
    items_qty: num('Total quantity'),
    customer: { type: 'object', description: 'The buyer (id, email, firstname, lastname)' },
    extension_attributes: {
      type: 'object',
      description: 'negotiable_quote',
      properties: { negotiable_quote: negotiableFields },
    },
  },
);
