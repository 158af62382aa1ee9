/** Catalog categories (Magento_Catalog CategoryInterface, CategoryTreeInterface). */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { bool, entity, int, str } from './fields.js';

/** A category to create (`POST /V1/categories`). */
export const categorySchema: JsonSchema = entity(
  'category',
  'A catalog category; a new one goes under parent_id (the store’s root category when none is given).',
  ['name'],
  {
    id: int('Category id (assigned by Magento)'),
    parent_id: int('The parent category'),
    name: str('Category name'),
    is_active: bool('Shown in the store'),
    include_in_menu: bool('Listed in the navigation menu'),
  },
);

/** The category tree from the store's root (`GET /V1/categories`). */
export const categoryTreeSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'category_tree',
  description: 'A category with its children, recursively (children_data).',
  type: 'object',
  properties: {
    id: int('Category id'),
    parent_id: int('The parent category'),
    name: str('Category name'),
    is_active: bool('Shown in the store'),
    position: int('Order among its siblings'),
    level: int('Depth: 1 is a store root'),
    product_count: int('Products in the category'),
    children_data: { type: 'array', description: 'The child categories, each a tree', items: { type: 'object' } },
  },
};
