/**
 * The M3 emulator's company: tables by record type (keys as M3 keys them), records locked by another job, injected
 * contention, and the number series M3 assigns (customers, batch and final order numbers, customer invoices, PO
 * entry messages, POs, supplier invoice batches, vouchers).
 */

export type Row = Record<string, string>;

/** The tables, by record type. Composite keys are joined with `/` (`ORNO/PONR`, `WHLO/ITNO/WHSL`). */
export const TABLES = [
  'customer',
  'customer_address',
  'supplier',
  'item',
  'warehouse',
  'balance',
  'order_batch',
  'order_batch_line',
  'order_head',
  'order_line',
  'invoice',
  'invoice_line',
  'po_entry',
  'po_entry_head',
  'po_entry_line',
  'purchase_order',
  'purchase_order_line',
  'supplier_invoice',
  'supplier_invoice_line',
  'gl_batch',
  'gl_batch_line',
  'gl_voucher',
  'gl_voucher_line',
] as const;
export type Table = (typeof TABLES)[number];

/** Contention to answer: the next `times` calls of `transaction` (any when absent) fail with `code`. */
export interface TransientFault {
  code: 'XUP0001' | 'XO_1130';
  transaction?: string;
  times: number;
}

/** The company. */
export interface M3State {
  tables: Record<Table, Map<string, Row>>;
  /** Records held by another job (`<table>/<key>`): changes to them wait and time out (XO_1130). */
  locked: Set<string>;
  transients: TransientFault[];
  sequences: Record<'CUNO' | 'BATCH' | 'ORNO' | 'IVNO' | 'MSGN' | 'PUNO' | 'INBN' | 'VONO', number>;
}

/**
 * A fresh company: a template and a real customer, a supplier, three items with stock, two warehouses, and one
 * document of each kind (so a call can work on one without creating it first).
 */
export function seedM3State(): M3State {
  const tables = Object.fromEntries(TABLES.map((t) => [t, new Map<string, Row>()])) as M3State['tables'];
  const put = (table: Table, key: string, row: Row) => tables[table].set(key, row);
  /** Master data was last changed on 2026-11-01 (LMTS, milliseconds since 1970). */
  const LMTS = '1793491200000';
  put('customer', 'TEMPLATE', {
    CUNO: 'TEMPLATE',
    CUNM: 'Template customer',
    CUA1: '-',
    STAT: '20',
    CUCD: 'USD',
    LMTS,
  });
  put('customer', '10042', {
    CUNO: '10042',
    CUNM: 'Ada Lovelace',
    CUA1: '1 Analytical Way',
    TOWN: 'San Francisco',
    CSCD: 'US',
    STAT: '20',
    CUCD: 'USD',
    LMTS,
  });
  // Its delivery address (type 1), as 'Customer. Connect Addresses' (OIS002) keeps it.
  put('customer_address', '10042/1/DOCK', {
    CUNO: '10042',
    ADRT: '1',
    ADID: 'DOCK',
    CUA1: '9 Dock St',
    TOWN: 'Norfolk',
    PONO: '23510',
    CSCD: 'US',
    LMTS,
  });
  put('supplier', 'V000012', {
    SUNO: 'V000012',
    SUNM: 'Enamelware Co',
    SUTY: '0',
    CSCD: 'US',
    CUCD: 'USD',
    TEPY: '30',
    STAT: '20',
    LMTS,
  });
  for (const [ITNO, ITDS] of [
    ['MUG-1', 'Enamel Mug'],
    ['TEE-1', 'Logo Tee'],
    ['CAP-1', 'Cap'],
  ])
    put('item', ITNO, { ITNO, ITDS, STAT: '20', ITTY: 'FG', UNMS: 'EA', RESP: 'M3SRVADM', MABU: '2', PRVG: 'FG' });
  put('warehouse', '100', { WHLO: '100', WHNM: 'Main warehouse', FACI: 'A01' });
  put('warehouse', '200', { WHLO: '200', WHNM: 'West warehouse', FACI: 'A01' });
  put('balance', '100/MUG-1/A-01', { WHLO: '100', ITNO: 'MUG-1', WHSL: 'A-01', STQT: '120', ALQT: '4' });
  put('balance', '200/MUG-1/B-01', { WHLO: '200', ITNO: 'MUG-1', WHSL: 'B-01', STQT: '30', ALQT: '0' });
  put('balance', '100/TEE-1/A-02', { WHLO: '100', ITNO: 'TEE-1', WHSL: 'A-02', STQT: '45', ALQT: '5' });
  seedDocuments(put);
  return {
    tables,
    locked: new Set(),
    transients: [],
    sequences: {
      CUNO: 20000,
      BATCH: 5000000,
      ORNO: 1000000,
      IVNO: 100000,
      MSGN: 700000000,
      PUNO: 2000000,
      INBN: 3000,
      VONO: 500,
    },
  };
}

/** The next number of a series, as text. */
export function nextNumber(state: M3State, series: keyof M3State['sequences']): string {
  return String(++state.sequences[series]);
}

/** One document of each kind, numbered below each series' next number. */
function seedDocuments(put: (table: Table, key: string, row: Row) => void): void {
  const order = { CUNO: '10042', ORTP: 'A01', ORDT: '20261101', WHLO: '100', CUOR: 'SEED' };
  put('order_batch', '4999999', { ...order, ORNO: '4999999', STAT: '90', ORSL: '15', ORST: '15', ORNR: '1000000' });
  put('order_batch', '5000000', { ...order, CUOR: 'SEED-OPEN', ORNO: '5000000', STAT: '15', ORSL: '15', ORST: '15' });
  const line = { ITNO: 'MUG-1', ORQT: '1', WHLO: '100', CUPO: '1', SAPR: '12.5', PONR: '1', POSX: '0' };
  put('order_batch_line', '5000000/1', { ...line, ORNO: '5000000' });
  put('order_head', '1000000', { ...order, ORNO: '1000000', STAT: '22', ORSL: '22', ORST: '22' });
  put('order_line', '1000000/1', { ...line, ORNO: '1000000', ORST: '22', CUOR: 'SEED' });
  const invoiced = { DIVI: 'AAA', YEA4: '2026', IVNO: '100000', PYNO: '10042', CUNM: 'Ada Lovelace' };
  put('invoice', 'AAA/2026/100000', {
    ...invoiced,
    CUNO: '10042',
    FACI: 'A01',
    IDAT: '20261102',
    DUDT: '20261202',
    CUCD: 'USD',
    RAFC: '12.50',
    RGDT: '20261102',
    LMDT: '20261102',
  });
  const goods = { IVTP: '01', ORNO: '1000000', DLIX: '1', WHLO: '100', AMT1: '12.50', AMT2: '12.50', VTAM: '0.00' };
  put('invoice_line', 'AAA/2026/100000/1', { ...invoiced, ...goods });
  put('po_entry', '700000000', { MSGN: '700000000', BAOR: 'BNG', STAT: '10' });
  const entryHead = { SUNO: 'V000012', WHLO: '100', FACI: 'A01', DWDT: '20261215' };
  put('po_entry_head', '700000000/1999999', { ...entryHead, MSGN: '700000000', PUNO: '1999999' });
  const po = { SUNO: 'V000012', WHLO: '100', FACI: 'A01', DWDT: '20261201', PUNO: '2000000', PUSL: '20', PUST: '20' };
  put('purchase_order', '2000000', { ...po, YRE1: 'SEED' });
  put('purchase_order_line', '2000000/10', { ...po, PNLI: '10', ITNO: 'MUG-1', ORQA: '100', PUPR: '4.2' });
  const invoice = { SUNO: 'V000012', SPYN: 'V000012', SINO: 'INV-1', IVDT: '20261101', CUAM: '100', CUCD: 'USD' };
  put('supplier_invoice', '3000', { ...invoice, IBTP: '10', INBN: '3000', SUPA: '0' });
  put('supplier_invoice_line', '3000/1', { INBN: '3000', RDTP: '1', NLAM: '100', TRNO: '1' });
  put('gl_batch', 'SEED', { CONO: '100', DIVI: 'AAA', KEY1: 'SEED', INTN: 'JUNCTION', DESC: 'Seed batch' });
  const parm = (account: string, amount: string) => `I120261101${account.padEnd(8)}${amount.padStart(17)}USDSeed`;
  put('gl_batch_line', 'SEED/1', { CONO: '100', KEY1: 'SEED', LINE: '1', PARM: parm('1930', '10.00') });
  put('gl_batch_line', 'SEED/2', { CONO: '100', KEY1: 'SEED', LINE: '2', PARM: parm('1510', '-10.00') });
  const voucher = { DIVI: 'AAA', YEA4: '2026', VONO: '500', CUCD: 'USD' };
  put('gl_voucher', 'AAA/2026/500', { ...voucher, VSER: '', VDSC: 'Seed', DSUM: '10.00', CSUM: '-10.00', KEY1: 'S0' });
  put('gl_voucher_line', 'AAA/2026/500/1', {
    ...voucher,
    JRNO: '1',
    JSNO: '1',
    ACDT: '20261101',
    AIT1: '1930',
    ACAM: '10.00',
  });
  put('gl_voucher_line', 'AAA/2026/500/2', {
    ...voucher,
    JRNO: '1',
    JSNO: '2',
    ACDT: '20261101',
    AIT1: '1510',
    ACAM: '-10.00',
  });
}
