/**
 * The price APIs (Magento_Catalog's price storages): a SKU's tier and customer-group prices, and its special price.
 * A step sends one SKU with all its prices, so a replace leaves exactly the prices the source has.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, num, str } from './fields.js';

/** The tier prices of one SKU (`PUT /V1/products/tier-prices` replaces the SKU's whole set). */
export const tierPricesSchema: JsonSchema = entity(
  'tier_price',
  "A SKU's tier and customer-group prices; a replace removes the ones not sent.",
  ['sku', 'prices'],
  {
    sku: str('Product SKU'),
    prices: {
      type: 'array',
      description: 'One price per customer group and quantity',
      items: {
        type: 'object',
        required: ['price', 'price_type', 'website_id', 'customer_group', 'quantity'],
        properties: {
          price: num('The price, or with price_type discount a percentage (0-100)'),
          price_type: { type: 'string', enum: ['fixed', 'discount'], description: 'fixed price or % discount' },
          website_id: int('Website id; 0 is all websites'),
          customer_group: str('Customer group code (e.g. Wholesale), or "ALL GROUPS"'),
          quantity: num('From this quantity on (1 for a plain customer-group price)'),
        },
      },
    },
  },
);

/** The special (sale) prices of one SKU (`POST /V1/products/special-price` adds or updates them). */
export const specialPricesSchema: JsonSchema = entity(
  'special_price',
  "A SKU's special prices per store view, each valid from one date to another.",
  ['sku', 'prices'],
  {
    sku: str('Product SKU'),
    prices: {
      type: 'array',
      description: 'One special price per store view and period',
      items: {
        type: 'object',
        required: ['price', 'store_id'],
        properties: {
          price: num('The special price'),
          store_id: int('Store view id; 0 is the admin (all) scope'),
          price_from: str('Valid from (YYYY-MM-DD HH:MM:SS)'),
          price_to: str('Valid until (YYYY-MM-DD HH:MM:SS); none means open-ended'),
        },
      },
    },
  },
);
