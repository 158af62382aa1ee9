/**
 * GL postings through M3's generic GL interface (GLS840MI): AddBatchHead opens a batch under a key of the caller's
 * choosing (KEY1), AddBatchLine adds records (PARM), CtrlBatch checks the batch (GLS840 option 6) and UpdBatch posts
 * it (option 9) as one voucher, consuming the batch. GLS200MI reads vouchers back.
 *
 * The PARM layout is an interface definition of the tenant; no public source gives one. The emulator reads this
 * fixed-width record (documented in specs/bng-m3/README.md as an assumption): 1-2 record type `I1`, 3-10 accounting
 * date YYYYMMDD, 11-18 account, 19-35 amount right-aligned with `.` decimals and `-` for a credit, 36-38 currency,
 * 39-78 voucher text. A batch whose amounts do not sum to zero is not posted.
 */
import { Nok, alreadyExists } from './messages.js';
import { entered, existing, rowsWhere } from './program-call.js';
import type { ProgramCall, ProgramHandlers } from './program-call.js';
import { nextNumber } from './state.js';
import type { M3State, Row } from './state.js';

/** One PARM record read with the layout above. */
export interface GlRecord {
  ACDT: string;
  AIT1: string;
  ACAM: number;
  CUCD: string;
  VTXT: string;
}

/** Reads one PARM record; throws a NOK naming the line when it does not follow the layout. */
export function parseParm(parm: string, line: string): GlRecord {
  const amount = parm.slice(18, 35).trim();
  const record = {
    ACDT: parm.slice(2, 10),
    AIT1: parm.slice(10, 18).trim(),
    ACAM: Number(amount),
    CUCD: parm.slice(35, 38).trim(),
    VTXT: parm.slice(38, 78).trim(),
  };
  if (!parm.startsWith('I1') || !/^\d{8}$/.test(record.ACDT) || !record.AIT1 || !/^-?\d+(\.\d+)?$/.test(amount))
    throw new Nok(`Line ${line}: record is not an I1 record of the interface layout`, 'PARM');
  return record;
}

/** The batch's records, checked: every line readable, and debits equal credits. */
function control(state: M3State, key: string | undefined): { batch: Row; records: (GlRecord & { LINE: string })[] } {
  const batch = existing(state, 'gl_batch', key, 'KEY1');
  const lines = rowsWhere(state, 'gl_batch_line', { KEY1: batch.KEY1 }).sort((a, b) => Number(a.LINE) - Number(b.LINE));
  const records = lines.map((l) => ({ ...parseParm(l.PARM, l.LINE), LINE: l.LINE }));
  const cents = records.reduce((total, r) => total + Math.round(r.ACAM * 100), 0);
  if (records.length === 0 || cents !== 0)
    throw new Nok(
      `Batch ${batch.KEY1} is not balanced: debits and credits differ by ${(cents / 100).toFixed(2)}`,
      'KEY1',
    );
  return { batch, records };
}

function post({ state, input }: ProgramCall): Row[] {
  const { batch, records } = control(state, input.KEY1);
  const VONO = nextNumber(state, 'VONO');
  const DIVI = input.DIVI || batch.DIVI || '';
  const YEA4 = records[0].ACDT.slice(0, 4);
  const debit = records.filter((r) => r.ACAM > 0).reduce((t, r) => t + r.ACAM, 0);
  state.tables.gl_voucher.set(`${DIVI}/${YEA4}/${VONO}`, {
    DIVI,
    YEA4,
    VONO,
    VSER: '',
    VDSC: batch.DESC.slice(0, 7),
    DSUM: debit.toFixed(2),
    CSUM: (-debit).toFixed(2),
    CUCD: records[0].CUCD,
    KEY1: batch.KEY1,
  });
  records.forEach((r, i) =>
    state.tables.gl_voucher_line.set(`${DIVI}/${YEA4}/${VONO}/${i + 1}`, {
      DIVI,
      YEA4,
      VONO,
      JRNO: '1',
      JSNO: String(i + 1),
      ACDT: r.ACDT,
      AIT1: r.AIT1,
      ACAM: r.ACAM.toFixed(2),
      CUAM: r.ACAM.toFixed(2),
      CUCD: r.CUCD,
      DBCR: r.ACAM < 0 ? 'C' : 'D',
      VTXT: r.VTXT,
    }),
  );
  state.tables.gl_batch.delete(batch.KEY1);
  for (const r of records) state.tables.gl_batch_line.delete(`${batch.KEY1}/${r.LINE}`);
  return [{ CONO: input.CONO }];
}

const voucherKey = (input: Row) => `${input.DIVI}/${input.YEA4}/${input.VONO}`;

export const generalLedger: ProgramHandlers = {
  'GLS840MI/AddBatchHead': ({ state, input }) => {
    if (state.tables.gl_batch.has(input.KEY1)) throw alreadyExists('KEY1');
    state.tables.gl_batch.set(input.KEY1, entered(input));
    return [{ CONO: input.CONO }];
  },
  'GLS840MI/AddBatchLine': ({ state, input }) => {
    existing(state, 'gl_batch', input.KEY1, 'KEY1');
    if (state.tables.gl_batch_line.has(`${input.KEY1}/${input.LINE}`)) throw alreadyExists('LINE');
    state.tables.gl_batch_line.set(`${input.KEY1}/${input.LINE}`, entered(input));
    return [{ CONO: input.CONO }];
  },
  'GLS840MI/CtrlBatch': ({ state, input }) => {
    control(state, input.KEY1);
    return [{ CONO: input.CONO }];
  },
  'GLS840MI/UpdBatch': post,
  'GLS200MI/GetVoucherHead': ({ state, input }) => [existing(state, 'gl_voucher', voucherKey(input), 'VONO')],
  'GLS200MI/LstVoucherLines': ({ state, input }) => {
    existing(state, 'gl_voucher', voucherKey(input), 'VONO');
    return rowsWhere(state, 'gl_voucher_line', { DIVI: input.DIVI, YEA4: input.YEA4, VONO: input.VONO });
  },
};
