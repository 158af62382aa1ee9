/**
 * M3 -> BNG polling through the engine (real nats-server, the M3 emulator, BNG as the generic emulator, the seed
 * specs, polls every second). M3 lists are not paged (`maxrecs` 0 returns all), so the boundary that matters is the
 * poll's: 150 items sharing one change date over two polls, and 150 balance identities of one warehouse, each reach
 * BNG once; a change committed while a poll is being answered (after M3 read its table) reaches BNG on the next poll.
 */
import { expect, it } from 'vitest';
import type { Row } from '../../connectors/infor_m3/emulator/state.js';
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
  await waitFor(() => range(0, 150).every((i) => stock(i) !== undefined), 'the 150 balances in BNG');
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
