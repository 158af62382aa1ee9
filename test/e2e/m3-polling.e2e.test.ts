/**
 * M3 -> BNG polling through the engine (real nats-server, the M3 emulator, BNG as the generic emulator, the seed
 * specs, polls every second). M3 lists are not paged (`maxrecs` 0 returns all), so the boundary that matters is the
 * poll's: 150 items sharing one change date over two polls, and 150 balance identities of one warehouse, each reach
 * BNG once; a change committed while a poll is being answered (after M3 read its table) reaches BNG on the next poll.
 * A record changed back to what it was before reaches BNG too: an item the same day (its change date the same), and
 * a customer (whose list returns no change stamp at all) after later changes moved the poll past its earlier ones.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import type { Row } from '../../connectors/infor_m3/emulator/state.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { bngM3Views } from './helpers/bng-m3-faults.js';
import { commitDuringNextRead } from './helpers/m3-table-reads.js';
import { sharedSeedEngine } from './helpers/shared-seed-engine.js';

const h = sharedSeedEngine(['bng-m3'], {
  fastTimeouts: true,
  fastPolls: true,
  // M3's API allocation is a deployment setting; these tests are about the polls' boundaries, not its pacing.
  edit: {
    'connections/m3.yaml': (yaml) => yaml.replace(/^rate_limit: .*$/m, 'rate_limit: { requests_per_second: 2000 }'),
    // The minute re-read for the clock difference with M3, as a second: what a day of later changes does to the
    // customer poll's position takes seconds here.
    'm3-customers-to-bng.yaml': (yaml) => yaml.replace(/^( {4}overlap:) 60s$/m, '$1 1s'),
  },
});
const { transactions, puts } = bngM3Views(h);

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, '');
const sku = (prefix: string, i: number) => `${prefix}-${String(i).padStart(3, '0')}`;
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const item = (itno: string, changed?: string): Row => ({
  ITNO: itno,
  ITDS: `Item ${itno}`,
  STAT: '20',
  ITTY: 'FG',
  UNMS: 'EA',
  RESP: 'M3SRVADM',
  ...(changed ? { LMDT: changed } : {}),
});

it('150 M3 items changed on one day over two polls, one changed during a poll: each change in BNG once', async () => {
  const { m3, bng } = h.systems;
  const items = m3.state.tables.item;
  const erp = (i: number) => bng.collections.get('products')?.get(`${sku('pan', i).toLowerCase()}/erp`);
  const sent = () => range(0, 150).map((i) => puts(`/products/${sku('pan', i).toLowerCase()}/erp`).length);
  for (const i of range(0, 75)) items.set(sku('PAN', i), item(sku('PAN', i), today()));
  await waitFor(() => range(0, 75).every((i) => erp(i) !== undefined), 'the first 75 items in BNG');
  // The next 75 share the change date of the first: the next poll reads all 150 and stores only the new ones.
  const polls = transactions(/^MMS200MI\/LstItmByChgDate$/).length;
  for (const i of range(75, 150)) items.set(sku('PAN', i), item(sku('PAN', i), today()));
  await waitFor(() => range(75, 150).every((i) => erp(i) !== undefined), 'the next 75 items in BNG');
  // PAN-007 is blocked while M3 answers a poll from what it had read: that poll sends it as it was.
  await expectDrained(h.nats.url);
  commitDuringNextRead(items, () => items.set('PAN-007', { ...items.get('PAN-007')!, STAT: '90' }));
  await waitFor(() => erp(7)?.m3_status === '90', 'the blocked item in BNG on the next poll');
  const after = transactions(/^MMS200MI\/LstItmByChgDate$/).length;
  await waitFor(() => transactions(/^MMS200MI\/LstItmByChgDate$/).length >= after + 2, 'two more polls');
  await expectDrained(h.nats.url);
  expect(transactions(/^MMS200MI\/LstItmByChgDate$/).length - polls).toBeGreaterThanOrEqual(4);
  expect(sent()).toEqual(range(0, 150).map((i) => (i === 7 ? 2 : 1)));
  expect(erp(7)).toEqual(expect.objectContaining({ m3_item_number: 'PAN-007', m3_status: '90', unit: 'EA' }));
});

it('150 balance identities of the polled warehouse, one changed during a poll: each change in BNG once', async () => {
  const { m3, bng } = h.systems;
  const { balance, item: items } = m3.state.tables;
  const stock = (i: number) => bng.collections.get('inventory')?.get(`${sku('pot', i)}/100`);
  const sent = () => range(0, 150).map((i) => puts(`/inventory/${sku('pot', i)}/100`).length);
  // Items without a change date are not in the item poll; only their stock is.
  for (const i of range(0, 150)) {
    items.set(sku('POT', i), item(sku('POT', i)));
    balance.set(`100/${sku('POT', i)}/C-01`, { WHLO: '100', ITNO: sku('POT', i), WHSL: 'C-01', STQT: '10', ALQT: '0' });
  }
  // 150 deliveries through polls and the broker: 5.5 s at a load of 19, past waitFor's 20 s at 25 (a CI run beside
  // eight other test runs). The wait is for the outcome; its bound only ends a stuck run.
  await waitFor(() => range(0, 150).every((i) => stock(i) !== undefined), 'the 150 balances in BNG', 50_000);
  await expectDrained(h.nats.url);
  // POT-042 receives 5 while M3 answers a poll from what it had read.
  const key = `100/POT-042/C-01`;
  commitDuringNextRead(balance, () => balance.set(key, { ...balance.get(key)!, STQT: '15' }));
  await waitFor(() => stock(42)?.on_hand === 15, 'the receipt in BNG on the next poll');
  const polls = transactions(/^MMS060MI\/List$/).length;
  await waitFor(() => transactions(/^MMS060MI\/List$/).length >= polls + 2, 'two more polls');
  await expectDrained(h.nats.url);
  expect(sent()).toEqual(range(0, 150).map((i) => (i === 42 ? 2 : 1)));
  expect(stock(42)).toEqual({ sku: 'pot-042', warehouse: '100', on_hand: 15, available: 15, id: 'pot-042' });
  expect(stock(0)).toEqual({ sku: 'pot-000', warehouse: '100', on_hand: 10, available: 10, id: 'pot-000' });
});

it('a stock level going back and forth reaches BNG each time', async () => {
  const { m3, bng } = h.systems;
  const key = '100/SWING-1/C-01';
  const stock = () => bng.collections.get('inventory')?.get('swing-1/100');
  const onHand = (STQT: string) =>
    m3.state.tables.balance.set(key, { WHLO: '100', ITNO: 'SWING-1', WHSL: 'C-01', STQT, ALQT: '0' });
  m3.state.tables.item.set('SWING-1', item('SWING-1'));
  for (const level of ['10', '15', '10', '15']) {
    onHand(level);
    await waitFor(() => stock()?.on_hand === Number(level), `${level} on hand in BNG`);
  }
  await expectDrained(h.nats.url);
  expect(puts('/inventory/swing-1/100').map((p) => (p.body as Row).on_hand)).toEqual([10, 15, 10, 15]);
});

it('an M3 item changed back and forth the same day reaches BNG each time', async () => {
  const { m3, bng } = h.systems;
  const erp = () => bng.collections.get('products')?.get('ret-001/erp');
  const status = (STAT: string) => m3.state.tables.item.set('RET-001', { ...item('RET-001', today()), STAT });
  status('20');
  await waitFor(() => erp()?.m3_status === '20', 'the item in BNG');
  status('90');
  await waitFor(() => erp()?.m3_status === '90', 'blocked in BNG');
  // The same content as the first, on the same change date: a change all the same; and so is blocking it again.
  status('20');
  await waitFor(() => erp()?.m3_status === '20', 'released again in BNG');
  status('90');
  await waitFor(() => erp()?.m3_status === '90', 'blocked again in BNG');
  await expectDrained(h.nats.url);
  expect(puts('/products/ret-001/erp').map((p) => (p.body as Row).m3_status)).toEqual(['20', '90', '20', '90']);
});

it('an M3 customer changed back to what it was reaches BNG after other changes moved the poll past it', async () => {
  const { m3, bng } = h.systems;
  const customers = m3.state.tables.customer;
  const status = (cuno: string, STAT: string) =>
    customers.set(cuno, {
      ...customers.get('10042')!,
      CUNO: cuno,
      CUNM: `Customer ${cuno}`,
      STAT,
      LMTS: `${Date.now()}`,
    });
  const erp = (cuno: string) => bng.collections.get('customers')?.get(`m3-${cuno}/erp`);
  status('10071', '20');
  await waitFor(() => erp('10071')?.m3_status === '20', 'the customer in BNG');
  status('10071', '90');
  await waitFor(() => erp('10071')?.m3_status === '90', 'blocked in BNG');
  // Another customer's changes move the poll on until its position keeps nothing of 10071 (a day later, say).
  const nc = await connect({ servers: h.nats.url });
  const cursors = await new Kvm(nc).open(BUCKET_NAMES.cursors);
  await waitFor(async () => {
    status('10072', '20');
    const position = (await cursors.get('m3-customers-to-bng'))?.json<{ seen: unknown[] }>();
    return position?.seen.length === 1 && erp('10072') !== undefined;
  }, "the poll's position past customer 10071");
  await nc.close();
  // Released: the same content as when it was first sent, and no change stamp in the list to tell them apart.
  status('10071', '20');
  await waitFor(() => erp('10071')?.m3_status === '20', 'released again in BNG');
  await expectDrained(h.nats.url);
  expect(puts('/customers/m3-10071/erp').map((p) => (p.body as Row).m3_status)).toEqual(['20', '90', '20']);
});
