/**
 * The seed FF org's fulfilment objects (custom objects of its order-fulfilment module): a fulfilment of a Magento
 * order moves through Picking, Shipped, Delivered and Returned; its lines are the order items it covers and its
 * packages carry the tracking numbers. Custom objects support Change Data Capture (`/data/Fulfilment__ChangeEvent`).
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { autoNumber, createOnly, field, picklist, reference, sobject, text } from './sobject-schema.js';

/** Fulfilment__c: one (partial) fulfilment of a Magento order. */
export const fulfilment: JsonSchema = sobject(
  'Fulfilment__c',
  'A fulfilment of a web order: picked, shipped, delivered or returned.',
  'a3F',
  ['Magento_Order_Id__c', 'Status__c'],
  {
    Name: autoNumber('Fulfilment Number', 'Fulfilment number (auto-number, read-only)', 'FUL-{00000}'),
    Magento_Order_Id__c: text('Magento Order Id', 'The Magento order (entity id) fulfilled', 20),
    Status__c: picklist(['Picking', 'Shipped', 'Delivered', 'Returned'], 'Status', 'Where the fulfilment is'),
  },
);

/** Fulfilment_Line__c: an order item and the quantity the fulfilment covers. */
export const fulfilmentLine: JsonSchema = sobject(
  'Fulfilment_Line__c',
  'An order item in a fulfilment.',
  'a3G',
  ['Fulfilment__c', 'Magento_Order_Item_Id__c', 'Quantity__c'],
  {
    Fulfilment__c: createOnly(reference('Fulfilment__c', 'Fulfilment', 'The fulfilment (master-detail)', 'Lines__r')),
    Magento_Order_Item_Id__c: text('Magento Order Item Id', 'The Magento order item', 20),
    Quantity__c: field('number', 'Quantity', 'Quantity fulfilled'),
  },
);

/** Fulfilment_Package__c: a parcel of the fulfilment, with its carrier and tracking number. */
export const fulfilmentPackage: JsonSchema = sobject(
  'Fulfilment_Package__c',
  'A parcel of a fulfilment.',
  'a3H',
  ['Fulfilment__c', 'Carrier__c', 'Tracking_Number__c'],
  {
    Fulfilment__c: createOnly(
      reference('Fulfilment__c', 'Fulfilment', 'The fulfilment (master-detail)', 'Packages__r'),
    ),
    Carrier__c: text('Carrier', 'Carrier name (UPS, USPS, DHL)', 40),
    Tracking_Number__c: text('Tracking Number', "The carrier's tracking number", 80),
  },
);
