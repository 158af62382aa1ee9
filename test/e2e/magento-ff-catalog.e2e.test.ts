/**
 * The ERP's catalogue reaching the store, end to end through a real nats-server, the engine and the Magento emulator:
 * a new FinancialForce product becomes a Magento product with its attribute set, categories, weight, status, group
 * and sale prices; merchandising then rewrites its content in Magento, and the ERP's next change moves only price,
 * weight, status and prices, never the content.
 */
import { afterEach, expect, it } from 'vitest';
import { MAGENTO_EMULATOR_ADMIN } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const entry = (book: string, price: number, extra: Row = {}) => ({
  UnitPrice: price,
  IsActive: true,
  Pricebook2: { Name: book, IsStandard: book === 'Standard Price Book', ...extra },
});

/** The FF product as its record-triggered flow sends it: Product2 with its price book entries. */
const product = (stamp: string, fields: Row, entries: Row[]): Row => ({
  Id: '01t000000000M2QAAU',
  ProductCode: 'MUG-2',
  Name: 'Stoneware Mug',
  Description: 'Stoneware mug, 350 ml.',
  Family: 'Kitchen',
  IsActive: true,
  Web_Visible__c: true,
  Weight__c: 0.45,
  SystemModstamp: stamp,
  PricebookEntries: { totalSize: entries.length, done: true, records: entries },
  ...fields,
});

const attribute = (p: Row | undefined, code: string) =>
  (p?.custom_attributes as Row[] | undefined)?.find((a) => a.attribute_code === code)?.value;

it('a new ERP product appears in Magento, and its content stays merchandising’s when the ERP changes it', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento } = h.systems;
  const mug = () => magento.state.products.get('MUG-2');

  await h.post(
    'ff-products-to-magento-catalog',
    product('2026-12-01T09:00:00.000+0000', {}, [
      entry('Standard Price Book', 14.5),
      entry('Wholesale', 11.5),
      entry('Wholesale 24+', 10),
      entry('Web Sale', 12, { ValidFrom: '2026-12-01T00:00:00.000+0000', ValidTo: '2027-01-06T23:59:59.000+0000' }),
    ]),
    'ff',
  );
  await waitFor(
    () => magento.state.specialPrices.has('MUG-2'),
    () =>
      `the new product with its prices; Magento got ${JSON.stringify(magento.requests.map((r) => [r.method, r.path]))}`,
  );
  expect(mug()).toMatchObject({
    sku: 'MUG-2',
    name: 'Stoneware Mug',
    type_id: 'simple',
    attribute_set_id: 9,
    visibility: 4,
    price: 14.5,
    weight: 0.45,
    status: 1,
    extension_attributes: {
      category_links: [
        { position: 0, category_id: '3' },
        { position: 0, category_id: '11' },
      ],
    },
  });
  expect(attribute(mug(), 'description')).toBe('Stoneware mug, 350 ml.');
  expect(magento.state.tierPrices.get('MUG-2')).toEqual([
    { customer_group: 'Wholesale', quantity: 1, price: 11.5, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
    { customer_group: 'Wholesale', quantity: 24, price: 10, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
  ]);
  expect(magento.state.specialPrices.get('MUG-2')).toEqual([
    { price: 12, store_id: 0, price_from: '2026-12-01 00:00:00', price_to: '2027-01-06 23:59:59', sku: 'MUG-2' },
  ]);

  // Merchandising writes the product's content in Magento (the admin saves it).
  const content = {
    name: 'Stoneware Mug — Harbour Blue',
    custom_attributes: [
      { attribute_code: 'description', value: '<p>Thrown by hand in our Porto studio.</p>' },
      { attribute_code: 'meta_title', value: 'Harbour Blue Stoneware Mug' },
    ],
  };
  const login = await fetch(`${magento.url}/rest/V1/integration/admin/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(MAGENTO_EMULATOR_ADMIN),
  });
  const token = (await login.json()) as string;
  const saved = await fetch(`${magento.url}/rest/all/V1/products/MUG-2`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ product: content }),
  });
  expect(saved.status).toBe(200);

  // The ERP changes the product, its own name and description too, and drops the 24+ price book.
  await h.post(
    'ff-products-to-magento-catalog',
    product(
      '2026-12-02T09:00:00.000+0000',
      { Name: 'STONEWARE MUG 350', Description: 'ERP text', Weight__c: 0.5, IsActive: false },
      [entry('Standard Price Book', 15.25), entry('Wholesale', 12)],
    ),
    'ff',
  );
  await waitFor(() => mug()?.price === 15.25, 'the new price');
  await waitFor(() => magento.state.tierPrices.get('MUG-2')?.length === 1, 'the group prices replaced');
  await expectDrained(h.nats.url);
  expect(mug()).toMatchObject({ price: 15.25, weight: 0.5, status: 2, name: content.name, attribute_set_id: 9 });
  expect(attribute(mug(), 'description')).toBe('<p>Thrown by hand in our Porto studio.</p>');
  expect(attribute(mug(), 'meta_title')).toBe('Harbour Blue Stoneware Mug');
  expect(magento.state.tierPrices.get('MUG-2')).toEqual([
    { customer_group: 'Wholesale', quantity: 1, price: 12, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
  ]);
  // One create ever; the second change was a partial update carrying only what the ERP owns.
  const writes = magento.requests.filter((r) => r.method !== 'GET' && r.path.includes('/products/MUG-2'));
  expect(magento.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/V1/products'))).toHaveLength(1);
  expect(writes.map((r) => r.body)).toEqual([
    { product: content },
    { product: { sku: 'MUG-2', price: 15.25, weight: 0.5, status: 2 }, saveOptions: true },
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});
