/**
 * What Magento's product save gives a new product, pinned against the emulator through the real client: the stock
 * item with its columns' defaults and the store configuration's values (StockItemRepository::save deciding whether
 * it is in stock), and the attribute defaults of its attribute set (docs/connectors.md, "A new product's defaults").
 */
import { describe, expect, it } from 'vitest';
import { MAGENTO_TIME } from './connector-fixtures.js';
import { magentoPerTest } from './magento-emulator-client.js';

type Row = Record<string, unknown>;

const start = magentoPerTest();

/** A stock item as a default install answers it, all `use_config_*` flags on. */
const stockItem = (id: number, stock: object) => ({
  item_id: id,
  product_id: id,
  stock_id: 1,
  ...{ is_qty_decimal: false, show_default_notification_message: false, use_config_min_qty: true, min_qty: 0 },
  ...{ use_config_min_sale_qty: 1, min_sale_qty: 1, use_config_max_sale_qty: true, max_sale_qty: 10000 },
  ...{ use_config_backorders: true, backorders: 0, use_config_notify_stock_qty: true, notify_stock_qty: 1 },
  ...{ use_config_qty_increments: true, qty_increments: 0, use_config_enable_qty_inc: true },
  ...{ enable_qty_increments: false, use_config_manage_stock: true, manage_stock: true, is_decimal_divided: false },
  ...stock,
});
const mug = { sku: 'MUG-9', name: 'Stoneware Mug', attribute_set_id: 4, type_id: 'simple', price: 14.5 };

describe('a new Magento product', () => {
  it('is answered with its stock item (none sent: no quantity, so out of stock, set so automatically, and low) and the attribute defaults', async () => {
    const { call } = await start();
    const created = await call('products.create', {
      ...mug,
      extension_attributes: { category_links: [{ position: 0, category_id: '11' }] },
      custom_attributes: [{ attribute_code: 'description', value: 'Stoneware.' }],
    });
    expect(created).toEqual({
      ...{ ...mug, id: 5, status: 1, visibility: 4 },
      ...{ product_links: [], options: [], media_gallery_entries: [], tier_prices: [] },
      created_at: expect.stringMatching(MAGENTO_TIME),
      updated_at: expect.stringMatching(MAGENTO_TIME),
      custom_attributes: [
        { attribute_code: 'description', value: 'Stoneware.' },
        { attribute_code: 'category_ids', value: ['11'] },
        { attribute_code: 'options_container', value: 'container2' },
        { attribute_code: 'required_options', value: '0' },
        { attribute_code: 'has_options', value: '0' },
        { attribute_code: 'url_key', value: 'stoneware-mug' },
        { attribute_code: 'tax_class_id', value: '2' },
      ],
      extension_attributes: {
        website_ids: [1],
        category_links: [{ position: 0, category_id: '11' }],
        stock_item: stockItem(5, {
          ...{ qty: null, is_in_stock: false, stock_status_changed_auto: 1 },
          low_stock_date: expect.stringMatching(MAGENTO_TIME),
        }),
      },
    });
  });

  it('keeps a stock item it was sent: in stock with a quantity, out of stock (automatically, dated low) with none left', async () => {
    const { call } = await start();
    // The Adobe tutorial's stock item: the quantity as a string, answered as a number.
    const stocked = (await call('products.create', {
      ...mug,
      extension_attributes: { stock_item: { qty: '10', is_in_stock: true } },
    })) as { extension_attributes: { stock_item: object } };
    expect(stocked.extension_attributes.stock_item).toEqual(
      stockItem(5, { qty: 10, is_in_stock: true, low_stock_date: null, stock_status_changed_auto: 0 }),
    );
    const sold = (await call('products.create', {
      ...{ ...mug, sku: 'MUG-10' },
      extension_attributes: { stock_item: { qty: 0, is_in_stock: true } },
    })) as { extension_attributes: { stock_item: object } };
    expect(sold.extension_attributes.stock_item).toEqual(
      stockItem(6, {
        ...{ qty: 0, is_in_stock: false, stock_status_changed_auto: 1 },
        low_stock_date: expect.stringMatching(MAGENTO_TIME),
      }),
    );
  });

  it("answers the configuration's value for a stock column whose use_config flag stays on, its own once off", async () => {
    const { call } = await start();
    const stockOf = async (sku: string, stock_item: object) =>
      (
        (await call('products.create', { ...mug, sku, extension_attributes: { stock_item } })) as {
          extension_attributes: { stock_item: Record<string, unknown> };
        }
      ).extension_attributes.stock_item;
    expect(await stockOf('MUG-11', { qty: 5, is_in_stock: true, min_sale_qty: 4 })).toMatchObject({
      ...{ use_config_min_sale_qty: 1, min_sale_qty: 1, is_in_stock: true },
    });
    expect(
      await stockOf('MUG-12', { qty: 5, is_in_stock: true, min_sale_qty: 4, use_config_min_sale_qty: 0 }),
    ).toMatchObject({ use_config_min_sale_qty: 0, min_sale_qty: 4 });
    // Stock not managed: in stock whatever the quantity, and never set so automatically.
    expect(await stockOf('MUG-13', { use_config_manage_stock: false, manage_stock: false })).toMatchObject({
      ...{ qty: null, manage_stock: false, is_in_stock: true, stock_status_changed_auto: 0 },
    });
  });

  it('formats a url_key it was sent as one made from the name, and keeps an attribute it was sent over its default', async () => {
    const { call } = await start();
    const created = (await call('products.create', {
      ...mug,
      custom_attributes: [
        { attribute_code: 'url_key', value: ' Mug, Stoneware!' },
        { attribute_code: 'tax_class_id', value: '0' },
        { attribute_code: 'options_container', value: 'container1' },
      ],
    })) as { custom_attributes: object[] };
    expect(created.custom_attributes).toEqual([
      { attribute_code: 'url_key', value: 'mug-stoneware' },
      { attribute_code: 'tax_class_id', value: '0' },
      { attribute_code: 'options_container', value: 'container1' },
      { attribute_code: 'required_options', value: '0' },
      { attribute_code: 'has_options', value: '0' },
    ]);
  });

  it("spells a name's letters in Latin by Translit's table for its url_key; a letter the table lacks separates", async () => {
    const { call } = await start();
    const urlKeyOf = async (sku: string, name: string) => {
      const created = (await call('products.create', { ...mug, sku, name })) as { custom_attributes: Row[] };
      return created.custom_attributes.find((a) => a.attribute_code === 'url_key')?.value;
    };
    expect(await urlKeyOf('CUP-1', 'Café Größe XL')).toBe('cafe-grosse-xl');
    expect(await urlKeyOf('CUP-2', 'Łódź Mug @ Home™')).toBe('lodz-mug-at-hometm');
    // The table has the escaped `&amp;`, not a bare `&`; nor has it `ã`.
    expect(await urlKeyOf('CUP-3', 'Salt &amp; Pepper & São Paulo')).toBe('salt-and-pepper-s-o-paulo');
  });
});
