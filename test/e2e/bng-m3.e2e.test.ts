/**
 * The BNG <-> Infor M3 seed flows through the engine (real nats-server, the M3 emulator, the BNG shop as the generic
 * emulator, the seed specs), with M3's answer lost after it committed (dropAfterCommit) and with calls that time out
 * after M3 committed. M3 honours no Idempotency-Key, so what is asserted is the emulator's company: exactly one
 * customer, item, customer order, supplier, purchase order and supplier invoice per BNG record, later changes
 * applied, GL vouchers balanced, no dead letter.
 * The M3 -> BNG polls run every second alongside (items by change date, MMS200MI/LstItmByChgDate; the stock of
 * warehouse 100 whole, MMS060MI/List; the customer orders from confirmed to invoiced whole, OIS175MI/LstHeadByCust);
 * they lose BNG's answers instead, and BNG must end up with what M3 holds.
 */
import { expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { bngM3Views, late, lost } from './helpers/bng-m3-faults.js';
import {
  bngCustomer,
  bngOrder,
  bngPayment,
  bngPurchaseOrder,
  bngSupplierInvoice,
  bngVendor,
} from './helpers/bng-events.js';
import { answerLate, answerLost } from './helpers/faults.js';
import { sharedSeedEngine } from './helpers/shared-seed-engine.js';

const h = sharedSeedEngine(['bng-m3'], {
  fastTimeouts: true,
  fastPolls: true,
  faulted: ({ m3, bng }) => [m3, bng],
});
const { rows, transactions, puts } = bngM3Views(h);

it('BNG customer -> M3 customer, the add answer lost, then renamed: one customer, changed', async () => {
  h.systems.m3.fail(lost('CRS610MI/Add'));
  await h.post('bng-customers-to-m3', bngCustomer('Hopper', '2026-12-01T10:00:00Z'), 'bng');
  await waitFor(() => h.systems.m3.state.tables.customer.has('B00000601'), 'customer B00000601');
  h.systems.m3.fail(late('CRS610MI/ChgBasicData'));
  await h.post('bng-customers-to-m3', bngCustomer('Hopper-Murray', '2026-12-01T11:00:00Z'), 'bng');
  await waitFor(
    () => h.systems.m3.state.tables.customer.get('B00000601')?.CUNM === 'Grace Hopper-Murray',
    'customer renamed',
  );
  await expectDrained(h.nats.url);
  expect(rows('customer').filter((c) => c.CUNO === 'B00000601')).toEqual([
    expect.objectContaining({ CUNM: 'Grace Hopper-Murray', CUA1: '7 Harbor Rd', TOWN: 'Arlington', CUTM: 'TEMPLATE' }),
  ]);
  // The lost add was looked up (GetBasicData found it) and never sent again.
  expect(transactions(/^CRS610MI\/Add$/)).toEqual(['CRS610MI/Add']);
});

it('BNG customer addresses -> M3 customer addresses, the first add answer lost, then changed: one each', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('CRS610MI/AddAddress'));
  const customer = (addresses: Record<string, unknown>[], updatedAt: string) => {
    const event = bngCustomer('Hopper', updatedAt);
    return { customer: { ...event.customer, id: 602, email: 'grace602@example.com', addresses } };
  };
  const shipping = {
    id: 7001,
    type: 'shipping',
    line1: '9 Dock St',
    line2: 'Gate 3',
    city: 'Norfolk',
    postcode: '23510',
    country: 'US',
  };
  const billing = {
    id: 7002,
    type: 'billing',
    line1: '7 Harbor Rd',
    city: 'Arlington',
    postcode: '22201',
    country: 'US',
  };
  await h.post('bng-customers-to-m3', customer([shipping, billing], '2026-12-01T10:00:00Z'), 'bng');
  const addresses = () =>
    rows('customer_address')
      .filter((a) => a.CUNO === 'B00000602')
      .map(({ CUNO, ADRT, ADID, CUNM, CUA1, CUA2, TOWN, PONO, CSCD }) => ({
        CUNO,
        ADRT,
        ADID,
        CUNM,
        CUA1,
        CUA2,
        TOWN,
        PONO,
        CSCD,
      }));
  await waitFor(() => addresses().length === 2, 'both addresses in M3');
  await expectDrained(h.nats.url);
  // The depot moves, and a second delivery address is added.
  const depot = { id: 7003, type: 'shipping', line1: '3 Pier Ave', city: 'Hampton', postcode: '23661', country: 'US' };
  await h.post(
    'bng-customers-to-m3',
    customer([{ ...shipping, line1: '11 Dock St' }, billing, depot], '2026-12-01T11:00:00Z'),
    'bng',
  );
  await waitFor(() => addresses().length === 3, 'the new delivery address in M3');
  await expectDrained(h.nats.url);
  const grace = { CUNO: 'B00000602', CUNM: 'Grace Hopper', CSCD: 'US' };
  expect(addresses()).toEqual([
    { ...grace, ADRT: '1', ADID: '7001', CUA1: '11 Dock St', CUA2: 'Gate 3', TOWN: 'Norfolk', PONO: '23510' },
    { ...grace, ADRT: '3', ADID: '7002', CUA1: '7 Harbor Rd', CUA2: undefined, TOWN: 'Arlington', PONO: '22201' },
    { ...grace, ADRT: '1', ADID: '7003', CUA1: '3 Pier Ave', CUA2: undefined, TOWN: 'Hampton', PONO: '23661' },
  ]);
  // The lost add was looked up (GetAddress found it) and changed, never added again; the second event found both
  // addresses M3 had, added the new one, then changed the two.
  expect(transactions(/^CRS610MI\/(AddAddress|ChgAddress)$/).map((t) => t.slice(9))).toEqual([
    'AddAddress',
    'AddAddress',
    'ChgAddress',
    'AddAddress',
    'ChgAddress',
    'ChgAddress',
  ]);
});

it('BNG order -> M3 batch order, lines and Confirm with answers lost and late: one customer order', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('OIS100MI/AddBatchHead'));
  m3.fail(late('OIS100MI/AddBatchLine'));
  m3.fail(lost('OIS100MI/Confirm'));
  await h.post('bng-orders-to-m3', bngOrder(), 'bng');
  const orders = () => rows('order_head').filter((o) => o.CUOR === '9101');
  await waitFor(() => orders().length > 0, 'the customer order');
  await expectDrained(h.nats.url);
  // A later change of the same BNG order finds the order M3 has and creates nothing.
  await h.post('bng-orders-to-m3', bngOrder({ updated_at: '2026-12-01T13:00:00Z' }), 'bng');
  await expectDrained(h.nats.url);
  expect(orders()).toEqual([expect.objectContaining({ CUNO: 'B00000601', WHLO: '200', ORTP: 'A01', STAT: '22' })]);
  const orno = orders()[0].ORNO;
  expect(
    rows('order_line')
      .filter((l) => l.ORNO === orno)
      .map((l) => [l.ITNO, l.ORQT, l.CUPO]),
  ).toEqual([
    ['MUG-1', '2', '1'],
    ['CAP-1', '1', '2'],
  ]);
  expect(rows('order_batch').filter((b) => b.CUOR === '9101')).toEqual([expect.objectContaining({ ORNR: orno })]);
  expect(transactions(/^OIS100MI\/(AddBatchHead|AddBatchLine|Confirm)$/)).toEqual([
    'OIS100MI/AddBatchHead',
    'OIS100MI/AddBatchLine',
    'OIS100MI/AddBatchLine',
    'OIS100MI/Confirm',
  ]);
});

it('BNG order of a customer with more batch orders than an M3 list returns by default, the head answer lost: one order', async () => {
  const { m3 } = h.systems;
  // 120 earlier batch orders of the customer, confirmed long ago: a list without maxrecs=0 ends before the new one.
  for (let i = 0; i < 120; i++) {
    const orno = String(4000000 + i);
    const old = { CUNO: 'B00000601', ORTP: 'A01', ORDT: '20261101', WHLO: '200', CUOR: `OLD-${i}`, ORNO: orno };
    m3.state.tables.order_batch.set(orno, { ...old, STAT: '90', ORSL: '15', ORST: '15', ORNR: '' });
  }
  m3.fail(lost('OIS100MI/AddBatchHead'));
  await h.post('bng-orders-to-m3', bngOrder({ id: 9102, customer_reference: 'PO-9102' }), 'bng');
  const orders = () => rows('order_head').filter((o) => o.CUOR === '9102');
  await waitFor(() => orders().length > 0, 'the customer order');
  await expectDrained(h.nats.url);
  // The lost head was found among all the customer's batch orders, not opened a second time.
  expect(rows('order_batch').filter((b) => b.CUOR === '9102')).toEqual([
    expect.objectContaining({ ORNR: orders()[0].ORNO }),
  ]);
  expect(orders()).toHaveLength(1);
});

it('BNG item -> M3 item, timing out after M3 added it, then changed, that answer lost: one item, updated', async () => {
  const item = { sku: 'kettle-1', name: 'Enamel Kettle', description: 'Two litres', category: 'kitchen' };
  h.systems.m3.fail(late('MMS200MI/AddItmBasic'));
  await h.post('bng-items-to-m3', { ...item, status: 'active', updated_at: '2026-12-01T10:00:00Z' }, 'bng');
  await waitFor(() => h.systems.m3.state.tables.item.has('KETTLE-1'), 'item KETTLE-1');
  h.systems.m3.fail(lost('MMS200MI/UpdItmBasic'));
  await h.post(
    'bng-items-to-m3',
    { ...item, name: 'Camp Kettle', status: 'active', updated_at: '2026-12-01T11:00:00Z' },
    'bng',
  );
  await waitFor(() => h.systems.m3.state.tables.item.get('KETTLE-1')?.ITDS === 'Camp Kettle', 'item renamed');
  await expectDrained(h.nats.url);
  expect(rows('item').filter((i) => i.ITNO === 'KETTLE-1')).toHaveLength(1);
  expect(transactions(/^MMS200MI\/AddItmBasic/)).toHaveLength(1);
});

it('M3 items polled by change date reach BNG, an answer lost: the M3 status of the item, once per change', async () => {
  const { m3, bng } = h.systems;
  const today = m3.state.tables.item.get('KETTLE-1')!.LMDT;
  const erp = () => bng.collections.get('products')?.get('kettle-1/erp');
  await waitFor(() => erp()?.m3_status === '20', 'the polled item in BNG');
  // M3 blocks the item (a change in M3, not from BNG): the next poll asks from the same change date and sends it;
  // BNG saves it but its answer is lost, so the PUT is sent again.
  bng.fail({ dropAfterCommit: true, pathPrefix: '/products/kettle-1/erp', times: 1 });
  m3.state.tables.item.set('KETTLE-1', { ...m3.state.tables.item.get('KETTLE-1')!, STAT: '90' });
  await waitFor(() => erp()?.m3_status === '90', 'the blocked item in BNG');
  await expectDrained(h.nats.url);
  expect(erp()).toEqual({
    sku: 'kettle-1',
    m3_item_number: 'KETTLE-1',
    m3_status: '90',
    unit: 'EA',
    m3_changed_on: `${today.slice(0, 4)}-${today.slice(4, 6)}-${today.slice(6)}`,
    id: 'kettle-1',
  });
  // Polled every second, written once per change of what BNG gets: the rename changes no field BNG takes (its
  // event, if polled apart, is an unchanged write and skipped), the block does (sent twice: the answer was lost).
  const erpPuts = puts('/products/kettle-1/erp');
  expect(erpPuts.map((r) => (r.body as { m3_status: string }).m3_status)).toEqual(['20', '90', '90']);
  const polls = transactions(/^MMS200MI\/LstItmByChgDate$/).length;
  expect(polls).toBeGreaterThan(2);
});

it('BNG payment -> one balanced GL voucher, the batch and post answers lost', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('GLS840MI/AddBatchHead'));
  m3.fail(lost('GLS840MI/UpdBatch'));
  await h.post('bng-payments-to-m3-gl', bngPayment(9911, 43), 'bng');
  const vouchers = () => rows('gl_voucher').filter((v) => v.KEY1 === 'P000009911');
  await waitFor(() => vouchers().length > 0, 'the voucher');
  await expectDrained(h.nats.url);
  expect(vouchers()).toHaveLength(1);
  const { VONO } = vouchers()[0];
  const lines = rows('gl_voucher_line').filter((l) => l.VONO === VONO && l.YEA4 === vouchers()[0].YEA4);
  expect(lines.map((l) => [l.AIT1, l.ACAM])).toEqual([
    ['1930', '43.00'],
    ['1510', '-43.00'],
  ]);
  expect(lines.reduce((sum, l) => sum + Math.round(Number(l.ACAM) * 100), 0)).toBe(0);
  // The update consumed the batch.
  expect(h.systems.m3.state.tables.gl_batch.has('P000009911')).toBe(false);
});

it('BNG vendor -> PO -> supplier invoice with answers lost: one supplier, one PO with its lines, one invoice', async () => {
  const { m3 } = h.systems;
  m3.fail(lost('CRS620MI/AddSupplier'));
  await h.post('bng-vendors-to-m3', bngVendor(14), 'bng');
  await waitFor(() => m3.state.tables.supplier.has('V000014'), 'supplier V000014');
  await expectDrained(h.nats.url);

  // A head that times out and a line whose answer is lost each leave an entry M3 cannot show us: both are deleted.
  m3.fail(late('PPS370MI/AddHead'));
  m3.fail(lost('PPS370MI/AddLine'));
  m3.fail(lost('PPS370MI/FinishEntry'));
  await h.post('bng-purchase-orders-to-m3', bngPurchaseOrder(302, 14), 'bng');
  const pos = () => rows('purchase_order').filter((p) => p.YRE1 === 'BNG PO 302');
  await waitFor(() => pos().length > 0, 'the purchase order');
  await expectDrained(h.nats.url);
  expect(pos()).toEqual([expect.objectContaining({ SUNO: 'V000014', WHLO: '100', PUSL: '20' })]);
  const puno = pos()[0].PUNO;
  expect(
    rows('purchase_order_line')
      .filter((l) => l.PUNO === puno)
      .map((l) => [l.PNLI, l.ITNO, l.ORQA]),
  ).toEqual([
    ['10', 'MUG-1', '100'],
    ['20', 'TEE-1', '50'],
  ]);
  expect(transactions(/^PPS370MI\//)).toEqual([
    'PPS370MI/StartEntry',
    'PPS370MI/AddHead',
    'PPS370MI/DeleteEntry',
    'PPS370MI/StartEntry',
    'PPS370MI/AddHead',
    'PPS370MI/AddLine',
    'PPS370MI/DeleteEntry',
    'PPS370MI/StartEntry',
    'PPS370MI/AddHead',
    'PPS370MI/AddLine',
    'PPS370MI/AddLine',
    'PPS370MI/FinishEntry',
  ]);
  // The entry that became the PO is finished (90); no other entry of Junction's is left open (the seed's is M3's).
  expect(rows('po_entry').map((e) => [e.MSGN, e.STAT])).toEqual([
    ['700000000', '10'],
    [expect.any(String), '90'],
  ]);
  expect(rows('po_entry_head').filter((e) => e.YRE1 === 'BNG PO 302')).toHaveLength(1);

  m3.fail(lost('APS450MI/AddHead'));
  const invoice = bngSupplierInvoice(78, { vendorId: 14, poId: 302, number: 'INV-5532' });
  await h.post('bng-supplier-invoices-to-m3', invoice, 'bng');
  const invoices = () => rows('supplier_invoice').filter((i) => i.SINO === 'INV-5532');
  await waitFor(() => invoices().length > 0, 'the supplier invoice');
  await expectDrained(h.nats.url);
  expect(invoices()).toEqual([expect.objectContaining({ SUNO: 'V000014' })]);
  expect(rows('supplier_invoice_line').filter((l) => l.INBN === invoices()[0].INBN)).toHaveLength(2);
  expect(rows('supplier').filter((s) => s.SUNO === 'V000014')).toHaveLength(1);
});

it('M3 stock polled per warehouse -> BNG availability, answers lost and late: once per change, a return too', async () => {
  const { m3, bng } = h.systems;
  const path = '/inventory/mug-1/100';
  const stock = () => bng.collections.get('inventory')?.get('mug-1/100');
  const balance = m3.state.tables.balance;
  const change = (fields: Record<string, string>) =>
    balance.set('100/MUG-1/A-01', { ...balance.get('100/MUG-1/A-01')!, ...fields });
  const available = () => puts(path).map((r) => (r.body as { available: number }).available);
  // The first poll of warehouse 100 (MMS060MI/List) sent every balance identity once.
  await waitFor(() => stock()?.available === 116, 'the first poll in BNG');
  await expectDrained(h.nats.url);
  // M3 allocates 6 more of MUG-1; BNG saves the availability but its answer is lost, so the PUT is sent again.
  bng.fail(answerLost(path));
  change({ ALQT: '10' });
  await waitFor(() => available().length === 3, 'the allocation in BNG');
  await expectDrained(h.nats.url);
  // The allocation is released: the balance is back to what an earlier poll saw, and still flows (BNG is late).
  bng.fail(answerLate(path));
  change({ ALQT: '4' });
  await waitFor(() => available().length === 5, 'the release in BNG');
  const polls = transactions(/^MMS060MI\/List$/).length;
  await waitFor(() => transactions(/^MMS060MI\/List$/).length >= polls + 2, 'two more polls without a change');
  await expectDrained(h.nats.url);
  expect(bng.collections.get('inventory')!.get('mug-1/100')).toEqual({
    sku: 'mug-1',
    warehouse: '100',
    on_hand: 120,
    available: 116,
    id: 'mug-1',
  });
  expect(available()).toEqual([116, 110, 110, 116, 116]);
  // One balance read per change (MUG-1 three times, TEE-1 once); repeated PUTs do not read it again.
  expect(transactions(/^MMS200MI\/GetItmWhsBal$/)).toHaveLength(4);
  expect(puts('/inventory/tee-1/100')).toHaveLength(1);
});

it('M3 order status polled -> BNG order, the answers lost and late: each status BNG shows, the latest last', async () => {
  const { m3, bng } = h.systems;
  const [order] = rows('order_head').filter((o) => o.CUOR === '9101');
  const path = '/orders/9101/status';
  const status = () => bng.collections.get('orders')?.get('9101/status');
  /** M3 moves the order on (its lines' lowest and highest status); the next poll of OIS175MI sees it. */
  const moveTo = (ORSL: string, ORST = ORSL) =>
    m3.state.tables.order_head.set(order.ORNO, { ...m3.state.tables.order_head.get(order.ORNO)!, ORSL, ORST });
  // Confirmed (22) since bng-orders-to-m3 entered it: the first poll that saw it reported it.
  await waitFor(() => status()?.status === 'confirmed', 'confirmed in BNG');
  await expectDrained(h.nats.url);
  bng.fail(answerLost(path));
  moveTo('33');
  await waitFor(() => status()?.status === 'allocated' && puts(path).length === 3, 'allocated in BNG');
  await expectDrained(h.nats.url);
  // A status BNG does not show (partly delivered, 55) is not reported.
  const polls = transactions(/^OIS175MI\/LstHeadByCust$/).length;
  moveTo('55');
  await waitFor(() => transactions(/^OIS175MI\/LstHeadByCust$/).length >= polls + 2, 'two polls');
  await expectDrained(h.nats.url);
  bng.fail(answerLate(path));
  moveTo('66', '77');
  await waitFor(() => status()?.status === 'shipped' && puts(path).length === 5, 'shipped in BNG');
  await expectDrained(h.nats.url);
  expect(status()).toEqual({ order_id: '9101', status: 'shipped', erp_order_number: order.ORNO, id: '9101' });
  expect(puts(path).map((r) => (r.body as { status: string }).status)).toEqual([
    'confirmed',
    'allocated',
    'allocated',
    'shipped',
    'shipped',
  ]);
  // The orders no BNG order entered (the seed order, CUOR "SEED") are polled too but never reported.
  expect(bng.requests.filter((r) => r.path === '/orders/SEED/status')).toEqual([]);
});
