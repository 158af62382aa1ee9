/**
 * Magento's catalog categories (Magento_Catalog `etc/webapi.xml`): the tree below the store's root, and a new
 * category under a parent. Category names need not be unique, so a create whose answer was lost is looked up in the
 * tree (by name and parent) before it is sent again.
 */
import type { OperationDef } from '../../engine/sdk/index.js';
import { categorySchema, categoryTreeSchema } from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;

/** The category operations by name. */
export const magentoCategoryOperations: Record<string, OperationDef> = {
  'categories.tree': {
    description: "The store's category tree from its root category: each node with its children (children_data).",
    vendorName: 'GET /V1/categories',
    kind: 'query',
    object: 'category',
    output: categoryTreeSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/categories` }),
  },
  'categories.create': {
    description:
      "Create a category under parent_id (the store's root when none is given). Not idempotent: give the step a " +
      'find in categories.tree.',
    vendorName: 'POST /V1/categories',
    kind: 'create',
    object: 'category',
    input: categorySchema,
    output: categorySchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/categories`, body: { category: c.body ?? {} } }),
  },
};
