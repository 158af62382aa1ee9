/**
 * Customers (CRS610MI), suppliers (CRS620MI) and items (MMS200MI): keyed adds that answer "already exists", changes
 * that answer "does not exist", reads and lists. A customer added without CUNO gets the next number. Every add and
 * change stamps the change date (LMDT) and the change timestamp (LMTS, milliseconds since 1970: an assumption, see
 * docs/connectors.md); the customer and supplier lists take LMTS as "changed at or after", not returning it.
 */
import { alreadyExists } from './messages.js';
import { assertUnlocked, entered, existing } from './program-call.js';
import type { ProgramCall, ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';
import type { Table } from './state.js';

/** Today as M3 stamps change dates (YYYYMMDD). */
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');

/** Add: the key must be new; references must exist. */
function add(table: Table, key: string, defaults: Record<string, string> = {}) {
  return ({ state, input }: ProgramCall) => {
    const id = input[key] || (key === 'CUNO' ? nextNumber(state, 'CUNO') : '');
    if (state.tables[table].has(id)) throw alreadyExists(key);
    if (input.CUTM) existing(state, 'customer', input.CUTM, 'CUTM');
    state.tables[table].set(id, {
      STAT: '20',
      ...defaults,
      ...entered(input),
      [key]: id,
      RGDT: today(),
      LMDT: today(),
      LMTS: String(Date.now()),
    });
    return [{ [key]: id }];
  };
}

/** Change: the record must exist and not be held by another job; blank fields stay as they are. */
function change(table: Table, key: string) {
  return ({ state, input }: ProgramCall) => {
    const row = existing(state, table, input[key], key);
    assertUnlocked(state, table, input[key], key);
    state.tables[table].set(input[key], { ...row, ...entered(input), LMDT: today(), LMTS: String(Date.now()) });
    return [{ [key]: input[key] }];
  };
}

const read =
  (table: Table, key: string) =>
  ({ state, input }: ProgramCall) => [existing(state, table, input[key], key)];

/** A list in key order from an optional first key, of the records changed at or after LMTS when it is given. */
const list =
  (table: Table, key: string, from: string) =>
  ({ state, input }: ProgramCall) =>
    [...state.tables[table].values()]
      .filter((r) => !input[from] || r[key] >= input[from])
      .filter((r) => !input.LMTS || Number(r.LMTS ?? 0) >= Number(input.LMTS))
      .sort((a, b) => a[key].localeCompare(b[key]));

export const masterData: ProgramHandlers = {
  'CRS610MI/Add': add('customer', 'CUNO', { CUCD: 'USD' }),
  'CRS610MI/ChgBasicData': change('customer', 'CUNO'),
  'CRS610MI/GetBasicData': read('customer', 'CUNO'),
  'CRS610MI/LstByNumber': list('customer', 'CUNO', 'CUNO'),
  'CRS620MI/AddSupplier': add('supplier', 'SUNO'),
  'CRS620MI/UpdSupplier': change('supplier', 'SUNO'),
  'CRS620MI/GetBasicData': read('supplier', 'SUNO'),
  'CRS620MI/LstSuppliers': list('supplier', 'SUNO', 'FRSU'),
  'MMS200MI/AddItmBasic': add('item', 'ITNO'),
  'MMS200MI/UpdItmBasic': change('item', 'ITNO'),
  'MMS200MI/GetItmBasic': read('item', 'ITNO'),
  // Items changed between FLMD and TLMD (change dates, YYYYMMDD), in item order.
  'MMS200MI/LstItmByChgDate': ({ input, ...call }) =>
    list(
      'item',
      'ITNO',
      'ITNO',
    )({ ...call, input: {} }).filter(
      (r) => (!input.FLMD || r.LMDT >= input.FLMD) && (!input.TLMD || r.LMDT <= input.TLMD),
    ),
};
