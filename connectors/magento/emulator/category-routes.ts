/**
 * Categories (Magento_Catalog `etc/webapi.xml`): `GET /V1/categories` (CategoryManagement::getTree: the tree from the
 * store's root category, each node `id, parent_id, name, is_active, position, level, product_count, children_data`
 * and nothing else: a category's other attributes are not in the tree)
 * and `POST /V1/categories` (CategoryRepository::save: a new category under `parent_id`, the store's root when none
 * is given; a parent that does not exist is a NoSuchEntityException on `id`; a name is required). Names need not be
 * unique, so a second create of the same name makes a second category.
 */
import type { Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { magentoError, requiredField } from './magento-error.js';
import type { MagentoState, Row } from './state.js';

/** The default store's root category (Default Category). */
const STORE_ROOT = 2;

/** Category routes under `/rest/:store/V1`. */
export function categoryRoutes(V1: string, state: () => MagentoState): Route[] {
  return [
    { method: 'GET', path: `${V1}/categories`, handle: () => ({ status: 200, body: tree(state(), STORE_ROOT) }) },
    {
      method: 'POST',
      path: `${V1}/categories`,
      handle: (r) => {
        const category = (r.body as { category?: Row } | undefined)?.category;
        return category ? createCategory(state(), category) : requiredField('category');
      },
    },
  ];
}

/** A node as CategoryTreeInterface has it (magento/magento2 `Catalog/Api/Data/CategoryTreeInterface.php`). */
function tree(state: MagentoState, id: number): Row {
  const { parent_id, name, is_active, position, level } = state.categories.get(id)!;
  const node = { id, parent_id, name, is_active, position, level };
  const children = [...state.categories.values()].filter((c) => c.parent_id === id);
  const products = [...state.products.values()].filter((p) =>
    ((p.extension_attributes as Row | undefined)?.category_links as Row[] | undefined)?.some(
      (l) => Number(l.category_id) === id,
    ),
  );
  return { ...node, product_count: products.length, children_data: children.map((c) => tree(state, Number(c.id))) };
}

function createCategory(state: MagentoState, category: Row) {
  const parentId = Number(category.parent_id ?? 0) || STORE_ROOT;
  const parent = state.categories.get(parentId);
  if (!parent)
    return magentoError(404, 'No such entity with %fieldName = %fieldValue', {
      fieldName: 'id',
      fieldValue: String(parentId),
    });
  if (!category.name) return magentoError(400, 'The "%1" attribute is required. Enter and try again.', ['Name']);
  const id = Math.max(...state.categories.keys()) + 1;
  const siblings = [...state.categories.values()].filter((c) => c.parent_id === parentId);
  // What the category carries is kept as sent [emulator: attribute defaults are not modelled].
  const saved: Row = {
    ...category,
    id,
    parent_id: parentId,
    position: siblings.length + 1,
    level: Number(parent.level) + 1,
    path: `${String(parent.path)}/${id}`,
    created_at: now(),
    updated_at: now(),
  };
  state.categories.set(id, saved);
  return { status: 200, body: saved };
}
