/** Invoices as stored documents: Magento\Sales\Api\Data\InvoiceInterface and its items. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, num, str } from './fields.js';

/** The invoice record, as `GET /V1/invoices/{id}` and `GET /V1/invoices` deliver it. */
export const invoiceRecordSchema: JsonSchema = entity(
  'invoice',
  'Invoice (Magento\\Sales\\Api\\Data\\InvoiceInterface): items, shipping and tax of an order billed, and paid.',
  [],
  {
    entity_id: int('Invoice id'),
    increment_id: str('Invoice number'),
    order_id: int('The order it bills'),
    state: int('1 open (payment pending), 2 paid, 3 canceled'),
    created_at: str('Created, YYYY-MM-DD HH:MM:SS (UTC)'),
    updated_at: str('Last updated, YYYY-MM-DD HH:MM:SS (UTC)'),
    order_currency_code: str('Currency'),
    subtotal: num('Items billed, before tax and discount'),
    discount_amount: num('Discount (negative)'),
    tax_amount: num('Tax billed'),
    shipping_amount: num('Shipping billed'),
    shipping_tax_amount: num('Tax on the shipping'),
    grand_total: num('Total billed (paid, when state is 2)'),
    total_qty: num('Quantity billed'),
    transaction_id: str("The payment's capture transaction id"),
    items: {
      type: 'array',
      description: 'Billed items',
      items: {
        type: 'object',
        properties: {
          entity_id: int('Invoice item id'),
          parent_id: int('The invoice id'),
          order_item_id: int('The order item billed'),
          sku: str('SKU'),
          name: str('Name'),
          qty: num('Quantity billed'),
          price: num('Unit price'),
          row_total: num('price x qty'),
          tax_amount: num('Tax on the line'),
          discount_amount: num('Discount on the line'),
        },
      },
    },
    comments: { type: 'array', description: 'Comments (comment, is_visible_on_front)' },
  },
);
