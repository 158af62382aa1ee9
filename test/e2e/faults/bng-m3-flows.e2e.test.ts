/**
 * The BNG <-> M3 flows under both faults that leave a write's outcome unknown, through the engine (real nats-server,
 * the M3 emulator, BNG as the generic emulator, the seed specs): the answer lost after the system committed (`lost`)
 * and a call that times out while the system commits later (`late`). Asserted on the systems' own state: exactly
 * one M3 record or document per BNG record with the values sent, BNG holding what M3 holds, and M3's codes read
 * the M3 way (`…03` does not exist, `…04` already exists).
 */
import { expect, it } from 'vitest';
import { invoiceCustomerOrder } from '../../../connectors/infor_m3/emulator/customer-invoices.js';
import { expectDrained, waitFor } from '../../runtime/helpers/runtime-harness.js';
import { bngCreditMemo, bngPayment, bngPurchaseOrder, bngSupplierInvoice, bngVendor } from '../helpers/bng-events.js';
import { MI, bngM3Views, late, lost } from '../helpers/bng-m3-faults.js';
import { answerLate, answerLost } from '../helpers/faults.js';
import { invoiceDay, invoicePollFrom, invoiceYear, isoDay } from '../helpers/m3-invoice-year.js';
import { sharedSeedEngine } from '../helpers/shared-seed-engine.js';

const h = sharedSeedEngine(['bng-m3'], {
  fastTimeouts: true,
  fastPolls: true,
  edit: invoicePollFrom(100001),
  faulted: ({ m3, bng }) => [m3, bng],
});
const { rows, transactions, puts } = bngM3Views(h);

/** The voucher a GL batch (a payment, a credit memo) was posted as, and its lines as [account, amount]. */
function posted(key1: string) {
  const vouchers = rows('gl_voucher').filter((v) => v.KEY1 === key1);
  const lines = vouchers.flatMap((v) =>
    rows('gl_voucher_line').filter((l) => l.VONO === v.VONO && l.YEA4 === v.YEA4 && l.DIVI === v.DIVI),
  );
  return { vouchers, lines: lines.map((l) => [l.AIT1, l.ACAM]) };
}

it('payment, lost: a line and the check answered after M3 committed: one balanced voucher', async () => {
  h.systems.m3.fail(lost('GLS840MI/AddBatchLine'));
  h.systems.m3.fail(lost('GLS840MI/CtrlBatch'));
  const before = transactions(/^GLS840MI\/AddBatchLine$/).length;
  await h.post('bng-payments-to-m3-gl', bngPayment(9921, 50), 'bng');
  await waitFor(() => posted('P000009921').vouchers.length > 0, 'the voucher');
  await expectDrained(h.nats.url);
  expect(posted('P000009921')).toEqual({
    vouchers: [expect.objectContaining({ KEY1: 'P000009921', DSUM: '50.00', CSUM: '-50.00' })],
    lines: [
      ['1930', '50.00'],
      ['1510', '-50.00'],
    ],
  });
  // The first line was sent again and M3 answered …04 (already exists): taken as added, not as a failure.
  expect(transactions(/^GLS840MI\/AddBatchLine$/).length - before).toBe(3);
  expect(h.systems.m3.state.tables.gl_batch.has('P000009921')).toBe(false);
});

it('payment, late: the batch head and the posting time out while M3 commits: one balanced voucher', async () => {
  h.systems.m3.fail(late('GLS840MI/AddBatchHead'));
  h.systems.m3.fail(late('GLS840MI/UpdBatch'));
  const before = transactions(/^GLS840MI\/UpdBatch$/).length;
  await h.post('bng-payments-to-m3-gl', bngPayment(9922, 12.5), 'bng');
  await waitFor(() => posted('P000009922').vouchers.length > 0, 'the voucher');
  await expectDrained(h.nats.url);
  expect(posted('P000009922')).toEqual({
    vouchers: [expect.objectContaining({ KEY1: 'P000009922', DSUM: '12.50', CSUM: '-12.50' })],
    lines: [
      ['1930', '12.50'],
      ['1510', '-12.50'],
    ],
  });
  // The posting was sent twice; whichever came second found the batch consumed (…03) and posted nothing.
  expect(transactions(/^GLS840MI\/UpdBatch$/).length - before).toBe(2);
  expect(h.systems.m3.state.tables.gl_batch.has('P000009922')).toBe(false);
});

it('credit memo, late: a line and the posting time out while M3 commits: one balanced AR voucher', async () => {
  h.systems.m3.fail(late('GLS840MI/AddBatchLine'));
  h.systems.m3.fail(late('GLS840MI/UpdBatch'));
  const before = transactions(/^GLS840MI\/UpdBatch$/).length;
  await h.post('bng-credit-memos-to-m3-ar', bngCreditMemo(7721, 46.44), 'bng');
  await waitFor(() => posted('C000007721').vouchers.length > 0, 'the voucher');
  await expectDrained(h.nats.url);
  expect(posted('C000007721')).toEqual({
    vouchers: [expect.objectContaining({ KEY1: 'C000007721', DSUM: '46.44', CSUM: '-46.44' })],
    lines: [
      ['3090', '25.00'],
      ['3090', '18.00'],
      ['2610', '3.44'],
      ['1510', '-46.44'],
    ],
  });
  // The posting was sent twice; whichever came second found the batch consumed (…03) and posted nothing.
  expect(transactions(/^GLS840MI\/UpdBatch$/).length - before).toBe(2);
  expect(h.systems.m3.state.tables.gl_batch.has('C000007721')).toBe(false);
});

it('payment: a batch deleted in GLS840 after its posting was refused is not taken as posted on replay', async () => {
  const { m3 } = h.systems;
  const payments = 'bng-payments-to-m3-gl';
  const open = async () =>
    (await h.engine.deadLetters.list({ integration: payments, status: 'open' })).filter((d) => d.key === '9923');
  // M3 refuses the posting (a NOK without a message id: a definite answer, nothing posted).
  const refusal = { errorMessage: 'Accounting period is closed', errorType: 'ServerReturnedNOK', errorField: 'ACDT' };
  m3.fail({
    pathPrefix: `${MI}/GLS840MI/UpdBatch`,
    status: 200,
    body: {
      results: [{ transaction: 'UpdBatch', records: [], ...refusal }],
      wasTerminated: false,
      nrOfSuccessfullTransactions: 0,
      nrOfFailedTransactions: 1,
    },
  });
  await h.post(payments, bngPayment(9923, 20), 'bng');
  await waitFor(async () => (await open()).length === 1, 'the refused posting dead-lettered');
  const [refused] = await open();
  expect(refused).toMatchObject({ step: 'post', error: { code: 'validation' } });
  // The accountant deletes the batch in GLS840 (its head and lines), then the dead letter is replayed.
  m3.state.tables.gl_batch.delete('P000009923');
  for (const [key, line] of m3.state.tables.gl_batch_line)
    if (line.KEY1 === 'P000009923') m3.state.tables.gl_batch_line.delete(key);
  const actor = { kind: 'user', id: 'ops@example.com' } as const;
  expect(await h.engine.actions.replay(actor, refused.id)).toMatchObject({ status: 'replayed' });
  await waitFor(async () => (await open()).some((d) => d.id !== refused.id), 'the replay dead-lettered');
  // The posting found no batch (…03) on a send that was not a repeat of one without an answer: not a posting.
  const [gone] = await open();
  expect(gone).toMatchObject({
    step: 'post',
    reason: 'permanent',
    error: {
      code: 'not-found',
      vendorCode: 'XRE0103',
      message: expect.stringContaining('UpdBatch: Record does not exist'),
    },
  });
  expect(posted('P000009923').vouchers).toEqual([]);
  expect(m3.requests.filter((r) => r.path === `${MI}/GLS840MI/UpdBatch` && r.query.KEY1 === 'P000009923')).toHaveLength(
    2,
  );
  expect(await h.engine.actions.resolve(actor, gone.id, 'voucher entered by hand')).toMatchObject({
    status: 'resolved',
  });
});

const supplier = (suno: string) => rows('supplier').filter((s) => s.SUNO === suno);
/** How often M3 received `transaction` for supplier `suno`. */
const calls = (transaction: string, suno: string) =>
  h.systems.m3.requests.filter((r) => r.path.endsWith(`/${transaction}`) && r.query.SUNO === suno).length;

it('vendor, late: the add times out while M3 adds it, the change too: one supplier, changed', async () => {
  const { m3 } = h.systems;
  m3.fail(late('CRS620MI/AddSupplier'));
  await h.post('bng-vendors-to-m3', bngVendor(21), 'bng');
  await waitFor(() => supplier('V000021').length > 0, 'supplier V000021');
  await expectDrained(h.nats.url);
  m3.fail(late('CRS620MI/UpdSupplier'));
  const renamed = { legal_name: 'Kettle Works Group', payment_terms_days: 30, updated_at: '2026-12-02T09:00:00Z' };
  await h.post('bng-vendors-to-m3', bngVendor(21, renamed), 'bng');
  await waitFor(() => supplier('V000021')[0].SUNM === 'Kettle Works Group', 'supplier renamed');
  await expectDrained(h.nats.url);
  expect(supplier('V000021')).toEqual([
    expect.objectContaining({ SUNM: 'Kettle Works Group', CSCD: 'GB', CUCD: 'GBP', TEPY: '30', SUTY: '0' }),
  ]);
});

it('vendor, lost: the add and the change answered after M3 committed: one supplier, changed', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('CRS620MI/AddSupplier'));
  await h.post('bng-vendors-to-m3', bngVendor(22), 'bng');
  await waitFor(() => supplier('V000022').length > 0, 'supplier V000022');
  await expectDrained(h.nats.url);
  m3.fail(lost('CRS620MI/UpdSupplier'));
  await h.post(
    'bng-vendors-to-m3',
    bngVendor(22, { phone: '+44 20 7946 0999', updated_at: '2026-12-02T10:00Z' }),
    'bng',
  );
  await waitFor(() => supplier('V000022')[0].PHNO === '+44 20 7946 0999', 'supplier phone changed');
  await expectDrained(h.nats.url);
  expect(supplier('V000022')).toEqual([
    expect.objectContaining({ SUNM: 'Kettle Works Ltd', PHNO: '+44 20 7946 0999', TEPY: '60' }),
  ]);
  // The lost add was found on the retry (GetBasicData) and updated instead of added again; the change's lost
  // answer made it send UpdSupplier once more (a change is safe to repeat).
  expect(calls('CRS620MI/AddSupplier', 'V000022')).toBe(1);
  expect(calls('CRS620MI/UpdSupplier', 'V000022')).toBe(3);
});

/** A supplier with a purchase order in M3, entered through the flows (the invoice flow reads their cross-refs). */
async function supplierWithOrder(vendorId: number, poId: number): Promise<string> {
  await h.post('bng-vendors-to-m3', bngVendor(vendorId), 'bng');
  await waitFor(() => supplier(`V0000${vendorId}`).length > 0, `supplier ${vendorId}`);
  await h.post('bng-purchase-orders-to-m3', bngPurchaseOrder(poId, vendorId), 'bng');
  const order = () => rows('purchase_order').find((p) => p.YRE1 === `BNG PO ${poId}`);
  await waitFor(() => order() !== undefined, `purchase order ${poId}`);
  await expectDrained(h.nats.url);
  return order()!.PUNO;
}

it('purchase order: a line answered 200 with no MI response drops the entry and dead-letters; the replay enters it once', async () => {
  const { m3 } = h.systems;
  const orders = 'bng-purchase-orders-to-m3';
  await supplierWithOrder(31, 3101);
  const open = async () =>
    (await h.engine.deadLetters.list({ integration: orders, status: 'open' })).filter((d) => d.key === '3102');
  const ordersOf = () => rows('purchase_order').filter((p) => p.YRE1 === 'BNG PO 3102');
  // The first line's answer is a gateway's page, not M3's: whether M3 added the line is unknown.
  m3.fail({ pathPrefix: `${MI}/PPS370MI/AddLine`, status: 200, body: '<html>Service temporarily unavailable</html>' });
  const before = m3.requests.length;
  await h.post(orders, bngPurchaseOrder(3102, 31), 'bng');
  await waitFor(async () => (await open()).length === 1, 'the unreadable answer dead-lettered');
  const [entry] = await open();
  expect(entry).toMatchObject({
    step: 'lines',
    reason: 'permanent',
    error: {
      code: 'invalid-response',
      status: 200,
      message: expect.stringContaining('PPS370MI/AddLine: the answer is no MI response (no results list)'),
    },
  });
  // The entry the line went into was deleted (its restart), so it never becomes a purchase order.
  const entryCalls = m3.requests.slice(before).filter((r) => r.path.startsWith(`${MI}/PPS370MI/`));
  const msgn = String(entryCalls.find((r) => r.path.endsWith('/AddHead'))!.query.MSGN);
  expect(entryCalls.map((r) => r.path.slice(MI.length + 1))).toEqual([
    'PPS370MI/StartEntry',
    'PPS370MI/AddHead',
    'PPS370MI/AddLine',
    'PPS370MI/DeleteEntry',
  ]);
  expect(entryCalls.at(-1)!.query.MSGN).toBe(msgn);
  expect(m3.state.tables.po_entry.get(msgn)).toBeUndefined();
  expect(ordersOf()).toEqual([]);
  // The replay enters the order anew, in a new entry: one purchase order with both lines.
  const actor = { kind: 'user', id: 'ops@example.com' } as const;
  expect(await h.engine.actions.replay(actor, entry.id)).toMatchObject({ status: 'replayed' });
  await waitFor(() => ordersOf().length === 1, 'the replayed order in M3');
  await expectDrained(h.nats.url);
  const [order] = ordersOf();
  expect(
    rows('purchase_order_line')
      .filter((l) => l.PUNO === order.PUNO)
      .map((l) => [l.PNLI, l.ITNO]),
  ).toEqual([
    ['10', 'MUG-1'],
    ['20', 'TEE-1'],
  ]);
  expect(ordersOf()).toHaveLength(1);
  expect((await open()).map((d) => d.id)).toEqual([]);
});

const invoiceOf = (sino: string) => {
  const heads = rows('supplier_invoice').filter((i) => i.SINO === sino);
  const lines = heads.flatMap((i) => rows('supplier_invoice_line').filter((l) => l.INBN === i.INBN));
  return { heads, lines: lines.map((l) => [l.PNLI, l.IVQA, l.NLAM]) };
};
const invoiceLines = [
  ['10', '100', '420'],
  ['20', '50', '325'],
];

it('supplier invoice, lost: a line and the validation answered after M3 committed: one invoice', async () => {
  const puno = await supplierWithOrder(31, 331);
  h.systems.m3.fail(lost('APS450MI/AddLine'));
  h.systems.m3.fail(lost('APS455MI/ValidByBatchNo'));
  await h.post(
    'bng-supplier-invoices-to-m3',
    bngSupplierInvoice(81, { vendorId: 31, poId: 331, number: 'INV-81' }),
    'bng',
  );
  await waitFor(() => invoiceOf('INV-81').heads[0]?.SUPA === '1', 'the validated invoice');
  await expectDrained(h.nats.url);
  expect(invoiceOf('INV-81')).toEqual({
    heads: [expect.objectContaining({ SUNO: 'V000031', PUNO: puno, CUAM: '745', CUCD: 'GBP', SUPA: '1' })],
    lines: invoiceLines,
  });
});

it('supplier invoice, late: head and line time out while M3 commits; the number again is …04: one invoice', async () => {
  const puno = await supplierWithOrder(32, 332);
  h.systems.m3.fail(late('APS450MI/AddHead'));
  h.systems.m3.fail(late('APS450MI/AddLine'));
  await h.post(
    'bng-supplier-invoices-to-m3',
    bngSupplierInvoice(82, { vendorId: 32, poId: 332, number: 'INV-82' }),
    'bng',
  );
  await waitFor(() => invoiceOf('INV-82').heads[0]?.SUPA === '1', 'the validated invoice');
  await expectDrained(h.nats.url);
  // BNG sends the supplier's invoice number once more under another id: M3 has it (…04), so the event is done.
  const [heads, lines] = [transactions(/^APS450MI\/AddHead$/).length, transactions(/^APS450MI\/AddLine$/).length];
  await h.post(
    'bng-supplier-invoices-to-m3',
    bngSupplierInvoice(83, { vendorId: 32, poId: 332, number: 'INV-82' }),
    'bng',
  );
  await waitFor(() => transactions(/^APS450MI\/AddHead$/).length === heads + 1, 'the second AddHead');
  await expectDrained(h.nats.url);
  expect(transactions(/^APS450MI\/AddLine$/)).toHaveLength(lines);
  expect(invoiceOf('INV-82')).toEqual({
    heads: [expect.objectContaining({ SUNO: 'V000032', PUNO: puno, CUAM: '745', SUPA: '1' })],
    lines: invoiceLines,
  });
});

/** An item M3 changed today, as MMS200MI/LstItmByChgDate lists it. */
function changeItem(itno: string, fields: Record<string, string>) {
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const { item } = h.systems.m3.state.tables;
  const current = item.get(itno) ?? { ITNO: itno, ITDS: 'Camp Stove', ITTY: 'FG', UNMS: 'EA', RESP: 'M3SRVADM' };
  item.set(itno, { ...current, ...fields, LMDT: today });
}
const productErp = (sku: string) => h.systems.bng.collections.get('products')?.get(`${sku}/erp`);
const statusesSent = (sku: string) =>
  puts(`/products/${sku}/erp`).map((r) => (r.body as { m3_status: string }).m3_status);

it('M3 item -> BNG, lost and late: BNG saves each change, its answers lost or late: the status M3 holds', async () => {
  const { bng } = h.systems;
  bng.fail(answerLost('/products/stove-1/erp'));
  changeItem('STOVE-1', { STAT: '10' });
  await waitFor(() => statusesSent('stove-1').length === 2, 'the new item in BNG');
  await expectDrained(h.nats.url);
  bng.fail(answerLate('/products/stove-1/erp'));
  changeItem('STOVE-1', { STAT: '20', UNMS: 'PCS' });
  await waitFor(() => statusesSent('stove-1').length === 4, 'the released item in BNG');
  await expectDrained(h.nats.url);
  expect(productErp('stove-1')).toEqual(
    expect.objectContaining({ sku: 'stove-1', m3_item_number: 'STOVE-1', m3_status: '20', unit: 'PCS' }),
  );
  // Each change sent twice (the first answer lost, then late) and nothing more, however often M3 was polled.
  expect(statusesSent('stove-1')).toEqual(['10', '10', '20', '20']);
});

const bngRecord = (collection: string, id: string) => h.systems.bng.collections.get(collection)?.get(id);
/** The records BNG holds under `id` in `collection`: the record itself and its sub-records (`id/…`). */
const bngRecordIds = (collection: string, id: string) =>
  [...(h.systems.bng.collections.get(collection)?.keys() ?? [])].filter((k) => k === id || k.startsWith(`${id}/`));

it('M3 invoice -> BNG, late: BNG saves the invoice after the engine gave up: one invoice, as M3 made it', async () => {
  const { m3, bng } = h.systems;
  // An M3 order of BNG order 9301 for M3 customer 10042, as bng-orders-to-m3 enters one: 4 CAP-1 at 18.
  m3.state.tables.order_head.set('1000900', { CUNO: '10042', ORNO: '1000900', CUOR: '9301', WHLO: '100', STAT: '66' });
  m3.state.tables.order_line.set('1000900/1', { ORNO: '1000900', PONR: '1', ITNO: 'CAP-1', ORQT: '4', SAPR: '18' });
  const { IVNO } = invoiceCustomerOrder(m3.state, '1000900', { date: invoiceDay, vatRate: 0.1 });
  const number = `${invoiceYear}-${String(IVNO)}`;
  bng.fail(answerLate(`/invoices/${number}`));
  await waitFor(() => puts(`/invoices/${number}`).length === 2, 'the invoice sent again after the timeout');
  await expectDrained(h.nats.url);
  expect(bngRecordIds('invoices', number)).toEqual([number]);
  expect(bngRecord('invoices', number)).toEqual({
    id: number,
    invoice_number: number,
    order_id: '9301',
    m3_customer_number: '10042',
    m3_order_numbers: ['1000900'],
    invoice_date: isoDay(invoiceDay),
    due_date: isoDay(invoiceDay, 30),
    currency: 'USD',
    net: 72,
    tax: 7.2,
    total: 79.2,
    open_amount: 79.2,
  });
  // Once timed out and once again, however often the invoice was listed again from the cursor on.
  expect(puts(`/invoices/${number}`)).toHaveLength(2);
});

it('M3 customer -> BNG, late: BNG saves the customer and its ERP data after the engine gave up: one of each', async () => {
  const { m3, bng } = h.systems;
  bng.fail(answerLate('/customers/m3-10077'));
  bng.fail(answerLate('/customers/m3-10077/erp'));
  m3.state.tables.customer.set('10077', {
    CUNO: '10077',
    CUNM: 'Babbage Engines',
    CUA1: '5 Difference Rd',
    TOWN: 'London',
    PONO: 'SW1A 1AA',
    CSCD: 'GB',
    MAIL: 'orders@babbage.example',
    STAT: '20',
    CUCD: 'GBP',
    CRLM: '5000',
    CRL2: '15000',
    CRL3: '20000',
    ODUD: '45',
    VTCD: '9',
    VRNO: 'GB123456789',
    TEPY: '30',
    LMTS: String(Date.now()),
  });
  await waitFor(() => puts('/customers/m3-10077/erp').length >= 2, 'the ERP data sent again after the timeout');
  await expectDrained(h.nats.url);
  expect(bngRecordIds('customers', 'm3-10077')).toEqual(['m3-10077', 'm3-10077/erp']);
  expect(bngRecord('customers', 'm3-10077')).toEqual({
    id: 'm3-10077',
    source: 'm3',
    type: 'business',
    company_name: 'Babbage Engines',
    email: 'orders@babbage.example',
    phone: '',
    address: { line1: '5 Difference Rd', line2: '', city: 'London', postcode: 'SW1A 1AA', country: 'GB' },
    addresses: [], // none in OIS002
  });
  expect(bngRecord('customers', 'm3-10077/erp')).toEqual({
    id: 'm3-10077',
    m3_customer_number: '10077',
    m3_status: '20',
    currency: 'GBP',
    credit_limit: 5000,
    credit_limit_invoices: 15000,
    credit_limit_total: 20000,
    credit_days_overdue: 45,
    payment_terms: '30',
    vat_number: 'GB123456789',
    tax_status: 'exempt',
  });
});

/** A supplier M3 created or changed just now, as CRS620MI/LstSuppliers lists it. */
function changeSupplier(suno: string, fields: Record<string, string>) {
  const current = h.systems.m3.state.tables.supplier.get(suno) ?? { SUNO: suno, SUTY: '0', STAT: '20' };
  h.systems.m3.state.tables.supplier.set(suno, { ...current, ...fields, LMTS: String(Date.now()) });
}

it('M3 supplier -> BNG vendor, lost then late: BNG saves each change, its answers lost or late: one vendor', async () => {
  const { bng } = h.systems;
  bng.fail(answerLost('/vendors/m3-s200'));
  bng.fail(answerLost('/vendors/m3-s200/erp'));
  changeSupplier('S200', { SUNM: 'Nordic Tin AB', CSCD: 'SE', CUCD: 'SEK', TEPY: '30', PYME: 'BGO', SUCL: 'RAW' });
  await waitFor(() => puts('/vendors/m3-s200/erp').length >= 2, 'the new vendor in BNG');
  await expectDrained(h.nats.url);
  bng.fail(answerLate('/vendors/m3-s200'));
  bng.fail(answerLate('/vendors/m3-s200/erp'));
  changeSupplier('S200', { SUNM: 'Nordic Tin Group AB', PHNO: '+46 8 123 456', TEPY: '45' });
  await waitFor(() => bngRecord('vendors', 'm3-s200/erp')?.payment_terms === '45', 'the changed vendor in BNG');
  await expectDrained(h.nats.url);
  expect(bngRecordIds('vendors', 'm3-s200')).toEqual(['m3-s200', 'm3-s200/erp']);
  expect(bngRecord('vendors', 'm3-s200')).toEqual({
    id: 'm3-s200',
    source: 'm3',
    legal_name: 'Nordic Tin Group AB',
    country: 'SE',
    phone: '+46 8 123 456',
    approved: true,
  });
  expect(bngRecord('vendors', 'm3-s200/erp')).toEqual({
    id: 'm3-s200',
    m3_supplier_number: 'S200',
    currency: 'SEK',
    payment_terms: '45',
    payment_method: 'BGO',
    supplier_group: 'RAW',
  });
});
