/**
 * Categories (Magento_Catalog `etc/webapi.xml`): `GET /V1/categories` (CategoryManagement::getTree: the tree from the
 * store's root category, each node `id, parent_id, name, is_active, position, level, product_count, children_data`
 * and nothing else: a category's other attributes are not in the tree)
 * and `POST /V1/categories` (CategoryRepository::save: a new category under `parent_id`, the store's root when none
 * is given; a parent that does not exist is a NoSuchEntityException on `id`; a name is required; the answer is the
 * category as saved, with its place in the tree and URL). Names need not be unique, so a second create of the same
 * name makes a second category.
 */
import type { Route } from '../../../engine/sdk/index.js';
import { now } from './catalog-routes.js';
import { magentoError, requiredField } from './magento-error.js';
import { urlKeyOf } from './url-key.js';
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
  const stamp = now();
  // The repository takes path, level and parent_id from the parent, whatever was sent.
  const { path: _path, level: _level, parent_id: _parentId, custom_attributes: sent, ...fields } = category;
  const saved: Row = {
    ...fields,
    id,
    parent_id: parentId,
    name: category.name,
    // The resource model's _beforeSave: after the last of its siblings unless sent, one level below its parent.
    position: category.position ?? Math.max(0, ...siblings.map((c) => Number(c.position))) + 1,
    level: Number(parent.level) + 1,
    children: '', // Category::getChildren: the ids of its children, none yet
    created_at: stamp,
    updated_at: stamp,
    path: `${String(parent.path)}/${id}`,
    available_sort_by: category.available_sort_by ?? [], // getAvailableSortBy answers [] for none
    include_in_menu: category.include_in_menu ?? true, // the attribute's default, 1
    custom_attributes: newCategoryAttributes(parent, category.name as string, (sent as Row[] | undefined) ?? []),
  };
  state.categories.set(id, saved);
  // Every category above it counts one more descendant.
  for (const ancestor of String(parent.path).split('/')) countChild(state.categories.get(Number(ancestor))!);
  return { status: 200, body: saved };
}

/**
 * The custom attributes of a new category: those sent, its `url_key` (made from the name unless sent, formatted),
 * its `url_path` (CategoryUrlPathGenerator: the parent's path and the key, or the key alone under a store's root
 * category, none for a store's root itself) and `children_count` 0.
 */
function newCategoryAttributes(parent: Row, name: string, sent: Row[]): Row[] {
  const attributes = sent.filter((a) => a.value !== null && a.value !== undefined && a.attribute_code !== 'url_key');
  const urlKey = urlKeyOf(String(sent.find((a) => a.attribute_code === 'url_key')?.value ?? name));
  const parentPath = [0, 1].includes(Number(parent.parent_id)) ? '' : String(attribute(parent, 'url_path') ?? '');
  const urlPath = [0, 1].includes(Number(parent.id)) ? '' : parentPath ? `${parentPath}/${urlKey}` : urlKey;
  attributes.push({ attribute_code: 'url_key', value: urlKey });
  if (urlPath) attributes.push({ attribute_code: 'url_path', value: urlPath });
  attributes.push({ attribute_code: 'children_count', value: '0' });
  return attributes;
}

function attribute(category: Row, code: string): unknown {
  return (category.custom_attributes as Row[] | undefined)?.find((a) => a.attribute_code === code)?.value;
}

/** The resource model's _beforeSave adds one to `children_count` of every category on the new one's path. */
function countChild(category: Row) {
  const count = (category.custom_attributes as Row[]).find((a) => a.attribute_code === 'children_count')!;
  count.value = String(Number(count.value) + 1);
}
