/**
 * The lists a Magento product is answered with on every read and save, pinned against the emulator through the real
 * client: `[]` for what it has none of, its media gallery as stored, and the tier prices the tier-price API stored as
 * ProductInterface answers them (docs/connectors.md, "A product's lists").
 */
import { expect, it } from 'vitest';
import { magentoPerTest } from './magento-emulator-client.js';

const start = magentoPerTest();

const row = { website_id: 0, quantity: 1 };

it('answers tier prices stored through the tier-price API on the read and on a save, as the product answers them', async () => {
  const { call } = await start();
  const empty = (await call('products.get', { sku: 'MUG-1' })) as Record<string, unknown>;
  expect(empty).toMatchObject({ product_links: [], options: [], tier_prices: [] });
  expect(empty.media_gallery_entries).toEqual([
    {
      id: 1,
      media_type: 'image',
      label: 'Enamel Mug',
      position: 1,
      disabled: false,
      file: '/m/mug-1.jpg',
      types: ['image', 'thumbnail'],
    },
  ]);
  await call('tier_prices.replace', {
    sku: 'MUG-1',
    prices: [
      { ...row, customer_group: 'wholesale', price: 11.5, price_type: 'fixed' },
      { ...row, customer_group: 'ALL GROUPS', quantity: 12, price: 20, price_type: 'discount' },
    ],
  });
  // MUG-1 costs 12.5: a 20 % discount is answered as its value, 10, with the percentage beside it.
  const tiers = [
    { customer_group_id: 2, qty: 1, value: 11.5, extension_attributes: { website_id: 0 } },
    { customer_group_id: 32000, qty: 12, value: 10, extension_attributes: { website_id: 0, percentage_value: 20 } },
  ];
  expect(await call('products.get', { sku: 'MUG-1' })).toMatchObject({ tier_prices: tiers });
  // A save answers the product loaded again: a new price moves the discount's value with it.
  const repriced = await call('products.update', { sku: 'MUG-1', price: 15 });
  expect(repriced).toMatchObject({ price: 15, tier_prices: [tiers[0], { ...tiers[1], value: 12 }] });
});

it('answers a new product without links, options, media or tier prices with empty lists', async () => {
  const { call } = await start();
  const product = { sku: 'MUG-9', name: 'Stoneware Mug', attribute_set_id: 4, type_id: 'simple', price: 14.5 };
  expect(await call('products.create', product)).toMatchObject({
    ...{ product_links: [], options: [], media_gallery_entries: [], tier_prices: [] },
  });
  expect(await call('products.get', { sku: 'MUG-9' })).toMatchObject({ media_gallery_entries: [], tier_prices: [] });
});
