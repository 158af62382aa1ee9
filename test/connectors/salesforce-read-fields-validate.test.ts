/**
 * `enrich_fields` and `gap_fields` checked against the objects' fields at validate time: an unknown field or
 * relationship is an error at its own line and column (the unknown part of a dotted path or subquery), naming the
 * object and the closest known name; names match whatever their case, as Salesforce's do; an object nothing
 * describes is a warning, and a pulled overlay (`schemas/overlays/<connection>/<object>.json`) is the field list.
 */
import { expect, it } from 'vitest';
import { changeStreamSpec, diagnosticsBesideSalesforce } from '../helpers/salesforce-specs.js';

function problems(params: string, extra: { path: string; text: string }[] = []): string[] {
  return diagnosticsBesideSalesforce({
    'stock.yaml': changeStreamSpec(`\n${params}`),
    ...Object.fromEntries(extra.map((f) => [f.path, f.text])),
  }).map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`);
}

it('reports an unknown field at its line and column, naming the object and the closest field', () => {
  expect(
    problems(
      '      topic: /data/ProductItemChangeEvent\n' +
        '      enrich_fields: [Product2.ProductCod, Location.Name]\n' +
        '      gap_fields:\n' +
        '        - QuantityOnHnd',
    ),
  ).toEqual([
    "stock.yaml:10:32 error unknown-read-field `ProductCod` is not a field of Product2 (the connector's Product2 " +
      'schema): Salesforce would refuse the read of every event (INVALID_FIELD); did you mean `ProductCode`?',
    "stock.yaml:12:11 error unknown-read-field `QuantityOnHnd` is not a field of ProductItem (the connector's " +
      'ProductItem schema): Salesforce would refuse the read of every event (INVALID_FIELD); did you mean ' +
      '`QuantityOnHand`?',
  ]);
});

it('suggests the __c suffix of a custom field, and the relationship name of a reference', () => {
  expect(
    problems(
      '      topic: /data/Fulfilment__ChangeEvent\n' +
        '      enrich_fields: [Magento_Order_Id, "c2g__Account__c.Name", "(SELECT Quantity FROM Lines__r)"]',
    ),
  ).toEqual([
    'stock.yaml:10:23 error unknown-read-field `Magento_Order_Id` is not a field of Fulfilment__c (the ' +
      "connector's Fulfilment__c schema): Salesforce would refuse the read of every event (INVALID_FIELD); did " +
      'you mean `Magento_Order_Id__c`?',
    'stock.yaml:10:42 error unknown-read-field `c2g__Account__c` is not a relationship of Fulfilment__c (the ' +
      "connector's Fulfilment__c schema; a parent is reached by its relationship name: `Account` for AccountId, " +
      '`Name__r` for a custom Name__c)',
    'stock.yaml:10:74 error unknown-read-field `Quantity` is not a field of Fulfilment_Line__c (the ' +
      "connector's Fulfilment_Line__c schema): Salesforce would refuse the read of every event (INVALID_FIELD); " +
      'did you mean `Quantity__c`?',
  ]);
});

it('takes names whatever their case, compound fields, and the per-object form of a channel', () => {
  expect(
    problems(
      '      topic: /data/Catalog__chn\n' +
        '      enrich_fields: { Product2: [web_visible__C, productcode], PricebookEntry: [product2.ProductCode] }\n' +
        '      gap_fields: { Account: [BillingAddress], Contact: [Name, account.name] }',
    ),
  ).toEqual([]);
});

it('warns once for an object nothing describes, and reads a pulled overlay as its field list', () => {
  expect(problems('      topic: /data/CaseChangeEvent\n      enrich_fields: [Subject, Status]')).toEqual([
    'stock.yaml:10:23 warning unknown-read-field no field list of Case is known (neither the connector nor ' +
      'schemas/overlays/ff/Case.json describes it), so its fields here are not checked: run `junction schema ' +
      'pull ff` to record them',
  ]);
  const overlay = {
    path: 'schemas/overlays/ff/Case.json',
    text: JSON.stringify({
      connection: 'ff',
      entity: 'Case',
      connector: 'salesforce',
      pulled_from: ['GET /services/data/v60.0/sobjects/Case/describe'],
      fields: { Id: { type: 'string' }, Subject: { type: 'string' }, Status: { type: 'string' } },
    }),
  };
  expect(problems('      topic: /data/CaseChangeEvent\n      enrich_fields: [Subject, Statu]', [overlay])).toEqual([
    'stock.yaml:10:32 error unknown-read-field `Statu` is not a field of Case (schemas/overlays/ff/Case.json): ' +
      'Salesforce would refuse the read of every event (INVALID_FIELD); did you mean `Status`?',
  ]);
});

it('warns of a per-object list for an object the single-object channel does not carry', () => {
  expect(problems('      topic: /data/AccountChangeEvent\n      gap_fields: { Contact: [Email] }')).toEqual([
    'stock.yaml:10:30 warning unknown-read-field `gap_fields.Contact`: /data/AccountChangeEvent carries Account ' +
      'change events only, so these fields are never read: name the object Account, or subscribe to a channel ' +
      'that carries Contact',
  ]);
});
