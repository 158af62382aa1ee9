/**
 * M3 order statuses polled by a real `junction run` process (real nats-server, the M3 emulator, BNG as the generic
 * emulator, the bng-m3 seed specs, the order-status poll every second). OIS175MI/LstHeadByCust has no change stamp,
 * so all 150 orders move in one instant and the poll tells the changes apart by content alone. The process is
 * SIGKILLed twice: while M3 holds a poll's answer, and while BNG holds one order's PUT after the poll's events were
 * stored. The next process loses no status and sends no status twice (but the PUT it never saw answered); a change
 * committed while M3 answers a poll reaches BNG on the next poll, and an order polled before its BNG link was stored
 * is reported once the link is there.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { XrefStore } from '../../engine/runtime/stores/xref-store.js';
import { expectDrained, waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';
import { MI } from './helpers/bng-m3-faults.js';
import { seedProcesses } from './helpers/junction-process.js';
import type { JunctionProcess } from './helpers/junction-process.js';
import { commitDuringNextRead } from './helpers/m3-table-reads.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const ORDERS = Array.from({ length: 150 }, (_, i) => ({ id: String(9500 + i), orno: String(2000000 + i) }));
const POLL = `${MI}/OIS175MI/LstHeadByCust`;

it('150 orders moving at one instant, killed mid-poll and mid-delivery: each status in BNG once', async () => {
  // The killed process's source lease would hold the next one back for its TTL: keep it short.
  const args = ['--ack-wait', '2s', '--source-lease', '1s'];
  const { nats, systems, dir, run, ready } = await seedProcesses(['bng-m3'], cleanup, args);
  const spec = join(dir, 'm3-order-status-to-bng.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace(/^( {4}every:) .*$/m, '$1 1s'));
  const { m3, bng } = systems;
  const heads = m3.state.tables.order_head;
  const status = (id: string) => bng.collections.get('orders')?.get(`${id}/status`)?.status;
  const all = (wanted: string) => ORDERS.every((o) => status(o.id) === wanted);
  const moveAll = (ORSL: string) => {
    for (const { orno } of ORDERS) heads.set(orno, { ...heads.get(orno)!, ORSL, ORST: ORSL });
  };
  const polls = () => m3.requests.filter((r) => r.path === POLL).length;
  /** SIGKILLs `killed`, starts the next process and waits until BNG shows every order `wanted`. */
  const restart = async (killed: JunctionProcess, wanted: string) => {
    killed.child.kill('SIGKILL');
    await killed.exit;
    const next = run();
    await waitWhileRunning(
      next.child,
      () => all(wanted),
      () => `150 orders ${wanted} in BNG (${next.stderr()})`,
    );
    await expectDrained(nats.url);
    return next;
  };

  const first = run();
  await ready(first, () => `the first engine up (${first.stderr()})`);
  // The 150 orders M3 holds, all confirmed, and the links bng-orders-to-m3 stores when it enters a BNG order; the
  // last order's link is stored only after two polls have seen the order (its Confirm answer lost and looked up).
  for (const [i, { id, orno }] of ORDERS.entries())
    heads.set(orno, {
      CUNO: `B${String(700 + i).padStart(8, '0')}`,
      ORTP: 'A01',
      ORNO: orno,
      CUOR: id,
      ORSL: '22',
      ORST: '22',
      STAT: '22',
    });
  const nc = await connect({ servers: nats.url });
  const links = new XrefStore(await new Kvm(nc).open('junction_xref'));
  const link = (orders: typeof ORDERS) =>
    links.write(orders.map((o) => ({ map: 'order', sourceId: o.id, targetId: o.orno })));
  await link(ORDERS.slice(0, -1));
  await waitFor(() => ORDERS.slice(0, -1).every((o) => status(o.id) === 'confirmed'), '149 orders confirmed');
  const seen = polls();
  await waitFor(() => polls() >= seen + 2, 'two polls of the unlinked order');
  await expectDrained(nats.url);
  expect(status(ORDERS[149].id)).toBeUndefined();
  await link(ORDERS.slice(-1));
  await nc.close();
  await waitFor(
    () => all('confirmed'),
    () => `150 orders confirmed in BNG (${first.stderr()})`,
    60_000,
  );
  await expectDrained(nats.url);

  // 1. M3 holds the next poll's answer; the orders are allocated meanwhile and the process dies waiting.
  m3.fail({ stall: true, pathPrefix: POLL, times: 1 });
  const before = polls();
  await waitFor(() => polls() > before, 'the held poll');
  moveAll('33');
  const second = await restart(first, 'allocated');

  // 2. BNG holds the PUT of one order's picking; the poll's events are stored and the others delivered.
  const held = `/orders/${ORDERS[0].id}/status`;
  bng.fail({ stall: true, pathPrefix: held, times: 1 });
  moveAll('44');
  await waitFor(
    () => bng.requests.some((r) => r.path === held && (r.body as { status: string }).status === 'picking'),
    'the held PUT',
  );
  await waitFor(() => ORDERS.filter((o) => status(o.id) === 'picking').length >= 100, 'most orders picking');
  await restart(second, 'picking');

  // 3. One order ships while M3 answers a poll from what it had read: the next poll sends it.
  commitDuringNextRead(heads, () =>
    heads.set(ORDERS[7].orno, { ...heads.get(ORDERS[7].orno)!, ORSL: '66', ORST: '66' }),
  );
  await waitFor(() => status(ORDERS[7].id) === 'shipped', 'the shipped order in BNG on the next poll');
  const after = polls();
  await waitFor(() => polls() >= after + 2, 'two more polls');
  await expectDrained(nats.url);

  const sent = (id: string) =>
    bng.requests
      .filter((r) => r.method === 'PUT' && r.path === `/orders/${id}/status`)
      .map((r) => (r.body as { status: string }).status);
  const once = (statuses: string[]) => statuses.filter((s, i) => s !== statuses[i - 1]);
  // Each status once per order: the kill during the held poll costs no PUT at all; the kill during delivery repeats
  // the held PUT (never answered) and any PUT BNG took but the killed process had not seen answered (same body).
  expect(sent(ORDERS[0].id)).toEqual(['confirmed', 'allocated', 'picking', 'picking']);
  expect(once(sent(ORDERS[7].id))).toEqual(['confirmed', 'allocated', 'picking', 'shipped']);
  const others = ORDERS.filter((_, i) => i !== 0 && i !== 7).map((o) => once(sent(o.id)));
  expect(others).toEqual(others.map(() => ['confirmed', 'allocated', 'picking']));
  const count = (wanted: string) => ORDERS.map((o) => sent(o.id).filter((s) => s === wanted).length);
  expect(count('confirmed')).toEqual(ORDERS.map(() => 1));
  expect(count('allocated')).toEqual(ORDERS.map(() => 1));
  const repeated = count('picking').reduce((a, b) => a + b, 0) - ORDERS.length;
  process.stdout.write(`m3-order-status-poll: ${repeated} picking PUTs repeated after the second kill\n`);
  expect(bng.collections.get('orders')?.get(`${ORDERS[7].id}/status`)).toEqual({
    order_id: ORDERS[7].id,
    status: 'shipped',
    erp_order_number: ORDERS[7].orno,
    id: ORDERS[7].id,
  });
}, 300_000);
