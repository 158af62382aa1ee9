/** What a program handler of the emulator gets, and the table helpers every handler uses. */
import type { M3Transaction } from '../schemas/index.js';
import { doesNotExist, transient } from './messages.js';
import type { M3State, Row, Table } from './state.js';

/** One transaction call: the company, the input fields (checked against the layout already) and the site's layouts. */
export interface ProgramCall {
  state: M3State;
  input: Row;
  layouts: ReadonlyMap<string, M3Transaction>;
}

/** Runs one transaction: its records, or a thrown Nok. */
export type Handler = (call: ProgramCall) => Row[];

/** Handlers by `PROGRAM/Transaction`. */
export type ProgramHandlers = Readonly<Record<string, Handler>>;

/** The row at `key`, or M3's "does not exist" for `field`. */
export function existing(state: M3State, table: Table, key: string | undefined, field: string): Row {
  const row = key === undefined ? undefined : state.tables[table].get(key);
  if (!row) throw doesNotExist(field, key);
  return row;
}

/** Fails when another job holds the record: M3 waits for the lock and gives up (XO_1130). */
export function assertUnlocked(state: M3State, table: Table, key: string, field: string): void {
  if (state.locked.has(`${table}/${key}`)) throw transient('XO_1130', field);
}

/** The rows of a table that match every given field. */
export function rowsWhere(state: M3State, table: Table, match: Row): Row[] {
  const wanted = Object.entries(match).filter(([, v]) => v !== undefined && v !== '');
  return [...state.tables[table].values()].filter((row) => wanted.every(([k, v]) => row[k] === v));
}

/** The input without empty fields: M3 treats a blank field as not entered. */
export function entered(input: Row): Row {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v.trim() !== ''));
}
