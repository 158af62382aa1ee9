/** Reconcile's Salesforce id rule: a 15-character id and its 18-character form are one value; nothing else is. */
import { expect, it } from 'vitest';
import { sameRecordId } from '../../connectors/salesforce/record-id-forms.js';
import { canonicalId } from '../../connectors/salesforce/emulator/record-ids.js';

it('treats the two forms of one id as the same value, either way round', () => {
  const long = canonicalId('a0C000000000USD')!;
  expect(long).toBe('a0C000000000USDEA2');
  expect(sameRecordId('a0C000000000USD', long)).toBe(true);
  expect(sameRecordId(long, 'a0C000000000USD')).toBe(true);
});

it('does not equate other values', () => {
  expect(sameRecordId('a0C000000000usd', 'a0C000000000USDEA2')).toBe(false); // ids are case-sensitive
  expect(sameRecordId('a0C000000000EUR', 'a0C000000000USDEA2')).toBe(false);
  expect(sameRecordId('a0C000000000USD', 'a0C000000000USD')).toBe(false); // equal anyway: the usual rule says so
  expect(sameRecordId('Ada Lovelace Lt', 'Ada Lovelace Ltd...')).toBe(false);
  expect(sameRecordId(15, 'a0C000000000USDEA2')).toBe(false);
});
