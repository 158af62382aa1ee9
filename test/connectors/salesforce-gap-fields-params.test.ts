/**
 * The change stream's `enrich_fields` and `gap_fields` as the compiler checks them: a list, or a list per object, of
 * field names; a wrong one is reported at its own line and column, in one message that says what was expected.
 */
import { expect, it } from 'vitest';
import { changeStreamSpec, diagnosticsBesideSalesforce } from '../helpers/salesforce-specs.js';

function problems(params: string): string[] {
  return diagnosticsBesideSalesforce({ 'stock.yaml': changeStreamSpec(`\n${params}`) }).map(
    (d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`,
  );
}

it('takes gap_fields as a list, or a list per object of a channel', () => {
  expect(
    problems(
      '      topic: /data/ProductItemChangeEvent\n' +
        '      enrich_fields: [Product2.ProductCode]\n' +
        '      gap_fields: [QuantityOnHand]',
    ),
  ).toEqual([]);
  expect(
    problems(
      '      topic: /data/Catalog__chn\n' +
        '      enrich_fields: { PricebookEntry: [Product2Id] }\n' +
        '      gap_fields: { Product2: [Web_Visible__c], PricebookEntry: [UnitPrice] }',
    ),
  ).toEqual([]);
});

it('reports a wrong gap_fields at the value, saying what it must be', () => {
  expect(problems('      topic: /data/ProductItemChangeEvent\n      gap_fields: QuantityOnHand')).toEqual([
    'stock.yaml:10:19 invalid-params `source.stream.params.gap_fields` must be an array or an object, got a string ' +
      '(stream change_events)',
  ]);
  expect(
    problems(
      '      topic: /data/Fulfilment__ChangeEvent\n      gap_fields: { Fulfilment__c: Status__c, Other: [" "] }',
    ),
  ).toEqual([
    'stock.yaml:10:36 invalid-params `source.stream.params.gap_fields.Fulfilment__c` must be an array, got a string ' +
      '(stream change_events)',
    'stock.yaml:10:55 invalid-params `source.stream.params.gap_fields.Other[0]` is not valid (a field, such as Name, ' +
      'Owner.Name or a (SELECT …) subquery), got " " (stream change_events)',
  ]);
  // One message for a wrong entry of enrich_fields too (no "must be an object" for the list form).
  expect(problems('      topic: /data/ProductItemChangeEvent\n      enrich_fields: [Product2.ProductCode, 5]')).toEqual(
    [
      'stock.yaml:10:45 invalid-params `source.stream.params.enrich_fields[1]` must be a string, got a number ' +
        '(stream change_events)',
    ],
  );
  expect(problems('      topic: /data/ProductItemChangeEvent\n      gap_field: [QuantityOnHand]')).toEqual([
    'stock.yaml:10:7 invalid-params unknown property `gap_field` in `source.stream.params`; did you mean ' +
      '`gap_fields`? (stream change_events)',
  ]);
});
