/** Stock: MSI source items (quantity per source) and the legacy stock item of the default source. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { bool, entity, int, num, str } from './fields.js';

/** The MSI source item record. */
export const sourceItemSchema: JsonSchema = entity(
  'source_item',
  'Quantity of one SKU at one inventory source (MSI).',
  ['sku', 'source_code', 'quantity', 'status'],
  {
    sku: str('Product SKU'),
    source_code: str('Inventory source code, e.g. east_warehouse'),
    quantity: num('Quantity on hand at the source'),
    status: { type: 'integer', enum: [0, 1], description: '1 in stock, 0 out of stock' },
  },
);

/** The legacy stock item record. */
export const stockItemSchema: JsonSchema = entity(
  'stock_item',
  'Legacy stock item of the default source.',
  ['sku', 'item_id'],
  {
    sku: str('Product SKU'),
    item_id: int('Stock item id (extension_attributes.stock_item.item_id)'),
    qty: num('Quantity'),
    is_in_stock: bool('In stock'),
  },
);
