/** Credit memos (refunds): Magento\Sales\Api\Data\CreditmemoInterface and its items. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, num, str } from './fields.js';

/** The credit memo record, as webhooks, reads and searches deliver it. */
export const creditmemoSchema: JsonSchema = entity(
  'creditmemo',
  'Credit memo (Magento\\Sales\\Api\\Data\\CreditmemoInterface): a refund of items, shipping and adjustments.',
  [],
  {
    entity_id: int('Credit memo id'),
    increment_id: str('Credit memo number'),
    order_id: int('The order it refunds'),
    invoice_id: int('The invoice it refunds online against, if any'),
    state: int('1 open, 2 refunded, 3 canceled'),
    created_at: str('Created, YYYY-MM-DD HH:MM:SS (UTC)'),
    updated_at: str('Last updated, YYYY-MM-DD HH:MM:SS (UTC)'),
    order_currency_code: str('Currency'),
    subtotal: num('Items refunded, before tax and discount'),
    discount_amount: num('Discount given back (negative)'),
    tax_amount: num('Tax refunded'),
    shipping_amount: num('Shipping refunded'),
    shipping_tax_amount: num('Tax on the shipping refunded'),
    adjustment_positive: num('Adjustment refund (added)'),
    adjustment_negative: num('Adjustment fee (kept)'),
    adjustment: num('adjustment_positive - adjustment_negative'),
    grand_total: num('Total refunded'),
    items: {
      type: 'array',
      description: 'Refunded items',
      items: {
        type: 'object',
        properties: {
          entity_id: int('Credit memo item id'),
          parent_id: int('The credit memo id'),
          order_item_id: int('The order item refunded'),
          sku: str('SKU'),
          name: str('Name'),
          qty: num('Quantity refunded'),
          price: num('Unit price'),
          row_total: num('price x qty'),
          tax_amount: num('Tax refunded on the line'),
          discount_amount: num('Discount on the line'),
        },
      },
    },
    comments: { type: 'array', description: 'Comments (comment, is_visible_on_front)' },
  },
);
