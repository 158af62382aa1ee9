/**
 * The FinancialForce catalogue, stock and fulfilment flows through the engine on their native source (the FF org's
 * Change Data Capture events), with Magento's answer lost after it committed (`lost`: dropAfterCommit) and with
 * calls that time out before Magento commits (`late`). Magento honours no Idempotency-Key, so what is asserted is
 * its own state: exactly one product, source item, shipment and history comment per business object, with the
 * values of the latest change, and no dead letter.
 */
import { expect, it } from 'vitest';
import { expectDrained, waitFor } from '../../runtime/helpers/runtime-harness.js';
import { createSalesforceRecord, patchSalesforceRecord } from '../../runtime/helpers/vendor-engine.js';
import { answerLate, answerLost } from '../helpers/faults.js';
import { sharedSeedEngine } from '../helpers/shared-seed-engine.js';

type Row = Record<string, unknown>;
const h = sharedSeedEngine(['magento-ff'], {
  fastTimeouts: true,
  faulted: ({ magento }) => [magento],
});

const M = '/rest/default/V1';
/** Magento commits once the call (1 s timeout) has given up, and before the retry's find. */
const late = (pathPrefix: string, method: string) => answerLate(pathPrefix, { method });
/** Magento's product creates of one SKU. */
const creates = (sku: string) =>
  h.systems.magento.requests.filter(
    (r) => r.method === 'POST' && r.path.endsWith('/V1/products') && (r.body as { product?: Row }).product?.sku === sku,
  );
/** The calls Magento received, as `METHOD path`. */
const calls = (match: RegExp) =>
  h.systems.magento.requests.map((r) => `${r.method} ${r.path}`).filter((c) => match.test(c));
const book = (name: string) => String(h.systems.ff.records('Pricebook2').find((b) => b.Name === name)!.Id);

/** Product management creates a product sold online with its standard price in the FF org. */
async function newProduct(code: string, price: number): Promise<{ product: string; entry: string }> {
  const { ff } = h.systems;
  const fields = { Name: `Stoneware ${code}`, Family: 'Kitchen', IsActive: true, Web_Visible__c: true, Weight__c: 0.6 };
  const product = await createSalesforceRecord(ff.url, 'Product2', { ProductCode: code, ...fields });
  const entry = await createSalesforceRecord(ff.url, 'PricebookEntry', {
    Pricebook2Id: book('Standard Price Book'),
    Product2Id: product,
    UnitPrice: price,
    IsActive: true,
  });
  return { product, entry };
}

it('FF product -> Magento, the create answer lost and the price update late: one product, the new price', async () => {
  const { magento, ff } = h.systems;
  magento.fail(answerLost(`${M}/products`, 'POST'));
  const { entry } = await newProduct('BOWL-1', 16);
  await waitFor(() => magento.state.products.get('BOWL-1')?.price === 16, 'product BOWL-1');
  await expectDrained(h.nats.url);
  magento.fail(late(`${M}/products/BOWL-1`, 'PUT'));
  await patchSalesforceRecord(ff.url, 'PricebookEntry', entry, { UnitPrice: 17.5 });
  await waitFor(() => magento.state.products.get('BOWL-1')?.price === 17.5, 'BOWL-1 repriced');
  await expectDrained(h.nats.url);
  expect(creates('BOWL-1')).toHaveLength(1);
  expect(magento.state.products.get('BOWL-1')).toMatchObject({ name: 'Stoneware BOWL-1', weight: 0.6, status: 1 });
});

it('FF product -> Magento, the create late: one product with its price, created once', async () => {
  const { magento } = h.systems;
  magento.fail(late(`${M}/products`, 'POST'));
  await newProduct('JUG-1', 22);
  await waitFor(() => magento.state.products.get('JUG-1')?.price === 22, 'product JUG-1');
  await expectDrained(h.nats.url);
  // The retry's find met the late create: no second POST.
  expect(creates('JUG-1')).toHaveLength(1);
  expect(magento.state.products.get('JUG-1')).toMatchObject({ sku: 'JUG-1', name: 'Stoneware JUG-1', status: 1 });
});

it('FF variant -> Magento, the option and the link answers lost: one size option, the variant linked once', async () => {
  const { magento, ff } = h.systems;
  await newProduct('TEE-3', 30);
  await waitFor(() => magento.state.products.has('TEE-3'), 'parent TEE-3');
  await expectDrained(h.nats.url);
  magento.fail(answerLost(`${M}/configurable-products/TEE-3/options`, 'POST'));
  magento.fail(answerLost(`${M}/configurable-products/TEE-3/child`, 'POST'));
  const parent = String(ff.records('Product2').find((p) => p.ProductCode === 'TEE-3')!.Id);
  const variant = await createSalesforceRecord(ff.url, 'Product2', {
    ProductCode: 'TEE-3-S',
    Name: 'Stoneware TEE-3 - S',
    Family: 'Apparel',
    IsActive: true,
    Web_Visible__c: true,
    Size__c: 'S',
    Variant_Parent__c: parent,
  });
  await createSalesforceRecord(ff.url, 'PricebookEntry', {
    Pricebook2Id: book('Standard Price Book'),
    Product2Id: variant,
    UnitPrice: 30,
    IsActive: true,
  });
  const tee = () => magento.state.products.get('TEE-3')!.extension_attributes as Row;
  await waitFor(() => (tee().configurable_product_links as number[] | undefined)?.length === 1, 'TEE-3-S linked');
  await expectDrained(h.nats.url);
  expect(magento.state.products.get('TEE-3')!.type_id).toBe('configurable');
  expect((tee().configurable_product_options as Row[]).map((o) => o.attribute_id)).toEqual(['144']);
  expect(tee().configurable_product_links).toEqual([magento.state.products.get('TEE-3-S')!.id]);
  // Each lost call was looked up on the parent before anything was sent again, and never sent twice.
  expect(calls(/configurable-products\/TEE-3\//)).toEqual([
    `POST ${M}/configurable-products/TEE-3/options`,
    `POST ${M}/configurable-products/TEE-3/child`,
  ]);
});

it('FF group price deactivated -> Magento, the delete answer lost: sent again, the tier price gone', async () => {
  const { magento, ff } = h.systems;
  const { product } = await newProduct('PLATE-1', 9);
  const group = await createSalesforceRecord(ff.url, 'PricebookEntry', {
    Pricebook2Id: book('Wholesale'),
    Product2Id: product,
    UnitPrice: 7,
    IsActive: true,
  });
  await waitFor(() => magento.state.tierPrices.get('PLATE-1')?.length === 1, 'the PLATE-1 group price');
  await expectDrained(h.nats.url);
  magento.fail(answerLost(`${M}/products/tier-prices-delete`, 'POST'));
  await patchSalesforceRecord(ff.url, 'PricebookEntry', group, { IsActive: false });
  await waitFor(() => magento.state.tierPrices.get('PLATE-1')?.length === 0, 'the PLATE-1 group price deleted');
  await expectDrained(h.nats.url);
  // The delete committed, its answer was lost, and it was sent again: a row already gone removes nothing.
  expect(calls(/tier-prices-delete$/)).toEqual([
    `POST ${M}/products/tier-prices-delete`,
    `POST ${M}/products/tier-prices-delete`,
  ]);
  expect(magento.state.products.get('PLATE-1')).toMatchObject({ price: 9, status: 1 });
});

it('FF product with a category path -> Magento, the category create answer lost: one category, the product in it', async () => {
  const { magento, ff } = h.systems;
  magento.fail(answerLost(`${M}/categories`, 'POST'));
  const product = await createSalesforceRecord(ff.url, 'Product2', {
    ProductCode: 'LAMP-1',
    Name: 'Desk Lamp',
    Family: 'Accessories',
    IsActive: true,
    Web_Visible__c: true,
    Web_Category__c: 'Lighting',
  });
  await createSalesforceRecord(ff.url, 'PricebookEntry', {
    Pricebook2Id: book('Standard Price Book'),
    Product2Id: product,
    UnitPrice: 45,
    IsActive: true,
  });
  await waitFor(() => magento.state.products.has('LAMP-1'), 'product LAMP-1');
  await expectDrained(h.nats.url);
  const lighting = [...magento.state.categories.values()].filter((c) => c.name === 'Lighting');
  expect(lighting).toEqual([expect.objectContaining({ parent_id: 2, level: 2 })]);
  expect((magento.state.products.get('LAMP-1')!.extension_attributes as Row).category_links).toEqual([
    { position: 0, category_id: String(lighting[0].id) },
  ]);
  // Looked up before the create, created (the answer lost), and looked up again: found, never created twice (the
  // product's own event, which may read the product with its price too, looks it up as well).
  const categoryCalls = calls(/\/V1\/categories$/);
  expect(categoryCalls.slice(0, 3)).toEqual([`GET ${M}/categories`, `POST ${M}/categories`, `GET ${M}/categories`]);
  expect(categoryCalls.filter((c) => c.startsWith('POST'))).toHaveLength(1);
});

it('FF stock -> Magento sources, one answer lost and one late: the quantities FF holds', async () => {
  const { magento, ff } = h.systems;
  const cap = String(ff.records('Product2').find((p) => p.ProductCode === 'CAP-1')!.Id);
  const item = (location: string) => {
    const at = String(ff.records('Location').find((l) => l.Name === location)!.Id);
    return String(ff.records('ProductItem').find((i) => i.Product2Id === cap && i.LocationId === at)!.Id);
  };
  magento.fail(answerLost(`${M}/inventory/source-items`, 'POST'));
  await patchSalesforceRecord(ff.url, 'ProductItem', item('WH-EAST'), { QuantityOnHand: 7 });
  await waitFor(() => magento.state.sourceItems.get('CAP-1/east_warehouse')?.quantity === 7, 'east stock');
  magento.fail(late(`${M}/inventory/source-items`, 'POST'));
  await patchSalesforceRecord(ff.url, 'ProductItem', item('WH-WEST'), { QuantityOnHand: 0 });
  await waitFor(() => magento.state.sourceItems.get('CAP-1/west_warehouse')?.quantity === 0, 'west stock');
  await expectDrained(h.nats.url);
  const cap1 = [...magento.state.sourceItems.values()].filter((s) => s.sku === 'CAP-1');
  expect(cap1.map((s) => [s.source_code, s.quantity, s.status])).toEqual([
    ['east_warehouse', 7, 1],
    ['west_warehouse', 0, 0],
  ]);
});

/** Warehouse staff set up a fulfilment of one line of order 1001 with its parcel, still being picked. */
async function newFulfilment(item: string, tracking: string): Promise<{ id: string; name: string }> {
  const { ff } = h.systems;
  const id = await createSalesforceRecord(ff.url, 'Fulfilment__c', {
    Magento_Order_Id__c: '1001',
    Status__c: 'Picking',
  });
  await createSalesforceRecord(ff.url, 'Fulfilment_Line__c', {
    Fulfilment__c: id,
    Magento_Order_Item_Id__c: item,
    Quantity__c: 1,
  });
  await createSalesforceRecord(ff.url, 'Fulfilment_Package__c', {
    Fulfilment__c: id,
    Carrier__c: 'UPS',
    Tracking_Number__c: tracking,
  });
  return { id, name: String(ff.store.get('Fulfilment__c', id)!.Name) };
}

it('FF fulfilment -> Magento: shipments lost and late, delivered late, returned lost: each once', async () => {
  const { magento, ff } = h.systems;
  const first = await newFulfilment('10011', '1Z0001');
  const second = await newFulfilment('10012', '1Z0002');
  const history = () => (magento.state.orders.get(1001)!.status_histories as Row[] | undefined) ?? [];

  magento.fail(answerLost(`${M}/order/1001/ship`, 'POST'));
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', first.id, { Status__c: 'Shipped' });
  await waitFor(() => magento.state.shipments.length === 1, 'the first shipment');
  await expectDrained(h.nats.url);
  magento.fail(late(`${M}/order/1001/ship`, 'POST'));
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', second.id, { Status__c: 'Shipped' });
  await waitFor(() => magento.state.shipments.length === 2, 'the second shipment');
  await expectDrained(h.nats.url);

  magento.fail(late(`${M}/orders/1001/comments`, 'POST'));
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', first.id, { Status__c: 'Delivered' });
  await waitFor(() => history().length === 1, 'the delivered comment');
  await expectDrained(h.nats.url);
  magento.fail(answerLost(`${M}/orders/1001/comments`, 'POST'));
  await patchSalesforceRecord(ff.url, 'Fulfilment__c', first.id, { Status__c: 'Returned' });
  await waitFor(() => history().length === 2, 'the returned comment');
  await expectDrained(h.nats.url);

  expect(
    magento.state.shipments.map((s) => [
      (s.items as Row[]).map((i) => [i.order_item_id, i.qty]),
      (s.tracks as Row[]).map((t) => t.track_number),
      (s.comments as Row[]).map((c) => c.comment),
    ]),
  ).toEqual([
    [[[10011, 1]], ['1Z0001'], [`FinancialForce fulfilment ${first.name}`]],
    [[[10012, 1]], ['1Z0002'], [`FinancialForce fulfilment ${second.name}`]],
  ]);
  expect((magento.state.orders.get(1001)!.items as Row[]).slice(0, 2).map((i) => i.qty_shipped)).toEqual([1, 1]);
  expect(history().map((c) => c.comment)).toEqual([
    `Returned to us: UPS 1Z0001 (FinancialForce fulfilment ${first.name})`,
    `Delivered: UPS 1Z0001 (FinancialForce fulfilment ${first.name})`,
  ]);
  // The lost and late calls were each looked up once before anything was sent again.
  expect(calls(/\/order\/1001\/ship$|\/shipments$/)).toEqual([
    `POST ${M}/order/1001/ship`,
    `GET ${M}/shipments`,
    `POST ${M}/order/1001/ship`,
    `GET ${M}/shipments`,
  ]);
  expect(calls(/\/orders\/1001\/comments$/)).toEqual([
    `POST ${M}/orders/1001/comments`,
    `GET ${M}/orders/1001/comments`,
    `POST ${M}/orders/1001/comments`,
    `GET ${M}/orders/1001/comments`,
  ]);
});
