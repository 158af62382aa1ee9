/**
 * Supplier invoices through M3's invoice batch interface (APS450MI): AddHead opens a batch (INBN), AddLine adds its
 * lines (TRNO), APS455MI/ValidByBatchNo validates it; LstInvBySupInv finds a batch by the supplier's invoice number.
 */
import { alreadyExists } from './messages.js';
import { entered, existing, rowsWhere } from './program-call.js';
import type { ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';

const sum = (values: (string | undefined)[]) => values.reduce((total, v) => total + Number(v || 0), 0);

export const supplierInvoices: ProgramHandlers = {
  'APS450MI/AddHead': ({ state, input }) => {
    existing(state, 'supplier', input.SUNO, 'SUNO');
    const payee = input.SPYN || input.SUNO;
    if (input.SINO && rowsWhere(state, 'supplier_invoice', { SPYN: payee, SUNO: input.SUNO, SINO: input.SINO }).length)
      throw alreadyExists('SINO');
    const INBN = nextNumber(state, 'INBN');
    state.tables.supplier_invoice.set(INBN, { IBTP: '10', ...entered(input), SPYN: payee, INBN, SUPA: '0' });
    return [{ INBN }];
  },
  'APS450MI/AddLine': ({ state, input }) => {
    existing(state, 'supplier_invoice', input.INBN, 'INBN');
    const TRNO = String(rowsWhere(state, 'supplier_invoice_line', { INBN: input.INBN }).length + 1);
    state.tables.supplier_invoice_line.set(`${input.INBN}/${TRNO}`, { ...entered(input), TRNO });
    return [{ TRNO }];
  },
  'APS450MI/GetHead': ({ state, input }) => [existing(state, 'supplier_invoice', input.INBN, 'INBN')],
  'APS450MI/LstInvBySupInv': ({ state, input }) =>
    rowsWhere(state, 'supplier_invoice', { SPYN: input.SPYN, SUNO: input.SUNO, SINO: input.SINO }),
  'APS450MI/LstLines': ({ state, input }) => {
    existing(state, 'supplier_invoice', input.INBN, 'INBN');
    return rowsWhere(state, 'supplier_invoice_line', { INBN: input.INBN });
  },
  // The lines' net amounts plus the VAT must make the invoice amount. The outcome is the batch status (SUPA: 1
  // validated, 2 with errors; our reading, no public source), not a NOK.
  'APS455MI/ValidByBatchNo': ({ state, input }) => {
    const head = existing(state, 'supplier_invoice', input.INBN, 'INBN');
    const lines = rowsWhere(state, 'supplier_invoice_line', { INBN: input.INBN });
    const total = sum(lines.map((l) => l.NLAM)) + Number(head.VTAM || 0);
    const balanced = lines.length > 0 && Math.abs(total - Number(head.CUAM || 0)) < 0.005;
    state.tables.supplier_invoice.set(head.INBN, { ...head, SUPA: balanced ? '1' : '2' });
    return [];
  },
};
