/**
 * The BNG <-> M3 money and master-data flows through the engine (real nats-server, the M3 emulator, the BNG shop as
 * the generic emulator, the seed specs): M3 customer invoices polled into BNG with BNG's answer lost after it saved
 * the invoice; a BNG credit memo posted as one balanced AR journal with M3's answers lost, and an unbalanced one
 * refused before any call; M3 customers and suppliers polled into BNG with ownership per direction (an M3 customer's
 * delivery and invoice addresses with it, its BNG order reaching M3 through the cross-reference the poll wrote), and
 * a change that came from BNG not written back to it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { invoiceCustomerOrder } from '../../connectors/infor_m3/emulator/customer-invoices.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { bngCreditMemo, bngCustomer, bngOrder } from './helpers/bng-events.js';
import { MI, lost } from './helpers/bng-m3-faults.js';
import { answerLost, expectFaultsUsed } from './helpers/faults.js';
import { invoiceDay, invoicePollFrom, invoiceYear, isoDay } from './helpers/m3-invoice-year.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

let h: SeedEngine;
/** The first invoice number after the emulator's seed invoice, in the year the poll lists. */
const invoiceNumber = `${invoiceYear}-100001`;
beforeAll(async () => {
  h = await startSeedEngine(['bng-m3'], {
    fastTimeouts: true,
    fastPolls: true,
    edit: invoicePollFrom(100001),
  });
}, 60_000);
afterEach(() => expectFaultsUsed(h.systems.m3, h.systems.bng));
afterAll(async () => {
  // The one dead letter these flows should leave is the unbalanced credit memo (its own test checks it).
  const open = await h.engine.deadLetters.list({ status: 'open' });
  await h.stop();
  expect(open.map((d) => `${d.integration} ${d.key}`)).toEqual(['bng-credit-memos-to-m3-ar 7702']);
});

/** The transactions M3 received (`PROGRAM/Transaction`), in order, with their input fields. */
const calls = (transaction: RegExp, fields: Record<string, string> = {}) =>
  h.systems.m3.requests.filter(
    (r) => transaction.test(r.path.slice(MI.length + 1)) && Object.entries(fields).every(([k, v]) => r.query[k] === v),
  );
const bngPuts = (path: string) => h.systems.bng.requests.filter((r) => r.method === 'PUT' && r.path === path);
const bng = (collection: string) =>
  h.systems.bng.collections.get(collection) ?? new Map<string, Record<string, unknown>>();

it('a BNG customer reaches M3 and gets its M3 account data back; its rename in BNG is not written back', async () => {
  const { m3 } = h.systems;
  await h.post('bng-customers-to-m3', bngCustomer('Hopper', '2026-12-01T10:00:00Z'), 'bng');
  await waitFor(() => bng('customers').has('601/erp'), 'the ERP data of customer 601 in BNG');
  expect(bng('customers').get('601/erp')).toEqual({
    id: '601',
    m3_customer_number: 'B00000601',
    m3_status: '20',
    currency: 'USD',
    credit_limit: 0,
    credit_limit_invoices: 0,
    credit_limit_total: 0,
    credit_days_overdue: 0,
    payment_terms: '',
    vat_number: '',
    tax_status: 'taxable',
  });
  // Renamed in BNG: M3 changes the customer (its LMTS moves), the next polls list it again, and the ERP data BNG
  // would get is what it has: nothing goes back, and BNG's own customer record is never written.
  await h.post('bng-customers-to-m3', bngCustomer('Hopper-Murray', '2026-12-01T11:00:00Z'), 'bng');
  await waitFor(() => m3.state.tables.customer.get('B00000601')?.CUNM === 'Grace Hopper-Murray', 'renamed in M3');
  const changedAt = m3.requests.length;
  await waitFor(
    () => m3.requests.slice(changedAt).filter((r) => r.path.endsWith('CRS610MI/LstByNumber')).length >= 2,
    'two polls after the change',
  );
  await expectDrained(h.nats.url);
  expect(bngPuts('/customers/601/erp')).toHaveLength(1);
  expect(bngPuts('/customers/601')).toEqual([]);
});

it("a BNG customer's credit limit and tax status are M3's: BNG's own values never reach M3, M3's reach BNG", async () => {
  const { m3 } = h.systems;
  // Credit control sets the customer's limits and tax exemption in M3 (CRS610); the poll brings them to BNG.
  const grace = m3.state.tables.customer.get('B00000601')!;
  m3.state.tables.customer.set('B00000601', {
    ...grace,
    CRLM: '7500',
    CRL3: '20000',
    VTCD: '8',
    LMTS: String(Date.now()),
  });
  await waitFor(() => bng('customers').get('601/erp')?.tax_status === 'exempt', 'the exemption in BNG');
  // The shop sends the customer with values of its own for both (a stale copy, or a field the shop lets users edit).
  const before = m3.requests.length;
  const event = bngCustomer('Hopper', '2026-12-01T12:00:00Z');
  await h.post(
    'bng-customers-to-m3',
    {
      customer: {
        ...event.customer,
        phone: '+1 555 0601',
        credit_limit: 99999,
        tax_status: 'taxable',
        vat_number: 'US-1',
      },
    },
    'bng',
  );
  await waitFor(() => m3.state.tables.customer.get('B00000601')?.PHNO === '+1 555 0601', 'the phone change in M3');
  await expectDrained(h.nats.url);
  // M3 got BNG's fields only (ChgBasicData has no credit or tax field, and the spec owns none), and kept its own.
  const changes = m3.requests.slice(before).filter((r) => r.path.endsWith('CRS610MI/ChgBasicData'));
  expect(changes).toHaveLength(1);
  expect(changes[0].query).toMatchObject({ CUNO: 'B00000601', PHNO: '+1 555 0601' });
  expect(Object.keys(changes[0].query).filter((k) => /^(CRL|VTCD|TXAP|VRNO|ODUD)/.test(k))).toEqual([]);
  expect(m3.state.tables.customer.get('B00000601')).toMatchObject({ CRLM: '7500', CRL3: '20000', VTCD: '8' });
  expect(bng('customers').get('601/erp')).toMatchObject({
    credit_limit: 7500,
    credit_limit_total: 20000,
    tax_status: 'exempt',
  });
});

it('an M3 customer becomes a BNG customer owned by M3: changed in M3 it follows, announced by BNG it stays', async () => {
  // The seed company's delivery address of customer 10042 ('Customer. Connect Addresses' OIS002, type 1).
  const dock = {
    id: 'DOCK',
    type: 'shipping',
    line1: '9 Dock St',
    line2: '',
    city: 'Norfolk',
    postcode: '23510',
    country: 'US',
    phone: '',
  };
  const { m3 } = h.systems;
  await waitFor(() => bng('customers').has('m3-10042/erp'), 'customer 10042 in BNG');
  expect(bng('customers').get('m3-10042')).toEqual({
    id: 'm3-10042',
    source: 'm3',
    type: 'business',
    company_name: 'Ada Lovelace',
    email: '',
    phone: '',
    address: { line1: '1 Analytical Way', line2: '', city: 'San Francisco', postcode: '', country: 'US' },
    addresses: [dock],
  });
  expect(bng('customers').has('m3-template')).toBe(false);
  // Changed in M3 (CRS610 in M3 itself): BNG follows, its answer lost once, and holds one record.
  h.systems.bng.fail(answerLost('/customers/m3-10042'));
  // An invoice address added in OIS002 comes with the customer's change (the emulator stamps the address only;
  // whether M3 also moves the customer's LMTS is [U], docs/connectors.md).
  m3.state.tables.customer_address.set('10042/3/HQ', {
    CUNO: '10042',
    ADRT: '3',
    ADID: 'HQ',
    CUA1: '1 Analytical Way',
    CUA2: 'Floor 2',
    TOWN: 'San Francisco',
    PONO: '94105',
    CSCD: 'US',
  });
  const ada = m3.state.tables.customer.get('10042')!;
  m3.state.tables.customer.set('10042', {
    ...ada,
    CUNM: 'Ada King',
    MAIL: 'ada@example.com',
    CRL3: '25000',
    VTCD: '8',
    VRNO: 'US-EX-0042',
    LMTS: String(Date.now()),
  });
  await waitFor(() => bng('customers').get('m3-10042')?.company_name === 'Ada King', 'renamed');
  expect(bng('customers').get('m3-10042')?.addresses).toEqual([
    dock,
    {
      id: 'HQ',
      type: 'billing',
      line1: '1 Analytical Way',
      line2: 'Floor 2',
      city: 'San Francisco',
      postcode: '94105',
      country: 'US',
      phone: '',
    },
  ]);
  // Its new credit limit and tax exemption (M3's: the ERP owns them) reach the ERP sub-record.
  await waitFor(() => bng('customers').get('m3-10042/erp')?.tax_status === 'exempt', 'tax exempt in BNG');
  expect(bng('customers').get('m3-10042/erp')).toMatchObject({
    credit_limit_total: 25000,
    vat_number: 'US-EX-0042',
    tax_status: 'exempt',
  });
  // BNG announces its changed customer: M3's, so bng-customers-to-m3 sends nothing to M3.
  const before = calls(/^CRS610MI\/(Add|ChgBasicData|GetBasicData)/).length;
  await h.post(
    'bng-customers-to-m3',
    { customer: { ...bng('customers').get('m3-10042'), updated_at: '2026-12-02' } },
    'bng',
  );
  await expectDrained(h.nats.url);
  expect(calls(/^CRS610MI\/(Add|ChgBasicData|GetBasicData)/)).toHaveLength(before);
  expect([...m3.state.tables.customer.keys()].filter((k) => k.startsWith('Bm3'))).toEqual([]);
  expect([...bng('customers').keys()].filter((k) => k.startsWith('m3-10042')).sort()).toEqual([
    'm3-10042',
    'm3-10042/erp',
  ]);
  // The customer cross-reference the poll wrote lets a BNG order of this customer reach M3 under M3's number.
  const order = {
    id: 9201,
    customer_id: 'm3-10042',
    channel: 'b2b',
    region: 'east',
    payment_status: 'paid',
    currency: 'USD',
    placed_at: '2026-12-02T12:00:00Z',
    updated_at: '2026-12-02T12:01:00Z',
    customer_reference: 'PO-9201',
    lines: [{ sku: 'tee-1', quantity: 3, unit_price: 15 }],
  };
  await h.post('bng-orders-to-m3', { order }, 'bng');
  const orders = () => [...m3.state.tables.order_head.values()].filter((o) => o.CUOR === '9201');
  await waitFor(() => orders().length > 0, 'the order of M3 customer 10042');
  await expectDrained(h.nats.url);
  expect(orders()).toEqual([expect.objectContaining({ CUNO: '10042' })]);
});

it('a BNG order invoiced in M3 reaches BNG once, BNG answer lost after it saved the invoice', async () => {
  const { m3 } = h.systems;
  await h.post('bng-orders-to-m3', bngOrder(), 'bng');
  const heads = () => [...m3.state.tables.order_head.values()].filter((o) => o.CUOR === '9101');
  await waitFor(() => heads().length > 0, 'the M3 order');
  const path = `/invoices/${invoiceNumber}`;
  h.systems.bng.fail(answerLost(path));
  invoiceCustomerOrder(m3.state, heads()[0].ORNO, { date: invoiceDay, vatRate: 0.08 });
  await waitFor(() => bngPuts(path).length === 2, 'the invoice sent again after the lost answer');
  await expectDrained(h.nats.url);
  expect([...bng('invoices').keys()]).toEqual([invoiceNumber]);
  expect(bng('invoices').get(invoiceNumber)).toEqual({
    invoice_number: invoiceNumber,
    order_id: '9101',
    customer_id: '601',
    m3_customer_number: 'B00000601',
    m3_order_numbers: [heads()[0].ORNO],
    invoice_date: isoDay(invoiceDay),
    due_date: isoDay(invoiceDay, 30),
    currency: 'USD',
    net: 43,
    tax: 3.44,
    total: 46.44,
    open_amount: 46.44,
    id: invoiceNumber,
  });
  // Polled every second and listed again from the last invoice on: sent once more only because BNG's answer was lost.
  expect(bngPuts(path)).toHaveLength(2);
});

it('a BNG credit memo posts one balanced AR voucher in M3, its batch and post answers lost', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('GLS840MI/AddBatchHead'));
  m3.fail(lost('GLS840MI/UpdBatch'));
  await h.post('bng-credit-memos-to-m3-ar', bngCreditMemo(7701, 46.44), 'bng');
  const vouchers = () => [...m3.state.tables.gl_voucher.values()].filter((v) => v.KEY1 === 'C000007701');
  await waitFor(() => vouchers().length > 0 && !m3.state.tables.gl_batch.has('C000007701'), 'the voucher');
  await expectDrained(h.nats.url);
  expect(vouchers()).toHaveLength(1);
  const [{ VONO, YEA4 }] = vouchers();
  const lines = [...m3.state.tables.gl_voucher_line.values()].filter((l) => l.VONO === VONO && l.YEA4 === YEA4);
  expect(lines.map((l) => [l.AIT1, l.ACAM])).toEqual([
    ['3090', '25.00'],
    ['3090', '18.00'],
    ['2610', '3.44'],
    ['1510', '-46.44'],
  ]);
  expect(lines.reduce((sum, l) => sum + Math.round(Number(l.ACAM) * 100), 0)).toBe(0);
});

it('a credit memo whose lines do not add up to its total is refused before any call, with the difference', async () => {
  await h.post('bng-credit-memos-to-m3-ar', bngCreditMemo(7702, 48.44), 'bng');
  await waitFor(
    async () => (await h.engine.deadLetters.list({ integration: 'bng-credit-memos-to-m3-ar' })).length > 0,
    'the dead letter',
  );
  const [dead] = await h.engine.deadLetters.list({ integration: 'bng-credit-memos-to-m3-ar' });
  expect(dead.reason).toBe('permanent');
  expect(dead.error?.message).toContain(
    'Credit memo 7702 does not balance: its lines and tax come to 46.44 but its total is 48.44 (difference -2.00); ' +
      'nothing was posted. Correct the credit memo in BNG, then replay this dead letter.',
  );
  expect(calls(/^GLS840MI\//, { KEY1: 'C000007702' })).toEqual([]);
});

it('M3 suppliers reach BNG: purchasing data for BNG vendors, the whole vendor for suppliers M3 created', async () => {
  const { m3 } = h.systems;
  await waitFor(() => bng('vendors').has('12/erp'), 'the ERP data of vendor 12');
  expect(bng('vendors').get('12/erp')).toEqual({
    id: '12',
    m3_supplier_number: 'V000012',
    currency: 'USD',
    payment_terms: '30',
    payment_method: '',
    supplier_group: '',
  });
  expect(bng('vendors').has('12')).toBe(false);
  const supplier = { SUNO: 'S100', SUNM: 'Steel Supply AB', CSCD: 'SE', CUCD: 'SEK', TEPY: '30', PYME: 'BGO' };
  m3.state.tables.supplier.set('S100', { ...supplier, SUCL: 'RAW', STAT: '20', LMTS: String(Date.now()) });
  await waitFor(() => bng('vendors').has('m3-s100/erp'), 'supplier S100 in BNG');
  await expectDrained(h.nats.url);
  expect(bng('vendors').get('m3-s100')).toEqual({
    id: 'm3-s100',
    source: 'm3',
    legal_name: 'Steel Supply AB',
    country: 'SE',
    phone: '',
    approved: true,
  });
});
