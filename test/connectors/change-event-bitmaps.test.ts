/**
 * ChangeEventHeader field bitmaps as the Pub/Sub API sends them ("Event Deserialization Considerations"): `0x…` over
 * the top-level schema fields, `N-0x…` over the fields of the compound field at position N.
 */
import { expect, it } from 'vitest';
import { decodeBitmapFields, encodeBitmapFields } from '../../connectors/salesforce/pubsub/change-event.js';

const address = {
  type: 'record',
  name: 'Address',
  fields: ['Street', 'City', 'State', 'PostalCode', 'Country'].map((name) => ({ name, type: ['null', 'string'] })),
};
const schema = {
  type: 'record' as const,
  name: 'AccountChangeEvent',
  fields: Array.from({ length: 32 }, (_, i) => ({
    name: i === 4 || i === 7 ? `Address${i}` : `F${i}`,
    type: i === 4 || i === 7 ? ['null', address] : ['null', 'string'],
  })),
};

it('decodes the documented example bitmaps into field names', () => {
  // 0x650004E0 sets bits 5, 6, 7, 10, 24, 26, 29 and 30 (bit 0 = least significant bit of the last digit).
  expect(decodeBitmapFields(schema, ['0x650004E0'])).toEqual([
    'F5',
    'F6',
    'Address7',
    'F10',
    'F24',
    'F26',
    'F29',
    'F30',
  ]);
  expect(decodeBitmapFields(schema, ['4-0x10', '7-0x06'])).toEqual([
    'Address4.Country',
    'Address7.City',
    'Address7.State',
  ]);
  expect(decodeBitmapFields(schema, [])).toEqual([]);
});

it('encodes names the way Salesforce writes them: uppercase, whole bytes, top level first', () => {
  expect(encodeBitmapFields(schema, ['F5', 'F6', 'Address7', 'F10', 'F24', 'F26', 'F29', 'F30'])).toEqual([
    '0x650004E0',
  ]);
  expect(encodeBitmapFields(schema, ['F1', 'Address7.State', 'Address4.Country', 'Address7.City'])).toEqual([
    '0x02',
    '4-0x10',
    '7-0x06',
  ]);
});
