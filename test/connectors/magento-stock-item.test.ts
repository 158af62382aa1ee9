/**
 * A legacy stock item update (`PUT /V1/products/:sku/stockItems/:itemId`, StockRegistry::updateStockItemBySku) is
 * saved by the same StockItemRepository::save rules as a new product's stock item, pinned against the emulator
 * through the real client: none left is out of stock whatever was sent, set so automatically and dated low.
 */
import { describe, expect, it } from 'vitest';
import { MAGENTO_TIME } from './connector-fixtures.js';
import { magentoPerTest } from './magento-emulator-client.js';

const start = magentoPerTest();

describe('a Magento stock item update', () => {
  it('sold out is out of stock though sent in stock, set so automatically and dated low; restocked is back to normal', async () => {
    const { m, call } = await start();
    const stockItem = () => (m.state.products.get('MUG-1')!.extension_attributes as { stock_item: object }).stock_item;
    await call('stock_items.update', { sku: 'MUG-1', item_id: 1, qty: 0, is_in_stock: true });
    expect(stockItem()).toMatchObject({
      ...{ item_id: 1, product_id: 1, qty: 0, is_in_stock: false, stock_status_changed_auto: 1 },
      low_stock_date: expect.stringMatching(MAGENTO_TIME),
    });
    await call('stock_items.update', { sku: 'MUG-1', item_id: 1, qty: 5, is_in_stock: true });
    expect(stockItem()).toMatchObject({
      qty: 5,
      is_in_stock: true,
      stock_status_changed_auto: 0,
      low_stock_date: null,
    });
  });
});
