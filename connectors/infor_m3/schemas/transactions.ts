/**
 * The M3 MI transactions the connector offers: program/transaction, the record type for ownership, its fields
 * (M3's 4-6 letter names), the mandatory ones, and the identity fields. One table drives the operations, the
 * schemas and the emulator's validation.
 */
import type { OperationKind } from '../../../engine/sdk/index.js';

/** One MI transaction as the connector offers it. */
export interface M3Transaction {
  /** `PROGRAM/Transaction`, as M3 names it. */
  name: string;
  description: string;
  kind: OperationKind;
  object: string;
  fields: Record<string, string>;
  required: string[];
  identity?: string[];
  /** Fields M3 returns in the result record. */
  returns?: string[];
  /** Input fields that must be numeric. */
  numeric?: string[];
}

const t = (
  name: string,
  kind: OperationKind,
  object: string,
  description: string,
  fields: Record<string, string>,
  required: string[],
  extra: Partial<M3Transaction> = {},
): M3Transaction => ({ name, kind, object, description, fields, required, ...extra });

const customer = {
  CUNO: 'customer number',
  CUNM: 'customer name',
  CUA1: 'address line 1',
  CUA2: 'address line 2',
  CUA3: 'address line 3',
  TOWN: 'city',
  PONO: 'postal code',
  CSCD: 'country',
  PHNO: 'telephone',
  MAIL: 'e-mail',
  CUTM: 'template customer',
  STAT: 'status',
  CUCD: 'currency',
};
const supplier = {
  SUNO: 'supplier number',
  SUNM: 'supplier name',
  SUTY: 'supplier type',
  CSCD: 'country',
  CUCD: 'currency',
  TEPY: 'payment terms',
  PHNO: 'telephone',
  STAT: 'status',
};
const item = {
  ITNO: 'item number',
  ITDS: 'name',
  FUDS: 'description',
  ITTY: 'item type',
  ITCL: 'product group / item class',
  UNMS: 'basic unit of measure',
  STAT: 'status',
  RESP: 'responsible',
};

/** Every transaction the connector and its emulator support. */
export const M3_TRANSACTIONS: M3Transaction[] = [
  t(
    'CRS610MI/Add',
    'create',
    'customer',
    'Add a customer (from a template customer).',
    customer,
    ['CUNO', 'CUNM', 'CUTM'],
    { identity: ['CUNO'] },
  ),
  t(
    'CRS610MI/ChgBasicData',
    'update',
    'customer',
    'Change basic data of a customer: only the fields sent change.',
    customer,
    ['CUNO'],
    { identity: ['CUNO'] },
  ),
  t('CRS610MI/GetBasicData', 'read', 'customer', 'Read a customer.', { CUNO: 'customer number' }, ['CUNO'], {
    returns: Object.keys(customer),
  }),
  t(
    'CRS610MI/LstByNumber',
    'query',
    'customer',
    'List customers in customer number order.',
    { CUNO: 'customer number' },
    [],
    { returns: Object.keys(customer) },
  ),
  t('CRS620MI/AddSupplier', 'create', 'supplier', 'Add a supplier (vendor).', supplier, ['SUNO', 'SUNM'], {
    identity: ['SUNO'],
  }),
  t('CRS620MI/UpdSupplier', 'update', 'supplier', 'Update a supplier.', supplier, ['SUNO'], { identity: ['SUNO'] }),
  t('CRS620MI/GetBasicData', 'read', 'supplier', 'Read a supplier.', { SUNO: 'supplier number' }, ['SUNO'], {
    returns: Object.keys(supplier),
  }),
  t('MMS200MI/AddItmBasic', 'create', 'item', 'Add an item (basic data).', item, ['ITNO', 'ITDS', 'ITTY', 'UNMS'], {
    identity: ['ITNO'],
  }),
  t('MMS200MI/UpdItmBasic', 'update', 'item', 'Update an item.', item, ['ITNO'], { identity: ['ITNO'] }),
  t('MMS200MI/Get', 'read', 'item', 'Read an item (basic data).', { ITNO: 'item number' }, ['ITNO'], {
    returns: Object.keys(item),
  }),
  t(
    'MMS200MI/GetItmBasic',
    'read',
    'item',
    'Read an item (basic data, older transaction).',
    { ITNO: 'item number' },
    ['ITNO'],
    { returns: Object.keys(item) },
  ),
  t(
    'OIS100MI/AddHead',
    'create',
    'order_head',
    'Add a customer order head; returns the order number ORNO.',
    {
      CUNO: 'customer',
      ORTP: 'order type',
      FACI: 'facility',
      WHLO: 'warehouse',
      ORDT: 'order date YYYYMMDD',
      RLDT: 'requested delivery date YYYYMMDD',
      CUOR: "customer's order number",
      OREF: 'our reference',
      YREF: 'your reference',
      CUCD: 'currency',
    },
    ['CUNO', 'ORTP', 'ORDT'],
    { returns: ['ORNO'] },
  ),
  t(
    'OIS100MI/AddLine',
    'create',
    'order_line',
    'Add a line to an order; returns the line number PONR.',
    {
      ORNO: 'order number',
      ITNO: 'item',
      ORQT: 'ordered quantity',
      WHLO: 'warehouse',
      SAPR: 'sales price',
      DWDT: 'requested delivery date YYYYMMDD',
      CUPO: 'customer order line',
    },
    ['ORNO', 'ITNO', 'ORQT'],
    { returns: ['PONR'], numeric: ['ORQT', 'SAPR'] },
  ),
  t('OIS100MI/GetHead', 'read', 'order_head', 'Read an order head.', { ORNO: 'order number' }, ['ORNO'], {
    returns: ['ORNO', 'CUNO', 'ORST', 'ORSL', 'CUOR'],
  }),
  t(
    'MMS080MI/LstByItem',
    'query',
    'inventory',
    'List planned and on-hand quantities of an item per warehouse.',
    { ITNO: 'item', WHLO: 'warehouse' },
    ['ITNO'],
    { returns: ['ITNO', 'WHLO', 'STQT', 'ALQT', 'PLQT'] },
  ),
  t(
    'PPS100MI/AddHead',
    'create',
    'purchase_order',
    'Add a purchase order head; returns PUNO.',
    {
      SUNO: 'supplier',
      FACI: 'facility',
      WHLO: 'warehouse',
      ORTY: 'order type',
      DWDT: 'delivery date YYYYMMDD',
      CUCD: 'currency',
      PUDT: 'order date YYYYMMDD',
    },
    ['SUNO', 'WHLO', 'DWDT'],
    { returns: ['PUNO'] },
  ),
  t(
    'PPS100MI/AddLine',
    'create',
    'purchase_order_line',
    'Add a purchase order line.',
    { PUNO: 'purchase order', ITNO: 'item', ORQA: 'quantity', PUPR: 'purchase price', DWDT: 'delivery date YYYYMMDD' },
    ['PUNO', 'ITNO', 'ORQA'],
    { returns: ['PNLI'], numeric: ['ORQA', 'PUPR'] },
  ),
  t(
    'PIS100MI/AddHead',
    'create',
    'supplier_invoice',
    'Register a supplier invoice head; returns the batch INBN.',
    {
      SUNO: 'supplier',
      SINO: 'supplier invoice number',
      IVDT: 'invoice date YYYYMMDD',
      CUAM: 'amount',
      CUCD: 'currency',
      PUNO: 'purchase order',
    },
    ['SUNO', 'SINO', 'IVDT', 'CUAM'],
    { returns: ['INBN'], numeric: ['CUAM'] },
  ),
  t(
    'PIS100MI/AddLine',
    'create',
    'supplier_invoice_line',
    'Add a line to a supplier invoice.',
    {
      INBN: 'invoice batch',
      PUNO: 'purchase order',
      PNLI: 'purchase order line',
      IVQA: 'invoiced quantity',
      GRPR: 'gross price',
    },
    ['INBN', 'IVQA'],
    { returns: ['RDTP'], numeric: ['IVQA', 'GRPR'] },
  ),
  t(
    'GLS200MI/AddVoucherLine',
    'create',
    'gl_voucher_line',
    'Add a general-ledger voucher line (payments, GL entries).',
    {
      DIVI: 'division',
      VSER: 'voucher series',
      ACDT: 'accounting date YYYYMMDD',
      AIT1: 'account',
      CUAM: 'amount',
      CUCD: 'currency',
      VTXT: 'text',
      VONO: 'voucher number',
    },
    ['ACDT', 'AIT1', 'CUAM'],
    { returns: ['VONO', 'JRNO'], numeric: ['CUAM'] },
  ),
];
