/**
 * FinancialForce (Certinia) accounting objects (`c2g__` namespace): sales invoices and cash entries with their lines,
 * and the reference data they point to (accounting currencies, tax codes, bank accounts). Field names, types,
 * lengths, picklist values and formulas follow the managed package's metadata; fields without the `c2g__` prefix
 * (Magento ids, shipping amounts) are the seed org's own custom fields.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import {
  autoNumber,
  date,
  externalId,
  field,
  formula,
  openPicklist,
  picklist,
  reference,
  sobject,
  text,
} from './sobject-schema.js';

const amount = (label: string, description: string) => field('number', label, description);
const DIMENSIONS = ['c2g__Dimension1__c', 'c2g__Dimension2__c', 'c2g__Dimension3__c', 'c2g__Dimension4__c'];
const dimensions = Object.fromEntries(
  DIMENSIONS.map((name, i) => [name, reference(`c2g__codaDimension${i + 1}__c`, `Dimension ${i + 1}`)]),
);
const STATUSES = ['In Progress', 'Ready to Post', 'Complete', 'Discarded'];
/** The seed org's address fields on a document: street, city, state, postal code, country, as Account has them. */
const address = (prefix: 'Billing' | 'Shipping', what: string) => ({
  [`${prefix}_Name__c`]: text(`${prefix} Name`, `Name ${what}`, 255),
  [`${prefix}_Street__c`]: text(`${prefix} Street`, `Street ${what} (lines joined by newlines)`, 255),
  [`${prefix}_City__c`]: text(`${prefix} City`, `City ${what}`, 40),
  [`${prefix}_State__c`]: text(`${prefix} State`, `State or region ${what}`, 80),
  [`${prefix}_Postal_Code__c`]: text(`${prefix} Postal Code`, `Postal code ${what}`, 20),
  [`${prefix}_Country__c`]: text(`${prefix} Country`, `Country ${what} (ISO code)`, 80),
});
const PAYMENT_STATUS = 'Not Applicable until posted, then Paid, Part Paid or Unpaid from the transaction';

/** c2g__codaInvoice__c: the sales invoice head. Posted (Complete) invoices can only be amended. */
export const salesInvoice: JsonSchema = sobject(
  'c2g__codaInvoice__c',
  'FinancialForce sales invoice (head).',
  'a1A',
  ['c2g__Account__c'],
  {
    Name: autoNumber('Invoice Number', 'Invoice number (auto-number, read-only)', 'SIN{000000}'),
    Magento_Order_Id__c: externalId('Magento Order Id', 'Magento order entity id (external id, unique)'),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
    c2g__Account__c: reference('Account', 'Account'),
    c2g__InvoiceDate__c: date('Invoice Date', 'Invoice date (today when not set)'),
    c2g__DueDate__c: date('Due Date', 'Due date (amendable after posting)'),
    c2g__CustomerReference__c: text('Customer Reference', "Customer's reference (amendable after posting)", 24),
    c2g__InvoiceCurrency__c: reference('c2g__codaAccountingCurrency__c', 'Invoice Currency'),
    c2g__InvoiceDescription__c: text('Invoice Description', 'Description (amendable after posting)', null),
    c2g__InvoiceStatus__c: {
      ...picklist(
        STATUSES,
        'Invoice Status',
        'Set by FinancialForce: posting (the Post button, background posting or the Apex API) makes it Complete',
      ),
      default: 'In Progress',
    },
    c2g__OwnerCompany__c: reference('c2g__codaCompany__c', 'Company', "The company (the user's current company)"),
    ...dimensions,
    c2g__PaymentStatus__c: formula('string', 'Payment Status', PAYMENT_STATUS),
    c2g__NetTotal__c: formula('number', 'Invoice Net Total', 'Roll-up of the lines'),
    c2g__TaxTotal__c: formula('number', 'Invoice Tax Total', 'Roll-up of the line taxes'),
    c2g__InvoiceTotal__c: formula('number', 'Invoice Total', 'Net total plus tax total'),
    c2g__OutstandingValue__c: formula('number', 'Outstanding Value', 'Amount still open on the transaction'),
    Shipping_Amount__c: amount('Shipping Amount', 'Shipping charged'),
    Shipping_Discount__c: amount('Shipping Discount', 'Discount on shipping'),
    Order_Discount__c: amount('Order Discount', 'Order-level discount not on any line'),
    Payment_Method__c: text('Payment Method', 'Payment method(s), joined by " + "'),
    Payment_Transaction_Id__c: text('Payment Transaction Id', "Payment processor's transaction id(s)"),
    Tax_Transaction_Id__c: text('Tax Transaction Id', "Tax engine's transaction id"),
    // The package's invoice has no address of its own (it prints the account's): the seed org keeps the order's.
    ...address('Billing', 'billed to'),
    ...address('Shipping', 'shipped to'),
  },
  {
    postedLock: {
      status_field: 'c2g__InvoiceStatus__c',
      statuses: {
        Complete: ['c2g__DueDate__c', 'c2g__InvoiceDescription__c', 'c2g__CustomerReference__c', ...DIMENSIONS],
        'Ready to Post': [],
      },
    },
  },
);

/** c2g__codaInvoiceLineItem__c: one invoice line; a posted invoice's lines keep only their descriptions editable. */
export const salesInvoiceLine: JsonSchema = sobject(
  'c2g__codaInvoiceLineItem__c',
  'FinancialForce sales invoice line item.',
  'a1B',
  ['c2g__Invoice__c', 'c2g__Product__c', 'c2g__Quantity__c', 'c2g__UnitPrice__c'],
  {
    Magento_Order_Item_Id__c: externalId('Magento Order Item Id', 'Magento order item id (external id, unique)'),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
    c2g__Invoice__c: reference('c2g__codaInvoice__c', 'Invoice', 'The invoice (master-detail)'),
    c2g__Product__c: reference('Product2', 'Product'),
    c2g__LineDescription__c: text('Line Description', 'Line description (amendable after posting)', 255),
    c2g__Quantity__c: amount('Quantity', 'Quantity'),
    c2g__UnitPrice__c: amount('Unit Price', 'Unit price'),
    c2g__NetValue__c: formula('number', 'Net Value', 'Unit price times quantity'),
    Line_Discount__c: amount('Line Discount', 'Discount on the line'),
    c2g__TaxCode1__c: reference('c2g__codaTaxCode__c', 'Tax Code 1'),
    c2g__TaxValue1__c: amount('Tax Value 1', 'Tax amount'),
    ...dimensions,
    Tax_Transaction_Id__c: text('Tax Transaction Id', "Tax engine's transaction id"),
  },
  { postedLock: { via: 'c2g__Invoice__c', statuses: { Complete: ['c2g__LineDescription__c', ...DIMENSIONS] } } },
);

/** c2g__codaCreditNote__c: the sales credit note head (a refund or correction of a sales invoice). */
export const salesCreditNote: JsonSchema = sobject(
  'c2g__codaCreditNote__c',
  'FinancialForce sales credit note (head).',
  'a1C',
  ['c2g__Account__c'],
  {
    Name: autoNumber('Credit Note Number', 'Credit note number (auto-number, read-only)', 'SCR{000000}'),
    Magento_Creditmemo_Id__c: externalId(
      'Magento Credit Memo Id',
      'Magento credit memo entity id (external id, unique)',
    ),
    c2g__Account__c: reference('Account', 'Account'),
    c2g__Invoice__c: reference('c2g__codaInvoice__c', 'Invoice', 'The sales invoice it credits'),
    c2g__CreditNoteDate__c: date('Credit Note Date', 'Credit note date'),
    c2g__DueDate__c: date('Due Date', 'Due date (derived from the account when not set)'),
    c2g__CreditNoteCurrency__c: reference('c2g__codaAccountingCurrency__c', 'Credit Note Currency'),
    c2g__CreditNoteDescription__c: text('Credit Note Description', 'Description', null),
    c2g__CustomerReference__c: text('Customer Reference', "Customer's reference, e.g. a returns note number", 24),
    c2g__CreditNoteStatus__c: {
      ...picklist(STATUSES, 'Credit Note Status', 'Set by FinancialForce: posting makes it Complete'),
      default: 'In Progress',
    },
    c2g__NetTotal__c: formula('number', 'Net Total', 'Roll-up of the lines'),
    c2g__TaxTotal__c: formula('number', 'Tax Total', 'Roll-up of the line taxes'),
    c2g__CreditNoteTotal__c: formula('number', 'Credit Note Total', 'Net total plus tax total'),
  },
  {
    postedLock: {
      status_field: 'c2g__CreditNoteStatus__c',
      statuses: { Complete: ['c2g__DueDate__c', 'c2g__CreditNoteDescription__c', 'c2g__CustomerReference__c'] },
    },
  },
);

/** c2g__codaCreditNoteLineItem__c: one credit note line. */
export const salesCreditNoteLine: JsonSchema = sobject(
  'c2g__codaCreditNoteLineItem__c',
  'FinancialForce sales credit note line item.',
  'a1D',
  ['c2g__CreditNote__c', 'c2g__Product__c', 'c2g__Quantity__c', 'c2g__UnitPrice__c'],
  {
    Magento_Creditmemo_Item_Id__c: externalId(
      'Magento Credit Memo Item Id',
      'Magento credit memo item id, or "<memo id>-shipping" / "-adjustment" (external id, unique)',
    ),
    c2g__CreditNote__c: reference('c2g__codaCreditNote__c', 'Credit Note Number', 'The credit note (master-detail)'),
    c2g__Product__c: reference('Product2', 'Product'),
    c2g__LineDescription__c: text('Line Description', 'Line description', 255),
    c2g__Quantity__c: amount('Quantity', 'Quantity'),
    c2g__UnitPrice__c: amount('Unit Price', 'Unit price'),
    c2g__NetValue__c: formula('number', 'Net Value', 'Unit price times quantity'),
    Line_Discount__c: amount('Line Discount', 'Discount on the line'),
    c2g__TaxCode1__c: reference('c2g__codaTaxCode__c', 'Tax Code'),
    c2g__TaxValue1__c: amount('Tax Value 1', 'Tax amount'),
  },
  { postedLock: { via: 'c2g__CreditNote__c', statuses: { Complete: ['c2g__LineDescription__c'] } } },
);

/** c2g__codaCashEntry__c: a cash entry (a receipt from a customer), matched to invoices in FF's cash matching. */
export const cashEntry: JsonSchema = sobject(
  'c2g__codaCashEntry__c',
  'FinancialForce cash entry (head).',
  'a2C',
  ['c2g__BankAccount__c', 'c2g__Date__c', 'c2g__Type__c'],
  {
    Magento_Invoice_Id__c: externalId('Magento Invoice Id', 'Magento invoice entity id of the payment (unique)'),
    Magento_Order_Id__c: externalId('Magento Order Id', 'Magento order entity id of the payment (unique)'),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
    c2g__BankAccount__c: reference('c2g__codaBankAccount__c', 'Bank Account'),
    c2g__Date__c: date('Date', 'Date received'),
    c2g__Type__c: picklist(['Receipt', 'Refund', 'Payment', 'Payment Refund'], 'Type', 'Receipt: from a customer'),
    c2g__Status__c: {
      ...picklist(['In Progress', 'Complete', 'Discarded'], 'Status', 'Set by posting'),
      default: 'In Progress',
    },
    c2g__PaymentMethod__c: picklist(['Cash', 'Check', 'Electronic', 'Mixed'], 'Payment Method', 'How it was paid'),
    c2g__Reference__c: text('Reference', "Payment processor's transaction id", 80),
    c2g__Description__c: text('Description', 'Description'),
    c2g__CashEntryCurrency__c: reference('c2g__codaAccountingCurrency__c', 'Cash Entry Currency'),
    c2g__PaymentStatus__c: formula('string', 'Payment Status', PAYMENT_STATUS),
    c2g__TotalAllocated__c: formula('number', 'Total Allocated', 'Allocated to documents'),
  },
  {
    postedLock: {
      status_field: 'c2g__Status__c',
      statuses: { Complete: ['c2g__Description__c', 'c2g__Reference__c'] },
    },
  },
);

/** c2g__codaCashEntryLineItem__c: the amount received from one account. */
export const cashEntryLine: JsonSchema = sobject(
  'c2g__codaCashEntryLineItem__c',
  'FinancialForce cash entry line item.',
  'a2D',
  ['c2g__CashEntry__c', 'c2g__Account__c', 'c2g__CashEntryValue__c'],
  {
    Magento_Invoice_Id__c: externalId('Magento Invoice Id', 'Magento invoice entity id of the payment (unique)'),
    Magento_Order_Id__c: externalId('Magento Order Id', 'Magento order entity id of the payment (unique)'),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
    c2g__CashEntry__c: reference('c2g__codaCashEntry__c', 'Cash Entry', 'The cash entry (master-detail)'),
    c2g__Account__c: reference('Account', 'Account'),
    c2g__CashEntryValue__c: amount('Cash Entry Value', 'Amount received'),
    c2g__AccountReference__c: text('Account Reference', 'Reference the matching uses (invoice numbers)', 24),
    c2g__AccountPaymentMethod__c: picklist(
      ['Cash', 'Check', 'Electronic'],
      'Account Payment Method',
      'How it was paid',
    ),
    c2g__LineDescription__c: text('Line Description', 'Line description'),
    c2g__SignedValue__c: formula('number', 'Signed Value', 'Value with the sign of the entry type'),
    Sales_Invoice__c: reference('c2g__codaInvoice__c', 'Sales Invoice', 'The invoice the payment is for'),
  },
  {
    postedLock: {
      via: 'c2g__CashEntry__c',
      statuses: { Complete: ['c2g__AccountReference__c', 'c2g__LineDescription__c'] },
    },
  },
);

/** c2g__codaAccountingCurrency__c: a currency of the company; its Name is the ISO code. */
export const accountingCurrency: JsonSchema = sobject(
  'c2g__codaAccountingCurrency__c',
  'FinancialForce accounting currency (Name is the ISO code).',
  'a0C',
  ['Name'],
  {
    Name: text('Currency Name', 'ISO currency code', 80),
    c2g__DecimalPlaces__c: field('number', 'Decimal Places', 'Decimal places'),
    c2g__Home__c: field('boolean', 'Home', 'The home currency'),
  },
);

/** c2g__codaTaxCode__c: a tax code (Name is the code). */
export const taxCode: JsonSchema = sobject(
  'c2g__codaTaxCode__c',
  'FinancialForce tax code (Name is the code).',
  'a1Q',
  ['Name'],
  {
    Name: text('Tax Code', 'The code', 80),
    c2g__Description__c: text('Description', 'Description', 80),
    c2g__TaxModel__c: openPicklist(['HST', 'PST & GST', 'GST & QST', 'GST', 'PST', 'QST'], 'Tax Model', 'Tax model'),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
  },
);

/** c2g__codaBankAccount__c: a bank account of the company, where cash entries land. */
export const bankAccount: JsonSchema = sobject(
  'c2g__codaBankAccount__c',
  'FinancialForce bank account.',
  'a0B',
  ['c2g__AccountName__c', 'c2g__AccountNumber__c', 'c2g__BankName__c', 'c2g__ReportingCode__c'],
  {
    Name: text('Bank Account Name', 'Name', 80),
    c2g__AccountName__c: text('Account Name', 'Account holder name', 80),
    c2g__AccountNumber__c: text('Account Number', 'Account number', 80),
    c2g__BankName__c: text('Bank Name', 'Bank name', 80),
    c2g__ReportingCode__c: text('Reporting Code', 'Unique reporting code', 24),
    c2g__ExternalId__c: externalId('External Id', 'External id (unique)', 32),
  },
);
