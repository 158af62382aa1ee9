/**
 * Customer orders as M3's batch order interface takes them (OIS100MI): AddBatchHead opens a batch order with a
 * temporary number, AddBatchLine adds its lines, Confirm turns it into a customer order with its final number (the
 * batch keeps ORNR, as GetOrderNo reads it). Lists by customer give the find-by-reference a way back (CUOR); the
 * customer order inquiry (OIS175MI) lists the heads by status range, which the order-status poll reads whole.
 */
import { doesNotExist, statusForbids } from './messages.js';
import { entered, existing, rowsWhere } from './program-call.js';
import type { ProgramCall, ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';
import type { M3State, Row } from './state.js';

/** Batch order status once confirmed: transferred to a customer order. */
const CONFIRMED = '90';

/** An open (unconfirmed) batch order, or "does not exist". */
function openBatch(state: M3State, orno: string | undefined): Row {
  const batch = existing(state, 'order_batch', orno, 'ORNO');
  if (batch.STAT === CONFIRMED) throw statusForbids('ORNO');
  return batch;
}

function warehouse(state: M3State, whlo: string | undefined): Row | undefined {
  return whlo ? existing(state, 'warehouse', whlo, 'WHLO') : undefined;
}

/** The emulator's one division (the company's, as its invoices carry it). */
const DIVISION = 'AAA';

function addBatchHead({ state, input }: ProgramCall): Row[] {
  const customer = existing(state, 'customer', input.CUNO, 'CUNO');
  const site = warehouse(state, input.WHLO);
  const ORNO = nextNumber(state, 'BATCH');
  // What the head takes when the call leaves it out: the warehouse's facility, its division, the customer's currency.
  const defaults = { ORTP: 'A01', FACI: site?.FACI ?? '', DIVI: DIVISION, CUCD: customer.CUCD ?? '' };
  state.tables.order_batch.set(ORNO, { ...defaults, ...entered(input), ORNO, STAT: '15', ORSL: '15', ORST: '15' });
  return [{ ORNO }];
}

function addBatchLine({ state, input }: ProgramCall): Row[] {
  const batch = openBatch(state, input.ORNO);
  existing(state, 'item', input.ITNO, 'ITNO');
  warehouse(state, input.WHLO);
  const PONR = String(rowsWhere(state, 'order_batch_line', { ORNO: batch.ORNO }).length + 1);
  state.tables.order_batch_line.set(`${batch.ORNO}/${PONR}`, {
    WHLO: batch.WHLO ?? '',
    ...entered(input),
    PONR,
    POSX: '0',
  });
  return [{ PONR, POSX: '0', ATNR: '0' }];
}

function confirm({ state, input }: ProgramCall): Row[] {
  const batch = openBatch(state, input.ORNO);
  const lines = rowsWhere(state, 'order_batch_line', { ORNO: batch.ORNO });
  const ORNO = nextNumber(state, 'ORNO');
  const { ORNO: _batch, STAT: _stat, ...head } = batch;
  state.tables.order_head.set(ORNO, { ...head, ORNO, STAT: '22', ORSL: '22', ORST: '22' });
  for (const line of lines)
    state.tables.order_line.set(`${ORNO}/${line.PONR}`, { ...line, ORNO, ORST: '22', CUOR: head.CUOR ?? '' });
  state.tables.order_batch.set(batch.ORNO, { ...batch, STAT: CONFIRMED, ORNR: ORNO });
  return [{ ORNO, STAT: CONFIRMED }];
}

function byCustomer(table: 'order_batch' | 'order_head') {
  return ({ state, input }: ProgramCall) => {
    existing(state, 'customer', input.CUNO, 'CUNO');
    return rowsWhere(state, table, { CUNO: input.CUNO, ORSL: input.ORSL, ORST: input.ORST });
  };
}

/**
 * OIS175MI/LstHeadByCust: order heads of one customer, or of every customer when CUNO is blank (none of its inputs
 * is mandatory), within a status range: the order's lowest status from ORSL on, its highest up to ORST. The blank
 * CUNO and the range's meaning are the emulator's reading of the metadata [U] (docs/connectors.md, Infor M3).
 */
function headsInStatusRange({ state, input }: ProgramCall): Row[] {
  if (input.CUNO) existing(state, 'customer', input.CUNO, 'CUNO');
  const within = (order: Row) =>
    (!input.CUNO || order.CUNO === input.CUNO) &&
    (!input.ORSL || order.ORSL >= input.ORSL) &&
    (!input.ORST || order.ORST <= input.ORST);
  const byCustomerAndNumber = (a: Row, b: Row) =>
    (a.CUNO ?? '').localeCompare(b.CUNO ?? '') || a.ORNO.localeCompare(b.ORNO);
  return [...state.tables.order_head.values()].filter(within).sort(byCustomerAndNumber);
}

export const customerOrders: ProgramHandlers = {
  'OIS100MI/AddBatchHead': addBatchHead,
  'OIS100MI/AddBatchLine': addBatchLine,
  'OIS100MI/Confirm': confirm,
  'OIS100MI/DelBatchHead': ({ state, input }) => {
    const batch = openBatch(state, input.ORNO);
    state.tables.order_batch.delete(batch.ORNO);
    for (const line of rowsWhere(state, 'order_batch_line', { ORNO: batch.ORNO }))
      state.tables.order_batch_line.delete(`${batch.ORNO}/${line.PONR}`);
    return [];
  },
  'OIS100MI/GetBatchHead': ({ state, input }) => [existing(state, 'order_batch', input.ORNO, 'ORNO')],
  'OIS100MI/GetHead': ({ state, input }) => [existing(state, 'order_head', input.ORNO, 'ORNO')],
  'OIS100MI/GetOrderNo': ({ state, input }) => {
    const batch = existing(state, 'order_batch', input.ORNO, 'ORNO');
    if (!batch.ORNR) throw doesNotExist('ORNO', input.ORNO);
    return [{ ORNR: batch.ORNR }];
  },
  'OIS100MI/LstBatchHead': byCustomer('order_batch'),
  'OIS100MI/LstHead': byCustomer('order_head'),
  'OIS100MI/LstBatchLine': ({ state, input }) => {
    existing(state, 'order_batch', input.ORNO, 'ORNO');
    return rowsWhere(state, 'order_batch_line', { ORNO: input.ORNO });
  },
  'OIS100MI/LstLine': ({ state, input }) => {
    existing(state, 'order_head', input.ORNO, 'ORNO');
    return rowsWhere(state, 'order_line', { ORNO: input.ORNO, ORST: input.ORST, ITNO: input.ITNO });
  },
  'OIS175MI/LstHeadByCust': headsInStatusRange,
};
