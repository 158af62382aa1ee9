/**
 * Executes one MI transaction against the emulator's tables. Failures are NOK results, as M3 answers them: mandatory
 * field, unknown field, bad date or number, missing reference, duplicate key, record locked by another user.
 */
import { M3_TRANSACTIONS } from '../schemas/index.js';
import { createRecord, missingMessage } from './create.js';
import { result } from './envelope.js';
import type { M3ResultBody } from './envelope.js';
import type { M3State, Row } from './state.js';

const BY_NAME = new Map(M3_TRANSACTIONS.map((t) => [t.name, t]));
/** Key field of each table. */
export const KEYS: Record<string, string> = {
  customer: 'CUNO',
  supplier: 'SUNO',
  item: 'ITNO',
  order_head: 'ORNO',
  purchase_order: 'PUNO',
  supplier_invoice: 'INBN',
};
/** Lower-case request options of the REST API, never transaction fields. */
const META = new Set([
  'maxrecs',
  'returncols',
  'excludeempty',
  'righttrim',
  'format',
  'dateformat',
  'extendedresult',
  'cono',
  'divi',
  'metadata',
]);
const DATES = ['ORDT', 'RLDT', 'DWDT', 'IVDT', 'ACDT', 'PUDT'];
const DEFAULT_MAXRECS = 100;

/** True when the emulator knows `PROGRAM/Transaction`. */
export function knownTransaction(name: string): boolean {
  return BY_NAME.has(name);
}

/** Runs a transaction; the caller wraps the result in the envelope. */
export function executeTransaction(state: M3State, name: string, raw: Row): M3ResultBody {
  const tx = BY_NAME.get(name)!;
  const short = name.split('/')[1];
  const nok = (message: string, field: string | undefined, code: string) => result(short, [], { message, field, code });
  const maxrecs = raw.maxrecs === undefined ? DEFAULT_MAXRECS : Number(raw.maxrecs);
  const input = Object.fromEntries(Object.entries(raw).filter(([k]) => !META.has(k)));
  for (const field of Object.keys(input))
    if (!(field in tx.fields) && field !== 'CONO' && field !== 'DIVI')
      return nok(`Field ${field} is not a valid input field of ${name}`, field, 'WFI0001');
  for (const field of tx.required)
    if (!input[field]?.trim()) return nok(`${tx.fields[field] ?? field} must be entered`, field, 'WMI0001');
  for (const field of DATES)
    if (
      input[field] &&
      (!/^\d{8}$/.test(input[field]) ||
        Number.isNaN(Date.parse(`${input[field].slice(0, 4)}-${input[field].slice(4, 6)}-${input[field].slice(6)}`)))
    )
      return nok(`Date ${input[field]} is invalid`, field, 'WDT0101');
  for (const field of tx.numeric ?? [])
    if (input[field] !== undefined && !/^-?\d+(\.\d+)?$/.test(input[field]))
      return nok(`${tx.fields[field]} ${input[field]} must be numeric`, field, 'WNU0101');
  const table = state.tables[tx.object];
  const keyField = KEYS[tx.object];
  const id = keyField ? input[keyField] : undefined;
  if (id && tx.kind !== 'read' && tx.kind !== 'query' && state.locked.has(`${tx.object}/${id}`))
    return nok(`Record ${id} is locked by another user`, keyField, 'XLO0101');
  switch (tx.kind) {
    case 'read': {
      const row = id ? table.get(id) : undefined;
      return row ? result(short, [row]) : nok(missingMessage(tx.object, id), keyField, 'WCU0203');
    }
    case 'query': {
      const rows = [...table.values()].filter((r) =>
        Object.entries(input).every(([k, v]) => k === 'CONO' || k === 'DIVI' || r[k] === v),
      );
      return result(short, maxrecs > 0 ? rows.slice(0, maxrecs) : rows);
    }
    case 'update': {
      const row = id ? table.get(id) : undefined;
      if (!row) return nok(missingMessage(tx.object, id), keyField, 'WCU0203');
      table.set(id!, { ...row, ...withoutContext(input) });
      return result(short, []);
    }
    default:
      return createRecord(state, tx, short, withoutContext(input), nok);
  }
}

function withoutContext(input: Row): Row {
  const { CONO: _cono, ...rest } = input;
  return rest;
}
