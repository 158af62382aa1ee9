/**
 * Customer invoices of customer orders as M3's invoice interface reads them (OIS350MI): invoice heads by year and
 * invoice number (LstInvHead lists from an invoice number on; YEA4 is mandatory) and their lines per information
 * type, each naming the order it invoices (LstInvLine). M3 invoices a delivered order in a batch job (OIS180), which
 * has no MI transaction: `invoiceCustomerOrder` stands in for it (tests and the demo call it).
 */
import { existing, rowsWhere } from './program-call.js';
import type { ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';
import type { M3State, Row } from './state.js';

/** Invoice information type of goods lines (one line per order, VAT summed). */
const GOODS = '01';

const compact = (date: Date) => date.toISOString().slice(0, 10).replace(/-/g, '');

/**
 * Invoices a customer order whole: one invoice with one goods line (net = quantity x price of its lines, VAT at
 * `vatRate`), due after 30 days. Returns the invoice head.
 */
export function invoiceCustomerOrder(state: M3State, orno: string, options: { date?: Date; vatRate?: number } = {}) {
  const order = existing(state, 'order_head', orno, 'ORNO');
  const customer = existing(state, 'customer', order.CUNO, 'CUNO');
  const net = rowsWhere(state, 'order_line', { ORNO: orno }).reduce((t, l) => t + Number(l.ORQT) * Number(l.SAPR), 0);
  const vat = Math.round(net * (options.vatRate ?? 0) * 100) / 100;
  const date = options.date ?? new Date();
  const IDAT = compact(date);
  const YEA4 = IDAT.slice(0, 4);
  const IVNO = nextNumber(state, 'IVNO');
  const DIVI = 'AAA';
  const CUCD = order.CUCD || customer.CUCD || '';
  const head: Row = {
    DIVI,
    YEA4,
    IVNO,
    CUNO: order.CUNO,
    PYNO: order.PYNO || order.CUNO,
    CUNM: customer.CUNM,
    FACI: order.FACI || 'A01',
    IDAT,
    DUDT: compact(new Date(date.getTime() + 30 * 86_400_000)),
    CUCD,
    RAFC: (net + vat).toFixed(2),
    INST: '',
    RGDT: IDAT,
    LMDT: IDAT,
  };
  state.tables.invoice.set(`${DIVI}/${YEA4}/${IVNO}`, head);
  state.tables.invoice_line.set(`${DIVI}/${YEA4}/${IVNO}/1`, {
    DIVI,
    YEA4,
    IVNO,
    IVTP: GOODS,
    ORNO: orno,
    DLIX: '1',
    WHLO: order.WHLO ?? '',
    PYNO: head.PYNO,
    CUNM: customer.CUNM,
    AMT1: net.toFixed(2),
    AMT2: net.toFixed(2),
    VTAM: vat.toFixed(2),
    VTP1: ((options.vatRate ?? 0) * 100).toFixed(2),
  });
  return head;
}

/** A year's invoices from an invoice number on, in invoice number order. */
function listHeads({ state, input }: { state: M3State; input: Row }): Row[] {
  return rowsWhere(state, 'invoice', { DIVI: input.DIVI, YEA4: input.YEA4 })
    .filter((r) => !input.IVNO || Number(r.IVNO) >= Number(input.IVNO))
    .sort((a, b) => Number(a.IVNO) - Number(b.IVNO));
}

export const customerInvoices: ProgramHandlers = {
  'OIS350MI/LstInvHead': listHeads,
  'OIS350MI/GetInvHead': ({ state, input }) => {
    const [head] = listHeads({ state, input }).filter((r) => r.IVNO === input.IVNO);
    return [head ?? existing(state, 'invoice', undefined, 'IVNO')];
  },
  'OIS350MI/LstInvLine': ({ state, input }) => {
    const [head] = listHeads({ state, input }).filter((r) => r.IVNO === input.IVNO);
    if (!head) existing(state, 'invoice', undefined, 'IVNO');
    return rowsWhere(state, 'invoice_line', { DIVI: head.DIVI, YEA4: head.YEA4, IVNO: head.IVNO });
  },
};
