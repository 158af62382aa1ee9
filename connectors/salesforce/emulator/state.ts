/** The Salesforce emulator's org: records per object, issued tokens, and the seed data the examples use. */
import { SOBJECT_SCHEMAS } from '../schemas/index.js';

/** A stored record. */
export type Row = Record<string, unknown>;

/** The org: records per object, issued tokens, the id counter. */
export interface SalesforceState {
  records: Map<string, Map<string, Row>>;
  tokens: Map<string, number>;
  counter: number;
}

/** A new 18-character id with the object's key prefix. */
export function newRecordId(state: SalesforceState, sobject: string): string {
  const prefix = String(SOBJECT_SCHEMAS[sobject]?.['x-key-prefix'] ?? 'a0Z');
  return `${prefix}${String(++state.counter).padStart(12, '0')}AAA`;
}

/** A fresh org with the seed data the examples use. */
export function seedSalesforceState(): SalesforceState {
  const state: SalesforceState = {
    records: new Map(Object.keys(SOBJECT_SCHEMAS).map((o) => [o, new Map()])),
    tokens: new Map(),
    counter: 0,
  };
  const add = (sobject: string, row: Row) => {
    const Id = newRecordId(state, sobject);
    state.records.get(sobject)!.set(Id, { Id, ...row });
    return Id;
  };
  const account = add('Account', {
    Name: 'Ada Lovelace Ltd',
    Magento_Customer_Id__c: '42',
    BillingCity: 'San Francisco',
    Email__c: 'ada@example.com',
  });
  add('Contract', {
    AccountId: account,
    ContractNumber: 'C-1001',
    Status: 'Activated',
    StartDate: '2026-01-01',
    ContractTerm: 12,
  });
  add('Contract', {
    AccountId: account,
    ContractNumber: 'C-1002',
    Status: 'Fulfilled',
    StartDate: '2025-01-01',
    ContractTerm: 12,
  });
  for (const [code, name] of [
    ['MUG-1', 'Enamel Mug'],
    ['TEE-1', 'Organic Tee'],
    ['CAP-1', 'Canvas Cap'],
  ])
    add('Product2', { Name: name, ProductCode: code, IsActive: true });
  return state;
}
