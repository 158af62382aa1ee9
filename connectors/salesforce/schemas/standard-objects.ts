/** Standard Salesforce objects the seeds use: accounts, contacts, contracts, products, price books and quotes. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import {
  autoNumber,
  countryCode,
  createOnly,
  date,
  dateTime,
  externalId,
  field,
  formula,
  openPicklist,
  picklist,
  reference,
  sobject,
  text,
} from './sobject-schema.js';

/** Account. */
export const account: JsonSchema = sobject(
  'Account',
  'A customer company or person (also the FinancialForce customer).',
  '001',
  ['Name'],
  {
    Name: text('Account Name', 'Account name'),
    AccountNumber: text('Account Number', 'Account number', 40),
    Phone: text('Account Phone', 'Main phone', 40),
    Website: text('Website', 'Website URL'),
    BillingStreet: text('Billing Street', 'Billing street (lines separated by newlines)'),
    BillingCity: text('Billing City', 'Billing city', 40),
    BillingState: text('Billing State/Province', 'Billing state or province', 80),
    BillingPostalCode: text('Billing Zip/Postal Code', 'Billing postal code', 20),
    BillingCountry: text(
      'Billing Country',
      'Billing country (the integration value where country picklists are on)',
      80,
    ),
    BillingCountryCode: countryCode('Billing Country Code', 'BillingCountry'),
    ShippingStreet: text('Shipping Street', 'Shipping street (lines separated by newlines)'),
    ShippingCity: text('Shipping City', 'Shipping city', 40),
    ShippingState: text('Shipping State/Province', 'Shipping state or province', 80),
    ShippingPostalCode: text('Shipping Zip/Postal Code', 'Shipping postal code', 20),
    ShippingCountry: text(
      'Shipping Country',
      'Shipping country (the integration value where country picklists are on)',
      80,
    ),
    ShippingCountryCode: countryCode('Shipping Country Code', 'ShippingCountry'),
    Magento_Customer_Id__c: externalId('Magento Customer Id', 'Magento customer id (external id, unique)'),
    Email__c: text('Email', 'Primary e-mail', 80),
    c2g__CODAAccountTradingCurrency__c: text('Account Currency', 'FinancialForce trading currency (ISO code)', 3),
    c2g__CODADaysOffset1__c: field('number', 'Days Offset 1', 'FinancialForce credit terms: days until due'),
    c2g__CODAVATRegistrationNumber__c: text('VAT Registration Number', 'VAT registration number', 20),
    c2g__CODASalesTaxStatus__c: openPicklist(
      ['Taxable', 'Exempt'],
      'Sales Tax Status',
      'FinancialForce sales tax (SUT) status of the customer: Exempt means no sales tax is charged',
    ),
    c2g__CODACreditLimit__c: field('number', 'Credit Limit', 'FinancialForce credit limit, in the trading currency'),
  },
);

/** Contact. */
export const contact: JsonSchema = sobject('Contact', 'A person at an account.', '003', ['LastName'], {
  AccountId: reference('Account', 'Account ID', 'Id of the Account record', 'Contacts'),
  FirstName: text('First Name', 'First name', 40),
  LastName: text('Last Name', 'Last name', 80),
  Email: text('Email', 'E-mail', 80),
  Phone: text('Business Phone', 'Phone', 40),
  Magento_Customer_Id__c: externalId('Magento Customer Id', 'Magento customer id (external id, unique)'),
});

/**
 * ContactPointAddress: the billing and shipping addresses of an account (its `ParentId`), any number of each, as
 * Salesforce's B2B Commerce keeps a buyer account's address book. `Magento_Address_Id__c` is the seed org's own
 * external id: the Magento address a record stands for.
 */
export const contactPointAddress: JsonSchema = sobject(
  'ContactPointAddress',
  "One billing or shipping address of an account's address book.",
  '8lW',
  ['Name'],
  {
    ParentId: reference('Account', 'Parent ID', 'The account the address belongs to', 'ContactPointAddresses'),
    Name: text('Name', 'Name of the address'),
    AddressType: picklist(['Billing', 'Shipping'], 'Address Type', 'Billing or Shipping'),
    IsDefault: field('boolean', 'Is Default Address', 'The default address of its type'),
    Street: text('Street', 'Street (lines separated by newlines)'),
    City: text('City', 'City', 40),
    State: text('State/Province', 'State or province', 80),
    PostalCode: text('Zip/Postal Code', 'Postal code', 20),
    Country: text('Country', 'Country (the integration value where country picklists are on)', 80),
    CountryCode: countryCode('Country Code', 'Country'),
    AddressFirstName: text('First Name', 'First name on the address'),
    AddressLastName: text('Last Name', 'Last name on the address'),
    CompanyName: text('Company Name', 'Company on the address'),
    Magento_Address_Id__c: externalId('Magento Address Id', 'Magento customer address id (external id, unique)'),
  },
);

/** Contract. */
export const contract: JsonSchema = sobject(
  'Contract',
  'A customer contract; usage is billed against it until it is fulfilled.',
  '800',
  ['AccountId'],
  {
    AccountId: reference('Account', 'Account ID'),
    ContractNumber: autoNumber('Contract Number', 'Contract number (auto-number, read-only)', 'C-{0000}'),
    Status: picklist(
      ['Draft', 'In Approval Process', 'Activated', 'Fulfilled'],
      'Status',
      'Contract status; Fulfilled (a value this org adds) locks its usage entries',
    ),
    Fulfilled__c: field(
      'boolean',
      'Fulfilled',
      'Checked when the contract is fulfilled; its usage entries are then locked',
    ),
    StartDate: date('Contract Start Date', 'Contract start date'),
    ContractTerm: field('integer', 'Contract Term (months)', 'Term in months'),
  },
);

/** Product2. */
export const product2: JsonSchema = sobject(
  'Product2',
  'A product (also the FinancialForce product).',
  '01t',
  ['Name'],
  {
    Name: text('Product Name', 'Product name'),
    ProductCode: text('Product Code', 'Product code (SKU)'),
    IsActive: field('boolean', 'Active', 'Active products can be sold'),
    Description: text('Product Description', 'Description', 4000),
    Family: openPicklist(['Kitchen', 'Apparel', 'Accessories'], 'Product Family', 'Product family (picklist)'),
    // Custom fields of the seed FF org: the web shop's flag and the shipping weight.
    Web_Visible__c: field('boolean', 'Web Visible', 'Sold online: the product belongs in the Magento store'),
    Weight__c: field('number', 'Weight (kg)', 'Shipping weight in kilograms'),
    // The seed org's own variant families: a variant names its parent product and its size.
    Variant_Parent__c: reference('Product2', 'Variant Of', 'The parent product of this variant', 'Variants__r'),
    Size__c: picklist(['S', 'M', 'L', 'XL'], 'Size', 'The size of a variant'),
    Web_Category__c: text('Web Category', 'The store category path, such as Gear/Bags (the org’s own)', 255),
  },
);

/** Pricebook2. */
export const pricebook2: JsonSchema = sobject('Pricebook2', 'A price book.', '01s', ['Name'], {
  Name: text('Price Book Name', 'Price book name'),
  IsActive: field('boolean', 'Active', 'Active price books can be used'),
  IsStandard: field('boolean', 'Is Standard Price Book', 'The standard price book', { readOnly: true }),
  ValidFrom: dateTime('Valid From', 'When the price book starts to apply'),
  ValidTo: dateTime('Valid To', 'When the price book stops applying'),
});

/** PricebookEntry: its price book and product are set when it is created and never change. */
export const pricebookEntry: JsonSchema = sobject(
  'PricebookEntry',
  "A product's price in one price book.",
  '01u',
  ['Pricebook2Id', 'Product2Id', 'UnitPrice'],
  {
    Pricebook2Id: createOnly(reference('Pricebook2', 'Price Book ID', undefined, 'PricebookEntries')),
    Product2Id: createOnly(reference('Product2', 'Product ID', undefined, 'PricebookEntries')),
    UnitPrice: field('number', 'List Price', 'List price'),
    IsActive: field('boolean', 'Active', 'Active entries can be used'),
    CurrencyIsoCode: text('Currency ISO Code', 'Currency (multi-currency orgs)', 3),
  },
);

/**
 * Quote (a sales quote on an opportunity): its account is the opportunity's, its `TotalPrice` sums the lines, and it
 * is numbered (`QuoteNumber`). The opportunity is not modelled: the emulator's quotes are seeded with their account,
 * which a client does not write.
 */
export const quote: JsonSchema = sobject('Quote', 'A sales quote: proposed prices for products.', '0Q0', ['Name'], {
  Name: text('Quote Name', 'Quote name'),
  QuoteNumber: autoNumber('Quote Number', 'Quote number (auto-number, read-only)', '{00000000}'),
  AccountId: { ...reference('Account', 'Account ID', "The opportunity's account (read-only)"), readOnly: true },
  Status: openPicklist(
    ['Draft', 'Needs Review', 'In Review', 'Approved', 'Rejected', 'Presented', 'Accepted', 'Denied'],
    'Status',
    'Quote status',
  ),
  Description: text('Description', 'Description', 32000),
  ExpirationDate: date('Expiration Date', 'Last day the quote is valid'),
  ShippingHandling: field('number', 'Shipping and Handling', 'Shipping and handling charged'),
  TotalPrice: formula('number', 'Total Price', 'Sum of the lines, with discounts, plus shipping (read-only)'),
});

/** QuoteLineItem: a product on a quote; its quote and product are set when it is created. */
export const quoteLineItem: JsonSchema = sobject(
  'QuoteLineItem',
  'A product line of a quote.',
  '0QL',
  ['QuoteId', 'Product2Id', 'Quantity', 'UnitPrice'],
  {
    QuoteId: createOnly(reference('Quote', 'Quote ID', 'Id of the Quote record', 'QuoteLineItems')),
    Product2Id: createOnly(reference('Product2', 'Product ID')),
    Quantity: field('number', 'Quantity', 'Quantity'),
    UnitPrice: field('number', 'Sales Price', 'Unit price'),
  },
);
