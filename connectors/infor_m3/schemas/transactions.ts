/**
 * The MI transactions the connector offers: the generated catalog (M3's own metadata: fields, types, lengths,
 * mandatory flags, outputs) plus what each transaction does for Junction: its kind, the record type `owns` names,
 * and the fields that identify the record. One table drives the operations, the schemas, validate and the emulator.
 */
import type { OperationKind } from '../../../engine/sdk/index.js';
import { M3_CATALOG } from '../catalog/m3-catalog.js';
import type { M3Input, M3Output } from '../catalog/catalog-types.js';

/** One MI transaction as the connector offers it. */
export interface M3Transaction {
  /** `PROGRAM/Transaction`, as M3 names it. */
  name: string;
  description: string;
  kind: OperationKind;
  object: string;
  identity?: string[];
  inputs: readonly M3Input[];
  outputs: readonly M3Output[];
}

type Role = [kind: OperationKind, object: string, identity?: string[]];

const customer = ['CUNO'];
/** A customer address (OCUSAD, 'Customer. Connect Addresses' OIS002): customer, address type and address number. */
const customerAddress = ['CUNO', 'ADRT', 'ADID'];
const supplier = ['SUNO'];
const item = ['ITNO'];
/** A GL batch is keyed by the caller (KEY1), so integrations posting their own batches know them as theirs. */
const glBatch = ['KEY1'];

/** What each transaction of the catalog does. Every catalog transaction has a role, and only those (tested). */
export const M3_ROLES: Readonly<Record<string, Role>> = {
  'CRS610MI/Add': ['create', 'customer', customer],
  'CRS610MI/ChgBasicData': ['update', 'customer', customer],
  'CRS610MI/GetBasicData': ['read', 'customer', customer],
  'CRS610MI/LstByNumber': ['query', 'customer'],
  'CRS610MI/AddAddress': ['create', 'customer_address', customerAddress],
  'CRS610MI/ChgAddress': ['update', 'customer_address', customerAddress],
  'CRS610MI/GetAddress': ['read', 'customer_address', customerAddress],
  'CRS610MI/LstAddresses': ['query', 'customer_address'],
  'CRS610MI/DeleteAddress': ['delete', 'customer_address', customerAddress],
  'CRS620MI/AddSupplier': ['create', 'supplier', supplier],
  'CRS620MI/UpdSupplier': ['update', 'supplier', supplier],
  'CRS620MI/GetBasicData': ['read', 'supplier', supplier],
  'CRS620MI/LstSuppliers': ['query', 'supplier'],
  'MMS200MI/AddItmBasic': ['create', 'item', item],
  'MMS200MI/UpdItmBasic': ['update', 'item', item],
  'MMS200MI/GetItmBasic': ['read', 'item', item],
  'MMS200MI/GetItmWhsBal': ['read', 'item_warehouse'],
  'MMS200MI/LstItmByChgDate': ['query', 'item'],
  'MMS060MI/Get': ['read', 'balance_id'],
  'MMS060MI/List': ['query', 'balance_id'],
  'MMS060MI/LstViaItem': ['query', 'balance_id'],
  'OIS100MI/AddBatchHead': ['create', 'order_batch'],
  'OIS100MI/AddBatchLine': ['create', 'order_batch_line'],
  'OIS100MI/Confirm': ['action', 'order_batch'],
  'OIS100MI/DelBatchHead': ['delete', 'order_batch'],
  'OIS100MI/GetBatchHead': ['read', 'order_batch'],
  'OIS100MI/GetHead': ['read', 'order_head'],
  'OIS100MI/GetOrderNo': ['read', 'order_batch'],
  'OIS100MI/LstBatchHead': ['query', 'order_batch'],
  'OIS100MI/LstBatchLine': ['query', 'order_batch_line'],
  'OIS100MI/LstHead': ['query', 'order_head'],
  'OIS100MI/LstLine': ['query', 'order_line'],
  'OIS175MI/LstHeadByCust': ['query', 'order_head'],
  'OIS350MI/GetInvHead': ['read', 'invoice'],
  'OIS350MI/LstInvHead': ['query', 'invoice'],
  'OIS350MI/LstInvLine': ['query', 'invoice_line'],
  'PPS370MI/StartEntry': ['action', 'po_entry'],
  'PPS370MI/AddHead': ['create', 'purchase_order'],
  'PPS370MI/AddLine': ['create', 'purchase_order_line'],
  'PPS370MI/FinishEntry': ['action', 'po_entry'],
  'PPS370MI/DeleteEntry': ['delete', 'po_entry'],
  'PPS200MI/GetHead': ['read', 'purchase_order'],
  'PPS200MI/LstLine': ['query', 'purchase_order_line'],
  'APS450MI/AddHead': ['create', 'supplier_invoice'],
  'APS450MI/AddLine': ['create', 'supplier_invoice_line'],
  'APS450MI/GetHead': ['read', 'supplier_invoice'],
  'APS450MI/LstInvBySupInv': ['query', 'supplier_invoice'],
  'APS450MI/LstLines': ['query', 'supplier_invoice_line'],
  'APS455MI/ValidByBatchNo': ['action', 'supplier_invoice'],
  'GLS840MI/AddBatchHead': ['create', 'gl_batch', glBatch],
  'GLS840MI/AddBatchLine': ['create', 'gl_batch_line', [...glBatch, 'LINE']],
  'GLS840MI/CtrlBatch': ['action', 'gl_batch', glBatch],
  'GLS840MI/UpdBatch': ['action', 'gl_batch', glBatch],
  'GLS200MI/GetVoucherHead': ['read', 'gl_voucher'],
  'GLS200MI/LstVoucherLines': ['query', 'gl_voucher_line'],
  'MRS001MI/LstTransactions': ['query', 'mi_transaction'],
  'MRS001MI/LstFields': ['query', 'mi_field'],
};

/** Every transaction the connector and its emulator support, in catalog order. */
export const M3_TRANSACTIONS: readonly M3Transaction[] = Object.entries(M3_CATALOG).map(([name, meta]) => {
  const role = M3_ROLES[name];
  if (!role) throw new Error(`M3 catalog transaction ${name} has no role in M3_ROLES`);
  const [kind, object, identity] = role;
  return { name, description: meta.description, kind, object, identity, inputs: meta.inputs, outputs: meta.outputs };
});
