/**
 * Stock per location as Salesforce keeps it (Field Service inventory): `ProductItem` is "the stock of a particular
 * product at a particular location" (its `QuantityOnHand`), at a `Location` such as a warehouse. Both support
 * Change Data Capture (Salesforce object reference: ProductItem, Location; CDC object support list).
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { autoNumber, createOnly, field, openPicklist, reference, sobject, text } from './sobject-schema.js';

/** Location: a warehouse, store or van that holds stock. */
export const location: JsonSchema = sobject('Location', 'A place that holds stock.', '131', ['Name'], {
  Name: text('Location Name', 'Location name (the seed org names its warehouses by code: WH-EAST)'),
  LocationType: openPicklist(['Warehouse', 'Site', 'Van'], 'Location Type', 'Kind of location'),
  IsInventoryLocation: field('boolean', 'Inventory Location', 'The location can hold product items'),
});

/** ProductItem: the quantity of one product held at one location. */
export const productItem: JsonSchema = sobject(
  'ProductItem',
  'The stock of a product at a location.',
  '0Co',
  ['Product2Id', 'LocationId', 'QuantityOnHand'],
  {
    ProductItemNumber: autoNumber('Product Item Number', 'Auto-generated number (read-only)', 'PI-{0000000}'),
    Product2Id: createOnly(reference('Product2', 'Product', 'The product stored', 'ProductItems')),
    LocationId: createOnly(reference('Location', 'Location', 'Where the product is stored', 'ProductItems')),
    QuantityOnHand: field('number', 'Quantity On Hand', 'Quantity at the location'),
    QuantityUnitOfMeasure: text('Quantity Unit Of Measure', 'Unit of measure', 255),
  },
);
