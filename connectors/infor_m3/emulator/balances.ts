/**
 * Stock balances: MMS060MI lists balance identities (warehouse, item, location, on-hand and allocated), and
 * MMS200MI/GetItmWhsBal sums them for one item in one warehouse (available = on hand - allocated).
 */
import { doesNotExist } from './messages.js';
import { existing, rowsWhere } from './program-call.js';
import type { ProgramHandlers } from './program-call.js';

export const balances: ProgramHandlers = {
  'MMS060MI/Get': ({ state, input }) => {
    existing(state, 'warehouse', input.WHLO, 'WHLO');
    const [first] = rowsWhere(state, 'balance', { WHLO: input.WHLO, ITNO: input.ITNO, WHSL: input.WHSL });
    if (!first) throw doesNotExist('BANO', input.ITNO);
    return [first];
  },
  'MMS060MI/List': ({ state, input }) => {
    existing(state, 'warehouse', input.WHLO, 'WHLO');
    return rowsWhere(state, 'balance', { WHLO: input.WHLO, ITNO: input.ITNO, WHSL: input.WHSL });
  },
  'MMS060MI/LstViaItem': ({ state, input }) => {
    existing(state, 'item', input.ITNO, 'ITNO');
    return rowsWhere(state, 'balance', { ITNO: input.ITNO, WHLO: input.WHLO, WHSL: input.WHSL });
  },
  'MMS200MI/GetItmWhsBal': ({ state, input }) => {
    existing(state, 'warehouse', input.WHLO, 'WHLO');
    existing(state, 'item', input.ITNO, 'ITNO');
    const rows = rowsWhere(state, 'balance', { WHLO: input.WHLO, ITNO: input.ITNO });
    if (rows.length === 0) throw doesNotExist('ITNO', input.ITNO);
    const total = (field: string) => rows.reduce((sum, r) => sum + Number(r[field] || 0), 0);
    const [STQT, ALQT] = [total('STQT'), total('ALQT')];
    return [{ WHLO: input.WHLO, ITNO: input.ITNO, STQT: String(STQT), ALQT: String(ALQT), AV01: String(STQT - ALQT) }];
  },
};
