/**
 * FinancialForce (Certinia) accounting objects (`c2g__` namespace): sales invoices and cash entries with their lines.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import { date, externalId, field, picklist, reference, sobject } from './sobject-schema.js';

const text = (description: string) => field('string', description);
const amount = (description: string) => field('number', description);

/** c2g__codaInvoice__c: the sales invoice head. */
export const salesInvoice: JsonSchema = sobject(
  'c2g__codaInvoice__c',
  'FinancialForce sales invoice (head).',
  'a1A',
  ['c2g__Account__c', 'c2g__InvoiceDate__c'],
  {
    Magento_Order_Id__c: externalId('Magento order entity id (external id, unique)'),
    c2g__Account__c: reference('Account'),
    c2g__InvoiceDate__c: date('Invoice date'),
    c2g__DueDate__c: date('Due date'),
    c2g__CustomerReference__c: text("Customer's reference (the Magento increment id)"),
    c2g__InvoiceCurrency__c: reference('c2g__codaAccountingCurrency__c'),
    c2g__InvoiceDescription__c: text('Description'),
    c2g__InvoiceStatus__c: picklist(
      ['In Progress', 'Complete', 'Discarded'],
      'Invoice status; only In Progress invoices can change',
    ),
    c2g__PaymentStatus__c: text('Payment status: Unpaid, Part Paid, Paid (read-only)'),
    c2g__InvoiceTotal__c: amount('Invoice total (read-only)'),
    c2g__OutstandingValue__c: amount('Amount still open (read-only)'),
    Shipping_Amount__c: amount('Shipping charged'),
    Shipping_Discount__c: amount('Discount on shipping'),
    Order_Discount__c: amount('Order-level discount not on any line'),
    Payment_Method__c: text('Payment method(s), joined by " + "'),
    Payment_Transaction_Id__c: text("Payment processor's transaction id(s)"),
    Tax_Transaction_Id__c: text("Tax engine's transaction id"),
  },
);

/** c2g__codaInvoiceLineItem__c: one invoice line. */
export const salesInvoiceLine: JsonSchema = sobject(
  'c2g__codaInvoiceLineItem__c',
  'FinancialForce sales invoice line item.',
  'a1B',
  ['c2g__Invoice__c', 'c2g__Product__c', 'c2g__Quantity__c', 'c2g__UnitPrice__c'],
  {
    Magento_Order_Item_Id__c: externalId('Magento order item id (external id, unique)'),
    c2g__Invoice__c: reference('c2g__codaInvoice__c'),
    c2g__Product__c: reference('Product2'),
    c2g__LineDescription__c: text('Line description'),
    c2g__Quantity__c: amount('Quantity'),
    c2g__UnitPrice__c: amount('Unit price'),
    Line_Discount__c: amount('Discount on the line'),
    c2g__TaxCode1__c: reference('c2g__codaTaxCode__c'),
    c2g__TaxValue1__c: amount('Tax amount'),
    Tax_Transaction_Id__c: text("Tax engine's transaction id"),
  },
);

/** c2g__codaCashEntry__c: a cash entry (a receipt from a customer), matched to invoices in FF's cash matching. */
export const cashEntry: JsonSchema = sobject(
  'c2g__codaCashEntry__c',
  'FinancialForce cash entry (head).',
  'a2C',
  ['c2g__BankAccount__c', 'c2g__Date__c', 'c2g__Type__c'],
  {
    Magento_Order_Id__c: externalId('Magento order entity id of the payment (external id, unique)'),
    c2g__BankAccount__c: reference('c2g__codaBankAccount__c'),
    c2g__Date__c: date('Date received'),
    c2g__Type__c: picklist(['Receipt', 'Payment', 'Refund', 'Payment Refund'], 'Receipt for money from a customer'),
    c2g__PaymentMethod__c: text('How it was paid'),
    c2g__Reference__c: text("Payment processor's transaction id"),
    c2g__Description__c: text('Description'),
    c2g__CashEntryCurrency__c: reference('c2g__codaAccountingCurrency__c'),
  },
);

/** c2g__codaCashEntryLineItem__c: the amount received from one account. */
export const cashEntryLine: JsonSchema = sobject(
  'c2g__codaCashEntryLineItem__c',
  'FinancialForce cash entry line item.',
  'a2D',
  ['c2g__CashEntry__c', 'c2g__Account__c', 'c2g__CashEntryValue__c'],
  {
    Magento_Order_Id__c: externalId('Magento order entity id of the payment (external id, unique)'),
    c2g__CashEntry__c: reference('c2g__codaCashEntry__c'),
    c2g__Account__c: reference('Account'),
    c2g__CashEntryValue__c: amount('Amount received'),
    c2g__AccountReference__c: text('Reference the matching uses (the invoice number)'),
    c2g__AccountPaymentMethod__c: text('Payment method'),
    Sales_Invoice__c: reference('c2g__codaInvoice__c'),
  },
);
