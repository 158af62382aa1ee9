/**
 * Purchase orders through M3's PO batch entry (PPS370MI): StartEntry gives a message number, AddHead adds a PO head
 * to it (PUNO from the number series), AddLine its lines, FinishEntry turns the entry into purchase orders (status
 * 10 -> 90, "only possible while the status is 10"), DeleteEntry drops an open entry. PPS200MI reads the POs.
 */
import { doesNotExist, statusForbids } from './messages.js';
import { entered, existing, rowsWhere } from './program-call.js';
import type { ProgramCall, ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';
import type { M3State, Row } from './state.js';

/** An entry MI may still change: status 10. */
function openEntry(state: M3State, msgn: string | undefined): Row {
  const entry = existing(state, 'po_entry', msgn, 'MSGN');
  if (entry.STAT !== '10') throw statusForbids('MSGN');
  return entry;
}

function addHead({ state, input }: ProgramCall): Row[] {
  openEntry(state, input.MSGN);
  existing(state, 'supplier', input.SUNO, 'SUNO');
  const warehouse = existing(state, 'warehouse', input.WHLO, 'WHLO');
  if (warehouse.FACI !== input.FACI) throw doesNotExist('FACI', input.FACI);
  const PUNO = nextNumber(state, 'PUNO');
  state.tables.po_entry_head.set(`${input.MSGN}/${PUNO}`, { ...entered(input), PUNO });
  return [{ PUNO }];
}

function addLine({ state, input }: ProgramCall): Row[] {
  openEntry(state, input.MSGN);
  existing(state, 'item', input.ITNO, 'ITNO');
  const heads = rowsWhere(state, 'po_entry_head', { MSGN: input.MSGN });
  // The line belongs to the head it names, or to the entry's last head.
  const head = input.PUNO ? heads.find((h) => h.PUNO === input.PUNO) : heads.at(-1);
  if (!head) existing(state, 'purchase_order', input.PUNO, 'PUNO');
  const lines = rowsWhere(state, 'po_entry_line', { MSGN: input.MSGN, PUNO: head!.PUNO });
  const PNLI = input.PNLI || String((lines.length + 1) * 10);
  state.tables.po_entry_line.set(`${input.MSGN}/${head!.PUNO}/${PNLI}`, {
    WHLO: head!.WHLO,
    DWDT: head!.DWDT,
    ...entered(input),
    PUNO: head!.PUNO,
    PNLI,
  });
  return [{ PUNO: head!.PUNO, PNLI }];
}

function finishEntry({ state, input }: ProgramCall): Row[] {
  const entry = openEntry(state, input.MSGN);
  for (const { MSGN: _msgn, ...head } of rowsWhere(state, 'po_entry_head', { MSGN: entry.MSGN }))
    state.tables.purchase_order.set(head.PUNO, { ...head, PUSL: '20', PUST: '20' });
  for (const { MSGN: _msgn, ...line } of rowsWhere(state, 'po_entry_line', { MSGN: entry.MSGN }))
    state.tables.purchase_order_line.set(`${line.PUNO}/${line.PNLI}`, { ...line, PUSL: '20', PUST: '20' });
  state.tables.po_entry.set(entry.MSGN, { ...entry, STAT: '90' });
  return [];
}

export const purchaseOrders: ProgramHandlers = {
  'PPS370MI/StartEntry': ({ state, input }) => {
    const MSGN = nextNumber(state, 'MSGN');
    state.tables.po_entry.set(MSGN, { MSGN, BAOR: input.BAOR, STAT: '10' });
    return [{ MSGN }];
  },
  'PPS370MI/AddHead': addHead,
  'PPS370MI/AddLine': addLine,
  'PPS370MI/FinishEntry': finishEntry,
  'PPS370MI/DeleteEntry': ({ state, input }) => {
    const entry = openEntry(state, input.MSGN);
    state.tables.po_entry.delete(entry.MSGN);
    for (const table of ['po_entry_head', 'po_entry_line'] as const)
      for (const [key, row] of state.tables[table]) if (row.MSGN === entry.MSGN) state.tables[table].delete(key);
    return [];
  },
  'PPS200MI/GetHead': ({ state, input }) => [existing(state, 'purchase_order', input.PUNO, 'PUNO')],
  'PPS200MI/LstLine': ({ state, input }) => {
    existing(state, 'purchase_order', input.PUNO, 'PUNO');
    return rowsWhere(state, 'purchase_order_line', { PUNO: input.PUNO });
  },
};
