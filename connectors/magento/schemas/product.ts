/** Catalog product (Magento\Catalog\Api\Data\ProductInterface): `PUT /V1/products/{sku}` merges only what is sent. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { entity, int, num, str } from './fields.js';

/** The product record. */
export const productSchema: JsonSchema = entity(
  'product',
  'Catalog product; a partial update changes only the attributes sent.',
  ['sku'],
  {
    sku: str('Stock keeping unit: identifies the product'),
    name: str('Product name (marketing-owned in the seeds)'),
    price: num('Base price'),
    status: int('1 enabled, 2 disabled'),
    visibility: int('1 not visible, 2 catalog, 3 search, 4 catalog and search'),
    type_id: str('simple, configurable, bundle, virtual…'),
    attribute_set_id: int('Attribute set'),
    weight: num('Weight'),
    custom_attributes: {
      type: 'array',
      description: 'EAV attributes (description, meta_title, url_key…), merged by attribute_code',
      items: {
        type: 'object',
        required: ['attribute_code'],
        properties: { attribute_code: str('Attribute code'), value: { description: 'Attribute value' } },
      },
    },
    media_gallery_entries: { type: 'array', description: 'Images and videos' },
    extension_attributes: { type: 'object', description: 'stock_item, website_ids, category_links…' },
  },
);
