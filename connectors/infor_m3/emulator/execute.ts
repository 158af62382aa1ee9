/**
 * Executes one MI transaction against the emulator's tables, answering M3's REST v2 envelope. Failures are "NOK"
 * results inside an HTTP 200, as M3 does, with its message, field and code.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { M3_TRANSACTIONS } from '../transactions.js';
import type { M3State, Row } from './state.js';

const BY_NAME = new Map(M3_TRANSACTIONS.map((t) => [t.name, t]));
const KEYS: Record<string, string> = { customer: 'CUNO', supplier: 'SUNO', item: 'ITNO', order_head: 'ORNO', purchase_order: 'PUNO', supplier_invoice: 'INBN' };

export function envelope(transaction: string, records: Row[], error?: { message: string; field?: string; code: string }): EmulatorReply {
  const result = error ? { transaction, records: [], errorMessage: error.message, errorType: 'ServerReturnedNOK', errorField: error.field, errorCode: error.code } : { transaction, records };
  return { status: 200, body: { results: [result], wasTerminated: false, nrOfSuccessfullTransactions: error ? 0 : 1, nrOfFailedTransactions: error ? 1 : 0, nrOfNotProcessedTransactions: 0 } };
}

export function executeTransaction(state: M3State, name: string, input: Row): EmulatorReply {
  const tx = BY_NAME.get(name);
  const short = name.split('/')[1];
  if (!tx) return { status: 404, body: { message: `Transaction ${name} does not exist` } };
  const nok = (message: string, field: string | undefined, code: string) => envelope(short, [], { message, field, code });
  for (const field of tx.required) if (!input[field]) return nok(`Field ${field} must be entered`, field, 'WMI0001');
  for (const field of Object.keys(input)) if (!(field in tx.fields) && field !== 'CONO' && field !== 'DIVI') return nok(`Field ${field} is not a valid input field of ${name}`, field, 'WFI0001');
  for (const field of ['ORDT', 'RLDT', 'DWDT', 'IVDT', 'ACDT', 'PUDT']) if (input[field] && !/^\d{8}$/.test(input[field])) return nok(`Date ${input[field]} is invalid, format is YYYYMMDD`, field, 'WDT0101');
  const table = state.tables[tx.object];
  const keyField = KEYS[tx.object];
  const id = keyField ? input[keyField] : undefined;
  if (id && state.locked.has(`${tx.object}/${id}`)) return nok(`Record ${id} is locked by another user`, keyField, 'XLO0101');
  const ref = (object: string, field: string) => (input[field] && !state.tables[object].has(input[field]) ? nok(`${object === 'customer' ? 'Customer' : object === 'item' ? 'Item' : object === 'supplier' ? 'Supplier' : 'Record'} ${input[field]} does not exist`, field, 'WCU0203') : undefined);
  switch (tx.kind) {
    case 'read': {
      const row = id ? table.get(id) : undefined;
      return row ? envelope(short, [row]) : nok(`Record ${id} does not exist`, keyField, 'XRE0103');
    }
    case 'query':
      return envelope(short, [...table.values()].filter((r) => Object.entries(input).every(([k, v]) => k === 'CONO' || r[k] === v)));
    case 'update': {
      const row = id ? table.get(id) : undefined;
      if (!row) return nok(`Record ${id} does not exist`, keyField, 'XRE0103');
      table.set(id!, { ...row, ...input });
      return envelope(short, []);
    }
    default:
      return create(state, tx.name, short, input, ref, nok);
  }
}

function create(state: M3State, name: string, short: string, input: Row, ref: (object: string, field: string) => EmulatorReply | undefined, nok: (m: string, f: string | undefined, c: string) => EmulatorReply): EmulatorReply {
  const tx = BY_NAME.get(name)!;
  const table = state.tables[tx.object];
  const next = (seq: string) => String(++state.sequences[seq]);
  switch (name) {
    case 'CRS610MI/Add':
      if (table.has(input.CUNO)) return nok(`Customer number ${input.CUNO} already exists`, 'CUNO', 'WCU0103');
      return ref('customer', 'CUTM') ?? save(table, input.CUNO, { STAT: '20', ...input }, short, []);
    case 'CRS620MI/AddSupplier':
    case 'MMS200MI/AddItmBasic': {
      const key = name.startsWith('CRS') ? input.SUNO : input.ITNO;
      if (table.has(key)) return nok(`Record ${key} already exists`, name.startsWith('CRS') ? 'SUNO' : 'ITNO', 'XRE0103');
      return save(table, key, { STAT: '20', ...input }, short, []);
    }
    case 'OIS100MI/AddHead': {
      const bad = ref('customer', 'CUNO');
      if (bad) return bad;
      const ORNO = next('ORNO');
      return save(table, ORNO, { ...input, ORNO, ORST: '22', ORSL: '22' }, short, [{ ORNO }]);
    }
    case 'OIS100MI/AddLine': {
      const bad = (!state.tables.order_head.has(input.ORNO) ? nok(`Order number ${input.ORNO} does not exist`, 'ORNO', 'OI00103') : undefined) ?? ref('item', 'ITNO');
      if (bad) return bad;
      const PONR = String([...table.values()].filter((l) => l.ORNO === input.ORNO).length + 1);
      return save(table, `${input.ORNO}/${PONR}`, { ...input, PONR }, short, [{ PONR }]);
    }
    case 'PPS100MI/AddHead': {
      const bad = ref('supplier', 'SUNO');
      if (bad) return bad;
      const PUNO = next('PUNO');
      return save(table, PUNO, { ...input, PUNO }, short, [{ PUNO }]);
    }
    case 'PIS100MI/AddHead': {
      const bad = ref('supplier', 'SUNO');
      if (bad) return bad;
      if ([...table.values()].some((i) => i.SUNO === input.SUNO && i.SINO === input.SINO)) return nok(`Supplier invoice ${input.SINO} is already registered`, 'SINO', 'XRE0103');
      const INBN = next('INBN');
      return save(table, INBN, { ...input, INBN }, short, [{ INBN }]);
    }
    case 'GLS200MI/AddVoucherLine': {
      const VONO = input.VONO ?? next('VONO');
      const JRNO = String(table.size + 1);
      return save(table, `${VONO}/${JRNO}`, { ...input, VONO, JRNO }, short, [{ VONO, JRNO }]);
    }
    default: {
      const key = `${table.size + 1}`;
      return save(table, key, input, short, []);
    }
  }
}

function save(table: Map<string, Row>, key: string, row: Row, short: string, records: Row[]): EmulatorReply {
  table.set(key, row);
  return envelope(short, records);
}
