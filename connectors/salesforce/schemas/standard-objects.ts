/** Standard Salesforce objects the seeds use: accounts, contacts, contracts, products and price books. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { date, externalId, field, picklist, reference, sobject } from './sobject-schema.js';

const text = (description: string) => field('string', description);

/** Account. */
export const account: JsonSchema = sobject(
  'Account',
  'A customer company or person (also the FinancialForce customer).',
  '001',
  ['Name'],
  {
    Name: text('Account name'),
    AccountNumber: text('Account number'),
    Phone: text('Main phone'),
    Website: text('Website URL'),
    BillingStreet: text('Billing street (lines separated by newlines)'),
    BillingCity: text('Billing city'),
    BillingPostalCode: text('Billing postal code'),
    BillingCountry: text('Billing country'),
    ShippingStreet: text('Shipping street (lines separated by newlines)'),
    ShippingCity: text('Shipping city'),
    ShippingPostalCode: text('Shipping postal code'),
    ShippingCountry: text('Shipping country'),
    Magento_Customer_Id__c: externalId('Magento customer id (external id, unique)'),
    Email__c: text('Primary e-mail'),
    c2g__CODAAccountTradingCurrency__c: text('FinancialForce trading currency (ISO code)'),
    c2g__CODADaysOffset1__c: field('number', 'FinancialForce credit terms: days until due'),
    c2g__CODAVATRegistrationNumber__c: text('VAT registration number'),
  },
);

/** Contact. */
export const contact: JsonSchema = sobject('Contact', 'A person at an account.', '003', ['LastName'], {
  AccountId: reference('Account'),
  FirstName: text('First name'),
  LastName: text('Last name'),
  Email: text('E-mail'),
  Phone: text('Phone'),
  Magento_Customer_Id__c: externalId('Magento customer id (external id, unique)'),
});

/** Contract. */
export const contract: JsonSchema = sobject(
  'Contract',
  'A customer contract; usage is billed against it until it is fulfilled.',
  '800',
  ['AccountId'],
  {
    AccountId: reference('Account'),
    ContractNumber: text('Contract number (auto-number, read-only)'),
    Status: picklist(
      ['Draft', 'In Approval Process', 'Activated', 'Fulfilled'],
      'Contract status; Fulfilled locks its usage entries',
    ),
    Fulfilled__c: field('boolean', 'Checked when the contract is fulfilled; its usage entries are then locked'),
    StartDate: date('Contract start date'),
    ContractTerm: field('number', 'Term in months'),
  },
);

/** Product2. */
export const product2: JsonSchema = sobject(
  'Product2',
  'A product (also the FinancialForce product).',
  '01t',
  ['Name'],
  {
    Name: text('Product name'),
    ProductCode: text('Product code (SKU)'),
    IsActive: field('boolean', 'Active products can be sold'),
    Description: text('Description'),
  },
);

/** Pricebook2. */
export const pricebook2: JsonSchema = sobject('Pricebook2', 'A price book.', '01s', ['Name'], {
  Name: text('Price book name'),
  IsActive: field('boolean', 'Active price books can be used'),
  IsStandard: field('boolean', 'The standard price book (read-only)'),
});

/** PricebookEntry. */
export const pricebookEntry: JsonSchema = sobject(
  'PricebookEntry',
  "A product's price in one price book.",
  '01u',
  ['Pricebook2Id', 'Product2Id', 'UnitPrice'],
  {
    Pricebook2Id: reference('Pricebook2'),
    Product2Id: reference('Product2'),
    UnitPrice: field('number', 'List price'),
    IsActive: field('boolean', 'Active entries can be used'),
    CurrencyIsoCode: text('Currency (multi-currency orgs)'),
  },
);
