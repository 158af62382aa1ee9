/**
 * Salesforce object schemas the connector and its emulator know: standard objects, FinancialForce (Certinia)
 * `c2g__` accounting objects, and the service app's usage entries. `required` lists the fields Salesforce demands
 * on create; `x-key-prefix` is the object's id prefix.
 */
import type { JsonSchema } from '../../engine/sdk/index.js';

const str = { type: 'string' };
const num = { type: 'number' };
const bool = { type: 'boolean' };
const id = { type: 'string', description: 'a Salesforce record id' };
const date = { type: 'string', format: 'date' };

const object = (prefix: string, required: string[], properties: Record<string, unknown>): JsonSchema => ({ type: 'object', 'x-key-prefix': prefix, required, properties: { Id: id, ...properties } });

export const SOBJECT_SCHEMAS: Record<string, JsonSchema> = {
  Account: object('001', ['Name'], { Name: str, AccountNumber: str, Phone: str, Website: str, BillingStreet: str, BillingCity: str, BillingPostalCode: str, BillingCountry: str, ShippingStreet: str, ShippingCity: str, ShippingPostalCode: str, ShippingCountry: str, Magento_Customer_Id__c: str, Email__c: str }),
  Contact: object('003', ['LastName'], { AccountId: id, FirstName: str, LastName: str, Email: str, Phone: str, Magento_Customer_Id__c: str }),
  Contract: object('800', ['AccountId'], { AccountId: id, ContractNumber: str, Status: { type: 'string', enum: ['Draft', 'Activated', 'Fulfilled'] }, StartDate: date, ContractTerm: num }),
  Usage_Entry__c: object('a0U', ['Contract__c', 'Product_Type__c', 'Units__c'], { External_Id__c: str, Contract__c: id, Product_Type__c: str, Units__c: num, Usage_Date__c: date }),
  Product2: object('01t', ['Name'], { Name: str, ProductCode: str, IsActive: bool, Description: str }),
  Pricebook2: object('01s', ['Name'], { Name: str, IsActive: bool, IsStandard: bool }),
  PricebookEntry: object('01u', ['Pricebook2Id', 'Product2Id', 'UnitPrice'], { Pricebook2Id: id, Product2Id: id, UnitPrice: num, IsActive: bool, CurrencyIsoCode: str }),
  c2g__codaInvoice__c: object('a1A', ['c2g__Account__c', 'c2g__InvoiceDate__c'], {
    Magento_Order_Id__c: str, c2g__Account__c: id, c2g__InvoiceDate__c: date, c2g__DueDate__c: date, c2g__CustomerReference__c: str, c2g__InvoiceCurrency__c: id,
    c2g__InvoiceDescription__c: str, c2g__InvoiceStatus__c: { type: 'string', enum: ['In Progress', 'Complete', 'Discarded'] }, c2g__PaymentStatus__c: str,
    Shipping_Amount__c: num, Shipping_Discount__c: num, Order_Discount__c: num, Payment_Method__c: str, Payment_Transaction_Id__c: str, Tax_Transaction_Id__c: str,
  }),
  c2g__codaInvoiceLineItem__c: object('a1B', ['c2g__Invoice__c', 'c2g__Product__c', 'c2g__Quantity__c', 'c2g__UnitPrice__c'], {
    Magento_Order_Item_Id__c: str, c2g__Invoice__c: id, c2g__Product__c: id, c2g__LineDescription__c: str, c2g__Quantity__c: num, c2g__UnitPrice__c: num,
    Line_Discount__c: num, c2g__TaxCode1__c: id, c2g__TaxValue1__c: num, Tax_Transaction_Id__c: str,
  }),
};

export function sobjectSchema(name: unknown): JsonSchema | undefined {
  return typeof name === 'string' ? SOBJECT_SCHEMAS[name] : undefined;
}
