/**
 * Salesforce gap events in the seed flows, end to end through a real nats-server, the engine, the FF org's Change
 * Data Capture (Pub/Sub API) and the Magento emulator. A gap event is a change Salesforce could not describe: its
 * header and record id only (CDC guide, "Gap Events"). The stock and fulfilment flows read the fields they take from
 * the change (`gap_fields`) for it, as the record is now, and write it like a create; the ordinary events around it
 * keep their own values and their order. A gap delete goes the way the flow's delete goes.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { createSalesforceRecord } from '../runtime/helpers/vendor-engine.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('a gap update of a product item sends its quantity as it is now, once; the counts around it keep theirs', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const mug = String(ff.records('Product2').find((p) => p.ProductCode === 'MUG-1')!.Id);
  const east = String(ff.records('Location').find((l) => l.Name === 'WH-EAST')!.Id);
  const item = String(ff.records('ProductItem').find((i) => i.Product2Id === mug && i.LocationId === east)!.Id);
  // Written in one go, so the gap event is read after all four: the item's quantity is then 43.
  ff.store.update('ProductItem', item, { QuantityOnHand: 40 });
  ff.pubsubGaps('ProductItem');
  ff.store.update('ProductItem', item, { QuantityOnHand: 41 });
  ff.store.update('ProductItem', item, { QuantityOnHand: 42 });
  ff.store.update('ProductItem', item, { QuantityOnHand: 43 });
  const writes = () =>
    magento.requests
      .filter((r) => r.method === 'POST' && r.path.endsWith('/inventory/source-items'))
      .map((r) => (r.body as { sourceItems: Row[] }).sourceItems);
  await waitFor(() => writes().length === 4, 'four stock writes');
  await expectDrained(h.nats.url);
  const east_warehouse = (quantity: number) => [{ sku: 'MUG-1', source_code: 'east_warehouse', quantity, status: 1 }];
  // 41 was never described: the gap sends the quantity FF holds now (43); 42 and 43 follow with their own.
  expect(writes()).toEqual([east_warehouse(40), east_warehouse(43), east_warehouse(42), east_warehouse(43)]);
  expect(magento.state.sourceItems.get('MUG-1/east_warehouse')).toMatchObject({ quantity: 43, status: 1 });
  // Only the gap event read the quantity; the ordinary ones carried theirs.
  const reads = ff.requests.filter((r) => r.path.endsWith('/query')).map((r) => String(r.query.q));
  expect(reads.filter((q) => q.includes('QuantityOnHand'))).toEqual([
    `SELECT Id, Product2.ProductCode, Product2.Web_Visible__c, Location.Name, QuantityOnHand FROM ProductItem WHERE Id IN ('${item}')`,
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);

it('a fulfilment shipped by a gap update ships with its lines; a gap delete goes as a delete does', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const fulfilment = async (order: string, item: string) => {
    const id = await createSalesforceRecord(ff.url, 'Fulfilment__c', {
      Magento_Order_Id__c: order,
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
      Tracking_Number__c: `1Z${item}`,
    });
    return id;
  };
  const shipped = await fulfilment('1001', '10011');
  const name = String(ff.records('Fulfilment__c').find((f) => f.Id === shipped)!.Name);
  ff.pubsubGaps('Fulfilment__c');
  ff.store.update('Fulfilment__c', shipped, { Status__c: 'Shipped' });
  await waitFor(() => magento.state.shipments.length === 1, 'the shipment');
  // Two fulfilments withdrawn (of orders the store need not have): one deleted as usual, one by a gap event.
  const deleted = await fulfilment('1002', '10021');
  const gapDeleted = await fulfilment('1003', '10031');
  ff.store.remove('Fulfilment__c', deleted);
  ff.pubsubGaps('Fulfilment__c');
  ff.store.remove('Fulfilment__c', gapDeleted);
  // A fulfilment shipped after them: once it is in Magento, both deletes were taken from the stream before it.
  const after = await fulfilment('1001', '10014');
  ff.store.update('Fulfilment__c', after, { Status__c: 'Shipped' });
  await waitFor(() => magento.state.shipments.length === 2, 'the later shipment');
  await expectDrained(h.nats.url);
  expect(magento.state.shipments).toEqual([
    expect.objectContaining({
      order_id: 1001,
      items: [expect.objectContaining({ order_item_id: 10011, qty: 1 })],
      tracks: [expect.objectContaining({ track_number: '1Z10011', carrier_code: 'ups' })],
      comments: [expect.objectContaining({ comment: `FinancialForce fulfilment ${name}` })],
    }),
    expect.objectContaining({ order_id: 1001, items: [expect.objectContaining({ order_item_id: 10014, qty: 1 })] }),
  ]);
  // Neither delete wrote to Magento: both were skipped, not dead-lettered for want of an order to key them by.
  expect(magento.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /rest/default/V1/order/1001/ship',
    'POST /rest/default/V1/order/1001/ship',
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
  // Only the gap update read the status; the gap delete read nothing (the record is gone).
  const reads = ff.requests.filter((r) => r.path.endsWith('/query')).map((r) => String(r.query.q));
  expect(reads.filter((q) => q.includes('Status__c'))).toEqual([
    'SELECT Id, Name, Magento_Order_Id__c, (SELECT Magento_Order_Item_Id__c, Quantity__c FROM Lines__r), ' +
      `(SELECT Carrier__c, Tracking_Number__c FROM Packages__r), Status__c FROM Fulfilment__c WHERE Id IN ('${shipped}')`,
  ]);
  expect(reads.filter((q) => q.includes(gapDeleted))).toHaveLength(1); // its create's
}, 120_000);
