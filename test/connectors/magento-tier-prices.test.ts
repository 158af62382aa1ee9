/**
 * Removing tier prices as Magento_Catalog's TierPriceStorage does, pinned against the emulator through the real
 * client: a replace with no rows clears nothing (it only clears the SKUs of the rows it is sent), a delete removes the
 * rows of the same group, quantity and price, and a row already gone removes nothing and is no error.
 */
import { expect, it } from 'vitest';
import { failure } from './connector-fixtures.js';
import { magentoPerTest } from './magento-emulator-client.js';

const start = magentoPerTest();

const row = { price_type: 'fixed', website_id: 0 };
const wholesale = { ...row, customer_group: 'Wholesale', quantity: 1, price: 11.5 };
const dozen = { ...row, customer_group: 'Wholesale', quantity: 12, price: 10 };

it('clears tier prices only by delete: an empty replace keeps them, a delete removes the rows it names, once', async () => {
  const { m, call } = await start();
  await call('tier_prices.replace', { sku: 'MUG-1', prices: [wholesale, dozen] });
  await call('tier_prices.replace', { sku: 'MUG-1', prices: [] });
  const both = [
    { ...wholesale, sku: 'MUG-1' },
    { ...dozen, sku: 'MUG-1' },
  ];
  expect(await call('tier_prices.get', { sku: 'MUG-1' })).toEqual({ sku: 'MUG-1', prices: both });
  // Another price for the same group and quantity is not the stored row: nothing is removed.
  await call('tier_prices.delete', { sku: 'MUG-1', prices: [{ ...dozen, price: 9 }] });
  expect(m.state.tierPrices.get('MUG-1')).toEqual(both);
  // The group compares without case; the same delete again (an answer lost) removes nothing more and succeeds.
  const gone = { sku: 'MUG-1', prices: [{ ...dozen, customer_group: 'wholesale' }] };
  expect(await call('tier_prices.delete', gone)).toEqual({ sku: 'MUG-1', saved: true });
  expect(await call('tier_prices.delete', gone)).toEqual({ sku: 'MUG-1', saved: true });
  expect(await call('tier_prices.get', { sku: 'MUG-1' })).toEqual({ sku: 'MUG-1', prices: [both[0]] });
  // Rows are validated as for a replace: an unknown group is refused, with Magento's reason.
  const refused = await failure(
    call('tier_prices.delete', { sku: 'MUG-1', prices: [{ ...wholesale, customer_group: 'Gold' }] }),
  );
  expect(refused.message).toBe(
    'No such entity with Customer Group = Gold. Row ID: SKU = MUG-1, Website ID: 0, Customer Group: Gold, Quantity: 1.',
  );
  expect(m.state.tierPrices.get('MUG-1')).toEqual([both[0]]);
  // A SKU the store does not have has no rows.
  expect(await call('tier_prices.get', { sku: 'NOPE' })).toEqual({ sku: 'NOPE', prices: [] });
});
