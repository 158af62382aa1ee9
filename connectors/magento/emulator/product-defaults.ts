/**
 * What Magento's product save gives a new product beyond what it was sent: its legacy stock item and the default
 * values of its attribute set's attributes (docs/connectors.md, the Magento row "A new product's defaults").
 */
import { now } from './catalog-routes.js';
import type { Row } from './state.js';
import { urlKeyOf } from './url-key.js';

/**
 * The store configuration's stock values (CatalogInventory `etc/config.xml` `item_options`), each with the
 * `use_config_*` flag under which the item answers it instead of its own column (Stock\Item's getters).
 */
const CONFIGURED: [field: string, flag: string, value: unknown][] = [
  ['min_qty', 'use_config_min_qty', 0],
  ['min_sale_qty', 'use_config_min_sale_qty', 1],
  ['max_sale_qty', 'use_config_max_sale_qty', 10000],
  ['backorders', 'use_config_backorders', 0],
  ['notify_stock_qty', 'use_config_notify_stock_qty', 1],
  ['enable_qty_increments', 'use_config_enable_qty_inc', false],
  ['qty_increments', 'use_config_qty_increments', 1],
  ['manage_stock', 'use_config_manage_stock', true],
];

/**
 * A new stock item as `extension_attributes.stock_item` answers it (StockItemInterface): the columns of
 * cataloginventory_stock_item at their defaults (every `use_config_*` flag on), in the default stock (1).
 */
function defaultStockItem(itemId: number, productId: number): Row {
  return {
    item_id: itemId,
    product_id: productId,
    stock_id: 1,
    qty: null,
    is_in_stock: false,
    is_qty_decimal: false,
    show_default_notification_message: false,
    use_config_min_qty: true,
    min_qty: 0,
    use_config_min_sale_qty: 1, // StockItemInterface declares this one `int`, the other flags `bool`
    min_sale_qty: 1,
    use_config_max_sale_qty: true,
    max_sale_qty: 0,
    use_config_backorders: true,
    backorders: 0,
    use_config_notify_stock_qty: true,
    notify_stock_qty: null,
    use_config_qty_increments: true,
    qty_increments: 0,
    use_config_enable_qty_inc: true,
    enable_qty_increments: false,
    use_config_manage_stock: true,
    manage_stock: false,
    low_stock_date: null,
    is_decimal_divided: false,
    stock_status_changed_auto: 0,
  };
}

/**
 * The stock item a product's save leaves, as answered: the defaults with what was sent, each value whose
 * `use_config_*` flag is on the configuration's, then StockItemRepository::save's rules for a product type with a
 * quantity. An item without a quantity, or at or below its minimum without backorders, is out of stock, and then
 * flagged as set so automatically; one below the notify quantity gets the low-stock date, now.
 */
export function savedStockItem(itemId: number, productId: number, sent: Row = {}): Row {
  const item: Row = { ...defaultStockItem(itemId, productId), ...sent, item_id: itemId, product_id: productId };
  for (const [field, flag, value] of CONFIGURED) if (item[flag]) item[field] = value;
  // getQtyIncrements answers false (0 as JSON) while increments are off.
  if (!item.enable_qty_increments) item.qty_increments = 0;
  if (item.qty !== null && item.qty !== undefined) item.qty = Number(item.qty);
  const qty = item.qty as number | null;
  const sellable = qty !== null && (item.backorders !== 0 || qty > Number(item.min_qty));
  item.stock_status_changed_auto = 0;
  if (item.manage_stock && !sellable) Object.assign(item, { is_in_stock: false, stock_status_changed_auto: 1 });
  // An item whose stock is not managed answers in stock (getIsInStock).
  if (!item.manage_stock) item.is_in_stock = true;
  // verifyNotification compares `(float)` of the quantity, so one without a quantity is low too.
  item.low_stock_date = Number(qty ?? 0) < Number(item.notify_stock_qty) ? now() : null;
  return item;
}

/** A stock item's id: the next of the store's cataloginventory_stock_item rows. */
export function nextStockItemId(products: Iterable<Row>): number {
  const ids = [...products].map((p) => {
    const extension = p.extension_attributes as { stock_item?: Row } | undefined;
    return Number(extension?.stock_item?.item_id ?? 0);
  });
  return Math.max(0, ...ids) + 1;
}

/**
 * The custom attributes a new product is answered with: those sent with a value, then what its save adds. The
 * category ids of its category links; `url_key` made from the name when none is sent (ProductUrlKeyAutogenerator
 * Observer, formatted by TranslitUrl); the static `required_options` and `has_options` (catalog_product_entity
 * columns, default 0); and the attribute defaults EAV applies to what was not sent (AbstractBackend::beforeSave,
 * a default that is not empty): `options_container` container2 and `tax_class_id` 2 (Taxable Goods).
 */
export function newProductAttributes(product: Row, sent: Row[]): Row[] {
  const attributes = sent.map((a) => ({ ...a }));
  const has = (code: string) => attributes.some((a) => a.attribute_code === code);
  const add = (attribute_code: string, value: unknown) => {
    if (!has(attribute_code)) attributes.push({ attribute_code, value });
  };
  const links = (product.extension_attributes as Row | undefined)?.category_links as Row[] | undefined;
  if (links?.length)
    add(
      'category_ids',
      links.map((l) => String(l.category_id)),
    );
  add('options_container', 'container2');
  add('required_options', '0');
  add('has_options', '0');
  const urlKey = attributes.find((a) => a.attribute_code === 'url_key');
  const formatted = urlKeyOf(String(urlKey?.value ?? product.name));
  if (urlKey) urlKey.value = formatted;
  else add('url_key', formatted);
  add('tax_class_id', '2');
  return attributes;
}
