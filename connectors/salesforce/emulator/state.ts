/**
 * The Salesforce emulator's org: its record store, issued tokens, id and auto-number counters, and the seed data the
 * example specs use (the sales org's account, contracts and products, and FinancialForce's reference data).
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import type { CountryPicklist } from './country-picklists.js';
import { canonicalId, newRecordId } from './record-ids.js';
import { RecordStore } from './record-store.js';
import type { Row } from './record-store.js';

export type { Row } from './record-store.js';

/** The org: records per object, issued tokens, the id counter and the auto-number counters. */
export interface SalesforceState {
  store: RecordStore;
  tokens: Map<string, number>;
  counter: number;
  autoNumbers: Map<string, number>;
  /** Custom fields the org's admin added, per object (metadata: kept across a reset of the data). */
  customFields: Map<string, Record<string, JsonSchema>>;
  /** Standard fields the org does not have, per object (a licence it lacks), also kept across a reset. */
  absentFields: Map<string, readonly string[]>;
  /** With State and Country/Territory Picklists on: code -> integration value (also kept across a reset). */
  countryPicklist?: CountryPicklist;
}

/** A fresh org with the seed data the examples use, in `store` (emptied first) or a new one. */
export function seedSalesforceState(
  store = new RecordStore(Object.keys(SOBJECT_SCHEMAS)),
  customFields = new Map<string, Record<string, JsonSchema>>(),
  absentFields = new Map<string, readonly string[]>(),
  countryPicklist?: CountryPicklist,
): SalesforceState {
  store.clear();
  const state: SalesforceState = {
    store,
    customFields,
    absentFields,
    countryPicklist,
    tokens: new Map(),
    counter: 0,
    autoNumbers: new Map([['Contract', 1002]]),
  };
  /** Seeds a record, with an id of the org's own (a 15-character id, as lookups keep them) or the next one. */
  const add = (sobject: string, row: Row, id?: string) => {
    const Id = id ? canonicalId(id)! : newRecordId(String(SOBJECT_SCHEMAS[sobject]['x-key-prefix']), ++state.counter);
    state.store.insert(sobject, { Id, ...row }, { seed: true });
    return Id;
  };
  const account = add('Account', {
    Name: 'Ada Lovelace Ltd',
    Magento_Customer_Id__c: '42',
    BillingCity: 'San Francisco',
    Email__c: 'ada@example.com',
  });
  add('Contract', { AccountId: account, ContractNumber: 'C-1001', Status: 'Activated', StartDate: '2026-01-01' });
  add('Contract', { AccountId: account, ContractNumber: 'C-1002', Status: 'Fulfilled', StartDate: '2025-01-01' });
  // The web shop's catalogue (these ids are the ones specs/magento-ff/lookups/ff-products.csv holds): products
  // sold online, their standard price, and their stock at the two warehouses. Price books, locations, entries and
  // stock have ids of their own, so the ids the org gives new records stay as they were.
  const catalogue = [
    ['MUG-1', 'Enamel Mug', 'Kitchen', 12.5, 0.3],
    ['TEE-1', 'Organic Tee', 'Apparel', 25, 0.2],
    ['CAP-1', 'Canvas Cap', 'Accessories', 18, 0.1],
  ] as const;
  const products = catalogue.map(([code, name, family, , weight]) =>
    add('Product2', {
      Name: name,
      ProductCode: code,
      IsActive: true,
      Family: family,
      Web_Visible__c: true,
      Weight__c: weight,
    }),
  );
  const books = ['Standard Price Book', 'Wholesale', 'Wholesale 24+', 'Key Accounts', 'Web Sale'].map((name, i) =>
    add('Pricebook2', { Name: name, IsActive: true, IsStandard: i === 0 }, `01s00000000000${i + 1}`),
  );
  const locations = ['WH-EAST', 'WH-WEST', 'STORE-NYC'].map((name, i) =>
    add(
      'Location',
      { Name: name, LocationType: name.startsWith('WH') ? 'Warehouse' : 'Site', IsInventoryLocation: true },
      `13100000000000${i + 1}`,
    ),
  );
  products.forEach((product, i) => {
    const entry = { Pricebook2Id: books[0], Product2Id: product, UnitPrice: catalogue[i][3], IsActive: true };
    add('PricebookEntry', entry, `01u00000000000${i + 1}`);
    locations.slice(0, 2).forEach((location, j) => {
      const stock = { Product2Id: product, LocationId: location, QuantityOnHand: 10, QuantityUnitOfMeasure: 'Each' };
      add('ProductItem', stock, `0Co0000000000${i + 1}${j + 1}`);
    });
  });
  // FinancialForce reference data, with the ids the seed specs' lookups (specs/magento-ff/lookups) hold.
  add('Product2', { Name: 'Shipping', ProductCode: 'SHIPPING', IsActive: true }, '01t000000000SHP');
  add('Product2', { Name: 'Refund adjustment', ProductCode: 'ADJUSTMENT', IsActive: true }, '01t000000000ADJ');
  for (const [id, name] of [
    ['a0C000000000USD', 'USD'],
    ['a0C000000000EUR', 'EUR'],
    ['a0C000000000GBP', 'GBP'],
  ])
    add('c2g__codaAccountingCurrency__c', { Name: name, c2g__DecimalPlaces__c: 2, c2g__Home__c: name === 'USD' }, id);
  for (const [id, name, description] of [
    ['a1Q000000000CA1', 'US-CA', 'California sales tax'],
    ['a1Q000000000NY1', 'US-NY', 'New York sales tax'],
    ['a1Q000000000GB1', 'UK-VAT-S', 'UK VAT standard rate'],
    ['a1Q000000000ZZ0', 'ZERO', 'Zero rated'],
  ])
    add('c2g__codaTaxCode__c', { Name: name, c2g__Description__c: description }, id);
  for (const [id, code, name] of [
    ['a0B000000000BRT', 'BRAINTREE', 'Braintree settlement'],
    ['a0B000000000PPL', 'PAYPAL', 'PayPal settlement'],
    ['a0B000000000CHK', 'CHECKS', 'Check deposits'],
    ['a0B000000000OPR', 'OPERATING', 'Operating account'],
  ])
    add(
      'c2g__codaBankAccount__c',
      {
        Name: name,
        c2g__AccountName__c: 'Example Store Inc.',
        c2g__AccountNumber__c: `0000${code.length}${id.slice(-3)}`,
        c2g__BankName__c: 'First Example Bank',
        c2g__ReportingCode__c: code,
      },
      id,
    );
  return state;
}
