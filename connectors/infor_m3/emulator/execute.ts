/**
 * Executes one MI transaction against the emulator's company, as M3 does: the site's layout first (fields the
 * transaction does not take, values longer than the field, mandatory fields left blank, numbers and dates that are
 * not), injected contention, then the program; its records come back in the transaction's output layout.
 */
import type { M3Transaction } from '../schemas/index.js';
import { balances } from './balances.js';
import { customerAddresses } from './customer-addresses.js';
import { customerInvoices } from './customer-invoices.js';
import { customerOrders } from './customer-orders.js';
import { result } from './envelope.js';
import type { M3ResultBody } from './envelope.js';
import { generalLedger } from './general-ledger.js';
import { masterData } from './master-data.js';
import { miRepository } from './mi-repository.js';
import { Nok, incorrectDate, mustBeEntered, numericError, transient } from './messages.js';
import type { ProgramHandlers } from './program-call.js';
import { purchaseOrders } from './purchase-orders.js';
import type { M3State, Row } from './state.js';
import { supplierInvoices } from './supplier-invoices.js';
import type { M3Tenant } from './tenant.js';

/** Every transaction's program logic. */
export const HANDLERS: ProgramHandlers = {
  ...masterData,
  ...customerAddresses,
  ...customerOrders,
  ...customerInvoices,
  ...purchaseOrders,
  ...supplierInvoices,
  ...generalLedger,
  ...balances,
  ...miRepository,
};
/** Request options of the REST API (lower case), never transaction fields. */
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
  'lanc',
  'locale',
  'timeZone',
  'metadata',
]);
const DEFAULT_MAXRECS = 100;

/** A call M3 refuses before the program runs: REST v2 answers HTTP 400 with the error at the top level. */
export class MiRefusal {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    readonly errorField?: string,
  ) {}
}

/** Runs a transaction the site runs (see `runs`); the caller wraps the result in the envelope or a refusal in a 400. */
export function executeTransaction(state: M3State, tenant: M3Tenant, name: string, raw: Row): M3ResultBody | MiRefusal {
  const tx = tenant.transactions.get(name)!;
  const short = name.split('/')[1];
  const input = Object.fromEntries(Object.entries(raw).filter(([k]) => !META.has(k)));
  try {
    const refusal = checkInput(tx, input);
    if (refusal) return refusal;
    const contention = state.transients.find((t) => t.times > 0 && (!t.transaction || t.transaction === name));
    if (contention) {
      contention.times--;
      throw transient(contention.code);
    }
    const rows = HANDLERS[name]({ state, input, layouts: tenant.transactions });
    const maxrecs = raw.maxrecs === undefined ? DEFAULT_MAXRECS : Number(raw.maxrecs);
    const listed = tx.kind === 'query' && maxrecs > 0 ? rows.slice(0, maxrecs) : rows;
    // Records carry the company and division they belong to, as M3's output layouts do.
    const context = { CONO: input.CONO ?? raw.cono ?? '', DIVI: input.DIVI ?? raw.divi ?? '' };
    return result(
      short,
      listed.map((row) => layout(tx, { ...context, ...row }, raw.excludeempty === 'true')).filter(hasFields),
    );
  } catch (error) {
    if (!(error instanceof Nok)) throw error;
    return result(short, [], { message: error.message, field: error.field, code: error.code });
  }
}

/** The catalog's checks of the input; a NOK is thrown, a refusal returned. */
function checkInput(tx: M3Transaction, input: Row): MiRefusal | undefined {
  const fields = new Set(tx.inputs.map(([name]) => name));
  for (const name of Object.keys(input)) {
    // Company and division from a caller's context are not an error where the transaction does not take them.
    if (!fields.has(name) && name !== 'CONO' && name !== 'DIVI')
      throw new Nok(`Field ${name} is not an input field of ${tx.name}`, name);
    if (!fields.has(name)) delete input[name];
  }
  for (const [name, type, length] of tx.inputs) {
    const value = input[name];
    // A numeric field's length counts the digits before the decimal point (its decimals are not in the metadata).
    const size = type === 'N' ? value?.split('.')[0].replace('-', '').length : value?.length;
    if (size !== undefined && length !== null && type !== 'D' && size > length)
      return new MiRefusal('InputFieldTooLong', `Input field ${name} is longer than ${length}`, name);
  }
  for (const [name, , , mandatory, label] of tx.inputs)
    if (mandatory && !input[name]?.trim()) throw mustBeEntered(name, label);
  for (const [name, type] of tx.inputs) {
    const value = input[name]?.trim();
    if (!value) continue;
    if (type === 'N' && !/^-?\d+(\.\d+)?$/.test(value)) throw numericError(name);
    if (type === 'D' && !validDate(value)) throw incorrectDate(name);
  }
  return undefined;
}

function validDate(value: string): boolean {
  if (!/^\d{8}$/.test(value)) return false;
  const date = new Date(`${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6)}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10).replace(/-/g, '') === value;
}

/** A record in the transaction's output layout: every output field, blank when empty (unless excludeempty). */
function layout(tx: M3Transaction, row: Row, excludeEmpty: boolean): Row {
  const out: Row = {};
  for (const [name] of tx.outputs) {
    const value = row[name] ?? '';
    if (!excludeEmpty || value !== '') out[name] = value;
  }
  return out;
}

function hasFields(row: Row): boolean {
  return Object.keys(row).length > 0;
}
