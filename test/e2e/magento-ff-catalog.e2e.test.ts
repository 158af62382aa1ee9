/**
 * The ERP's catalogue reaching the store, end to end through a real nats-server, the engine, the FF org's Change
 * Data Capture (Pub/Sub API) and the Magento emulator: a product and its price book entries created in the FF org
 * become a Magento product with its attribute set, categories, weight, status, group and sale prices; merchandising
 * then rewrites its content in Magento, and the ERP's next changes (the product, a price, a price book entry
 * deactivated, then the last group price's) move only price, weight, status and prices, never the content; the
 * dropped group prices are deleted from Magento. A variant family becomes a configurable parent with its children.
 * Stock counted in FF reaches the Magento sources, and a fulfilment moves the order through shipped, delivered and
 * returned.
 */
import { afterEach, expect, it } from 'vitest';
import { MAGENTO_EMULATOR_ADMIN } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { createSalesforceRecord, patchSalesforceRecord } from '../runtime/helpers/vendor-engine.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const attribute = (p: Row | undefined, code: string) =>
  (p?.custom_attributes as Row[] | undefined)?.find((a) => a.attribute_code === code)?.value;

it('a new ERP product appears in Magento, and its content stays merchandising’s when the ERP changes it', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const mug = () => magento.state.products.get('MUG-2');
  const book = (name: string) => String(ff.records('Pricebook2').find((b) => b.Name === name)!.Id);

  // Product management sets up the sale price book's dates, the product, and its prices in FF.
  await patchSalesforceRecord(ff.url, 'Pricebook2', book('Web Sale'), {
    ValidFrom: '2026-12-01T00:00:00.000+0000',
    ValidTo: '2027-01-06T23:59:59.000+0000',
  });
  const product = await createSalesforceRecord(ff.url, 'Product2', {
    ProductCode: 'MUG-2',
    Name: 'Stoneware Mug',
    Description: 'Stoneware mug, 350 ml.',
    Family: 'Kitchen',
    IsActive: true,
    Web_Visible__c: true,
    Weight__c: 0.45,
  });
  const entries: Record<string, string> = {};
  for (const [name, price] of [
    ['Standard Price Book', 14.5],
    ['Wholesale', 11.5],
    ['Wholesale 24+', 10],
    ['Web Sale', 12],
  ] as const)
    entries[name] = await createSalesforceRecord(ff.url, 'PricebookEntry', {
      Pricebook2Id: book(name),
      Product2Id: product,
      UnitPrice: price,
      IsActive: true,
    });
  await waitFor(
    () => magento.state.specialPrices.has('MUG-2') && magento.state.tierPrices.get('MUG-2')?.length === 2,
    () =>
      `the new product with its prices; Magento got ${JSON.stringify(magento.requests.map((r) => [r.method, r.path]))}`,
  );
  await expectDrained(h.nats.url);
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

  // The ERP changes the product (its own name and description too), its price, and drops the 24+ price book entry.
  await patchSalesforceRecord(ff.url, 'Product2', product, {
    Name: 'STONEWARE MUG 350',
    Description: 'ERP text',
    Weight__c: 0.5,
    IsActive: false,
  });
  await patchSalesforceRecord(ff.url, 'PricebookEntry', entries['Standard Price Book'], { UnitPrice: 15.25 });
  await patchSalesforceRecord(ff.url, 'PricebookEntry', entries['Wholesale 24+'], { IsActive: false });
  await waitFor(() => mug()?.price === 15.25 && mug()?.status === 2, 'the new price and status');
  await waitFor(() => magento.state.tierPrices.get('MUG-2')?.length === 1, 'the group prices replaced');
  await expectDrained(h.nats.url);
  expect(mug()).toMatchObject({ price: 15.25, weight: 0.5, status: 2, name: content.name, attribute_set_id: 9 });
  expect(attribute(mug(), 'description')).toBe('<p>Thrown by hand in our Porto studio.</p>');
  expect(attribute(mug(), 'meta_title')).toBe('Harbour Blue Stoneware Mug');
  expect(magento.state.tierPrices.get('MUG-2')).toEqual([
    { customer_group: 'Wholesale', quantity: 1, price: 11.5, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
  ]);
  // The last group price goes too: deleted (a replace with no rows would have left it).
  await patchSalesforceRecord(ff.url, 'PricebookEntry', entries.Wholesale, { IsActive: false });
  await waitFor(() => magento.state.tierPrices.get('MUG-2')?.length === 0, 'the last group price deleted');
  await expectDrained(h.nats.url);
  const deletes = magento.requests.filter((r) => r.path.endsWith('/products/tier-prices-delete'));
  expect(deletes.map((r) => r.body)).toEqual([
    {
      prices: [
        { customer_group: 'Wholesale', quantity: 24, price: 10, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
      ],
    },
    {
      prices: [
        { customer_group: 'Wholesale', quantity: 1, price: 11.5, price_type: 'fixed', website_id: 0, sku: 'MUG-2' },
      ],
    },
  ]);
  // One create ever; every later write was a partial update carrying only what the ERP owns.
  expect(magento.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/V1/products'))).toHaveLength(1);
  const updates = magento.requests
    .filter((r) => r.method === 'PUT' && r.path.endsWith('/default/V1/products/MUG-2'))
    .map((r) => r.body as { product: Row });
  expect(updates.length).toBeGreaterThan(0);
  for (const update of updates)
    expect(Object.keys(update.product).sort()).toEqual(['price', 'sku', 'status', 'weight']);
  expect(updates.at(-1)).toEqual({
    product: { sku: 'MUG-2', price: 15.25, weight: 0.5, status: 2 },
    saveOptions: true,
  });
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);

it('stock counted in FF reaches the Magento sources; only quantity changes are sent', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const mug = String(ff.records('Product2').find((p) => p.ProductCode === 'MUG-1')!.Id);
  const location = (name: string) => String(ff.records('Location').find((l) => l.Name === name)!.Id);
  const item = (name: string) =>
    String(ff.records('ProductItem').find((i) => i.Product2Id === mug && i.LocationId === location(name))!.Id);
  const source = (code: string) => magento.state.sourceItems.get(`MUG-1/${code}`);

  await patchSalesforceRecord(ff.url, 'ProductItem', item('WH-EAST'), { QuantityOnHand: 40 });
  await patchSalesforceRecord(ff.url, 'ProductItem', item('WH-WEST'), { QuantityOnHand: 0 });
  // A unit of measure is no stock; a new location's first count is.
  await patchSalesforceRecord(ff.url, 'ProductItem', item('WH-EAST'), { QuantityUnitOfMeasure: 'Box' });
  await createSalesforceRecord(ff.url, 'ProductItem', {
    Product2Id: mug,
    LocationId: location('STORE-NYC'),
    QuantityOnHand: 6,
  });
  await waitFor(() => source('nyc_store')?.quantity === 6, 'the NYC store stock');
  await expectDrained(h.nats.url);
  expect([source('east_warehouse'), source('west_warehouse'), source('nyc_store')]).toEqual([
    expect.objectContaining({ sku: 'MUG-1', source_code: 'east_warehouse', quantity: 40, status: 1 }),
    expect.objectContaining({ sku: 'MUG-1', source_code: 'west_warehouse', quantity: 0, status: 0 }),
    expect.objectContaining({ sku: 'MUG-1', source_code: 'nyc_store', quantity: 6, status: 1 }),
  ]);
  const writes = magento.requests
    .filter((r) => r.method === 'POST' && r.path.endsWith('/inventory/source-items'))
    .map((r) => (r.body as { sourceItems: Row[] }).sourceItems);
  expect(writes).toEqual([
    [{ sku: 'MUG-1', source_code: 'east_warehouse', quantity: 40, status: 1 }],
    [{ sku: 'MUG-1', source_code: 'west_warehouse', quantity: 0, status: 0 }],
    [{ sku: 'MUG-1', source_code: 'nyc_store', quantity: 6, status: 1 }],
  ]);
}, 120_000);

it('a fulfilment shipped, delivered and returned in FF: one shipment with tracking, two comments for the customer', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const fulfilment = await createSalesforceRecord(ff.url, 'Fulfilment__c', {
    Magento_Order_Id__c: '1001',
    Status__c: 'Picking',
  });
  await createSalesforceRecord(ff.url, 'Fulfilment_Line__c', {
    Fulfilment__c: fulfilment,
    Magento_Order_Item_Id__c: '10011',
    Quantity__c: 1,
  });
  await createSalesforceRecord(ff.url, 'Fulfilment_Package__c', {
    Fulfilment__c: fulfilment,
    Carrier__c: 'UPS',
    Tracking_Number__c: '1Z999AA10123456784',
  });
  const name = String(ff.records('Fulfilment__c')[0].Name);
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', fulfilment, { Status__c: 'Shipped' });
  await waitFor(() => magento.state.shipments.length === 1, 'the shipment');
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', fulfilment, { Status__c: 'Delivered' });
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', fulfilment, { Status__c: 'Returned' });
  const history = () => (magento.state.orders.get(1001)!.status_histories as Row[] | undefined) ?? [];
  await waitFor(() => history().length === 2, 'the delivered and returned comments');
  await expectDrained(h.nats.url);
  expect(magento.state.shipments).toEqual([
    expect.objectContaining({
      order_id: 1001,
      total_qty: 1,
      items: [expect.objectContaining({ order_item_id: 10011, qty: 1 })],
      tracks: [expect.objectContaining({ track_number: '1Z999AA10123456784', carrier_code: 'ups' })],
      comments: [expect.objectContaining({ comment: `FinancialForce fulfilment ${name}` })],
    }),
  ]);
  // Newest first, as Magento lists an order's history.
  expect(history().map((c) => [c.comment, c.is_customer_notified, c.is_visible_on_front])).toEqual([
    [`Returned to us: UPS 1Z999AA10123456784 (FinancialForce fulfilment ${name})`, 1, 1],
    [`Delivered: UPS 1Z999AA10123456784 (FinancialForce fulfilment ${name})`, 1, 1],
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);

it('a variant family in FF becomes a configurable parent with its size option and each variant linked once', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const standard = String(ff.records('Pricebook2').find((b) => b.IsStandard === true)!.Id);
  const priced = async (fields: Row, price: number) => {
    const id = await createSalesforceRecord(ff.url, 'Product2', {
      Family: 'Apparel',
      IsActive: true,
      Web_Visible__c: true,
      Weight__c: 0.2,
      ...fields,
    });
    await createSalesforceRecord(ff.url, 'PricebookEntry', {
      Pricebook2Id: standard,
      Product2Id: id,
      UnitPrice: price,
      IsActive: true,
    });
    return id;
  };
  // The variants first: their events wait (retry) until the parent's own event has created it in Magento.
  const parent = await createSalesforceRecord(ff.url, 'Product2', {
    ProductCode: 'TEE-2',
    Name: 'Linen Tee',
    Family: 'Apparel',
    IsActive: true,
    Web_Visible__c: true,
  });
  await priced({ ProductCode: 'TEE-2-M', Name: 'Linen Tee - M', Size__c: 'M', Variant_Parent__c: parent }, 29);
  await priced({ ProductCode: 'TEE-2-L', Name: 'Linen Tee - L', Size__c: 'L', Variant_Parent__c: parent }, 31);
  await createSalesforceRecord(ff.url, 'PricebookEntry', {
    Pricebook2Id: standard,
    Product2Id: parent,
    UnitPrice: 29,
    IsActive: true,
  });
  const tee = () => magento.state.products.get('TEE-2');
  const links = () =>
    (tee()?.extension_attributes as Row | undefined)?.configurable_product_links as number[] | undefined;
  await waitFor(
    () => links()?.length === 2,
    () => `both variants linked; Magento got ${JSON.stringify(magento.requests.map((r) => [r.method, r.path]))}`,
  );
  await expectDrained(h.nats.url);
  const child = (sku: string) => magento.state.products.get(sku)!;
  expect(tee()).toMatchObject({
    sku: 'TEE-2',
    name: 'Linen Tee',
    type_id: 'configurable',
    visibility: 4,
    extension_attributes: {
      configurable_product_options: [
        {
          attribute_id: '144',
          label: 'Size',
          position: 0,
          values: [201, 202, 203, 204].map((value_index) => ({ value_index })),
        },
      ],
    },
  });
  expect([...links()!].sort()).toEqual([child('TEE-2-M').id, child('TEE-2-L').id].sort());
  for (const sku of ['TEE-2-M', 'TEE-2-L'])
    expect(child(sku)).toMatchObject({ type_id: 'simple', visibility: 1, attribute_set_id: 10, status: 1 });
  expect(attribute(child('TEE-2-M'), 'size')).toBe('202');
  expect(attribute(child('TEE-2-L'), 'size')).toBe('203');
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);

it('a new ERP product with a category path goes into it; the levels Magento lacks are created once', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const standard = String(ff.records('Pricebook2').find((b) => b.IsStandard === true)!.Id);
  for (const [code, path] of [
    ['BAG-1', 'Shop/Bags'],
    ['BAG-2', 'Shop/Bags/Totes'],
  ]) {
    const id = await createSalesforceRecord(ff.url, 'Product2', {
      ProductCode: code,
      Name: `Canvas ${code}`,
      Family: 'Accessories',
      IsActive: true,
      Web_Visible__c: true,
      Web_Category__c: path,
    });
    await createSalesforceRecord(ff.url, 'PricebookEntry', {
      Pricebook2Id: standard,
      Product2Id: id,
      UnitPrice: 20,
      IsActive: true,
    });
    // One product at a time: two new products of one new category would each look it up and create it.
    await waitFor(() => magento.state.products.has(code), `product ${code}`);
    await expectDrained(h.nats.url);
  }
  const named = (name: string) => [...magento.state.categories.values()].filter((c) => c.name === name);
  expect(named('Bags')).toEqual([expect.objectContaining({ parent_id: 3, level: 3 })]);
  const bags = Number(named('Bags')[0].id);
  expect(named('Totes')).toEqual([expect.objectContaining({ parent_id: bags, level: 4 })]);
  const totes = Number(named('Totes')[0].id);
  const links = (sku: string) => (magento.state.products.get(sku)!.extension_attributes as Row).category_links;
  expect(links('BAG-1')).toEqual([{ position: 0, category_id: String(bags) }]);
  expect(links('BAG-2')).toEqual([{ position: 0, category_id: String(totes) }]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);
