/** Products (partial updates), the legacy stock item and MSI source items. */
import type { Route } from '../../../engine/sdk/index.js';
import { magentoError, noProduct, requiredField, validationFailed } from './magento-error.js';
import { productAnswer } from './product-answer.js';
import { newProductAttributes, nextStockItemId, savedStockItem } from './product-defaults.js';
import type { MagentoState, Row } from './state.js';

/** Catalog routes under `/rest/:store/V1`. */
export function catalogRoutes(V1: string, state: () => MagentoState): Route[] {
  return [
    { method: 'GET', path: `${V1}/products/:sku`, handle: (r) => found(state(), state().products.get(r.params.sku)) },
    {
      method: 'PUT',
      path: `${V1}/products/:sku`,
      handle: (r) => {
        const product = (r.body as { product?: Row } | undefined)?.product;
        return product ? saveProduct(state(), r.params.sku, product) : requiredField('product');
      },
    },
    {
      // ProductRepository::save: a SKU the store has is saved over (the same partial merge as a PUT).
      method: 'POST',
      path: `${V1}/products`,
      handle: (r) => {
        const product = (r.body as { product?: Row } | undefined)?.product;
        if (!product) return requiredField('product');
        if (!product.sku) return requiredField('sku');
        return saveProduct(state(), String(product.sku), product);
      },
    },
    {
      method: 'PUT',
      path: `${V1}/products/:sku/stockItems/:itemId`,
      handle: (r) => {
        const existing = state().products.get(r.params.sku);
        if (!existing) return noProduct();
        const stock = (r.body as { stockItem?: Row } | undefined)?.stockItem;
        if (!stock) return requiredField('stockItem');
        const ext = existing.extension_attributes as { stock_item: Row };
        if (String(ext.stock_item.item_id) !== r.params.itemId)
          return magentoError(404, 'The stock item with "%1" ID wasn\'t found. Verify the ID and try again.', [
            r.params.itemId,
          ]);
        if (stock.qty !== undefined && typeof stock.qty !== 'number')
          return magentoError(400, 'The "%1" value is invalid for the "qty" attribute.', [String(stock.qty)]);
        // StockRegistry::updateStockItemBySku: what was sent over the stored item, saved by the repository's rules.
        ext.stock_item = savedStockItem(Number(ext.stock_item.item_id), Number(existing.id), {
          ...ext.stock_item,
          ...stock,
        });
        return { status: 200, body: Number(r.params.itemId) };
      },
    },
    {
      method: 'POST',
      path: `${V1}/inventory/source-items`,
      handle: (r) => {
        const items = (r.body as { sourceItems?: Row[] } | undefined)?.sourceItems;
        if (!Array.isArray(items) || items.length === 0) return requiredField('sourceItems');
        const errors: { message: string; parameters: Record<string, string> }[] = [];
        for (const item of items) {
          for (const field of ['sku', 'source_code', 'quantity', 'status'])
            if (item[field] === undefined || item[field] === null || item[field] === '')
              errors.push({ message: '"%field" can not be empty.', parameters: { field } });
          if (item.quantity !== undefined && (typeof item.quantity !== 'number' || Number.isNaN(item.quantity)))
            errors.push({ message: '"%field" should be numeric.', parameters: { field: 'quantity' } });
          if (item.status !== undefined && item.status !== 0 && item.status !== 1)
            errors.push({ message: '"%field" should a known status.', parameters: { field: 'status' } });
          if (item.sku !== undefined && !state().products.has(String(item.sku)))
            errors.push({ message: 'Product with SKU "%sku" does not exist.', parameters: { sku: String(item.sku) } });
          if (item.source_code !== undefined && !state().sources.has(String(item.source_code)))
            errors.push({
              message: 'Source with code "%code" does not exist.',
              parameters: { code: String(item.source_code) },
            });
        }
        if (errors.length) return validationFailed(errors);
        for (const item of items)
          state().sourceItems.set(`${String(item.sku)}/${String(item.source_code)}`, { ...item });
        return { status: 200, body: [] };
      },
    },
  ];
}

/** Saves a product: a partial update of the SKU the store has, else a new product. */
function saveProduct(state: MagentoState, sku: string, product: Row) {
  const existing = state.products.get(sku);
  if (!existing) return createProduct(state, sku, product);
  if (product.price !== undefined && (typeof product.price !== 'number' || product.price < 0))
    return magentoError(400, 'The "%1" value is invalid for the "price" attribute.', [String(product.price)]);
  // A partial update: only the attributes sent change; custom attributes merge by attribute_code.
  const merged: Row = { ...existing, ...product, sku: existing.sku, updated_at: now() };
  if (Array.isArray(product.custom_attributes))
    merged.custom_attributes = valued(
      mergeByCode(existing.custom_attributes as Row[], product.custom_attributes as Row[]),
    );
  state.products.set(sku, merged);
  return { status: 200, body: productAnswer(state, merged) };
}

/**
 * `PUT /V1/products/:sku` (or `POST /V1/products`) for a SKU the store does not have creates the product
 * (ProductRepository::save treats the missing SKU as new). What EAV validation demands of a new product is not
 * published per version; the emulator asks for a name and a price, and says so in its message.
 */
function createProduct(state: MagentoState, sku: string, product: Row) {
  if (!product.name || typeof product.price !== 'number')
    return magentoError(400, 'Invalid product data: %1', ['[emulator] a new product needs at least name and price']);
  const stamp = now();
  const id = Math.max(0, ...[...state.products.values()].map((p) => Number(p.id))) + 1;
  const extension = product.extension_attributes as Row | undefined;
  const created: Row = {
    id,
    attribute_set_id: 4,
    type_id: 'simple',
    status: 1,
    visibility: 4,
    ...product,
    custom_attributes: newProductAttributes(product, valued((product.custom_attributes as Row[] | undefined) ?? [])),
    sku,
    created_at: stamp,
    updated_at: stamp,
    // In the store's one website unless it names its own (ProductRepository::initializeProductData, single store
    // mode); category links and the other extension attributes sent are kept; the stock item is saved with it.
    extension_attributes: {
      website_ids: [1],
      ...extension,
      stock_item: savedStockItem(nextStockItemId(state.products.values()), id, extension?.stock_item as Row),
    },
  };
  state.products.set(sku, created);
  return { status: 200, body: productAnswer(state, created) };
}

function found(state: MagentoState, row: Row | undefined) {
  return row ? { status: 200, body: productAnswer(state, row) } : noProduct();
}

/**
 * The custom attributes a saved product answers: `save` answers the product loaded again (ProductRepository::get),
 * and a loaded product lists only the attributes that have a value (AbstractExtensibleModel::initializeCustomAttributes
 * skips a null one), so an attribute sent as null is cleared, not answered.
 */
function valued(attributes: Row[]): Row[] {
  return attributes.filter((a) => a.value !== null && a.value !== undefined);
}

function mergeByCode(existing: Row[] = [], updates: Row[]): Row[] {
  const out = existing.map((a) => ({ ...a }));
  for (const u of updates) {
    const at = out.findIndex((a) => a.attribute_code === u.attribute_code);
    if (at >= 0) out[at] = { ...u };
    else out.push({ ...u });
  }
  return out;
}

/** Magento's timestamp format, UTC. */
export function now(): string {
  return new Date().toISOString().replace('T', ' ').slice(0, 19);
}
