/** Every sObject the Salesforce connector and its emulator know, by API name. */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import {
  accountingCurrency,
  bankAccount,
  cashEntry,
  cashEntryLine,
  salesCreditNote,
  salesCreditNoteLine,
  salesInvoice,
  salesInvoiceLine,
  taxCode,
} from './financialforce.js';
import {
  account,
  contact,
  contactPointAddress,
  contract,
  pricebook2,
  pricebookEntry,
  product2,
  quote,
  quoteLineItem,
} from './standard-objects.js';
import { fulfilment, fulfilmentLine, fulfilmentPackage } from './fulfilment.js';
import { location, productItem } from './stock.js';
import { usageEntry } from './usage-entry.js';

/** Entity schemas by sObject API name. */
export const SOBJECT_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  Account: account,
  Contact: contact,
  ContactPointAddress: contactPointAddress,
  Contract: contract,
  Usage_Entry__c: usageEntry,
  Product2: product2,
  Pricebook2: pricebook2,
  PricebookEntry: pricebookEntry,
  Location: location,
  ProductItem: productItem,
  Fulfilment__c: fulfilment,
  Fulfilment_Line__c: fulfilmentLine,
  Fulfilment_Package__c: fulfilmentPackage,
  Quote: quote,
  QuoteLineItem: quoteLineItem,
  c2g__codaInvoice__c: salesInvoice,
  c2g__codaInvoiceLineItem__c: salesInvoiceLine,
  c2g__codaCreditNote__c: salesCreditNote,
  c2g__codaCreditNoteLineItem__c: salesCreditNoteLine,
  c2g__codaCashEntry__c: cashEntry,
  c2g__codaCashEntryLineItem__c: cashEntryLine,
  c2g__codaAccountingCurrency__c: accountingCurrency,
  c2g__codaTaxCode__c: taxCode,
  c2g__codaBankAccount__c: bankAccount,
};

/** The entity schema of an sObject, or undefined for objects the connector does not describe. */
export function sobjectSchema(name: unknown): JsonSchema | undefined {
  return typeof name === 'string' ? SOBJECT_SCHEMAS[name] : undefined;
}
