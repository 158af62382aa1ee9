/**
 * A real `junction run` process running the BNG -> M3 seed specs is SIGKILLed between StartEntry and FinishEntry of
 * a purchase order's PO batch entry (PPS370MI), while M3 holds its AddLine without answering. PPS370MI cannot read an
 * entry back, so the next process must neither add the line to that entry again nor leave it open: it deletes the
 * entry (DeleteEntry, allowed in status 10), enters the PO afresh and ends with exactly one PO with its lines.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';
import { MI } from './helpers/bng-m3-faults.js';
import { postSigned } from '../helpers/seed-webhooks.js';
import { seedProcesses } from './helpers/junction-process.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

it('a worker killed mid-entry: the next one deletes the open entry and enters the PO once', async () => {
  const { nats, systems, dir, engineUrl, run, ready } = await seedProcesses(['bng-m3'], cleanup, ['--ack-wait', '2s']);
  // The killed process's lease on its AddLine lasts the call's timeout and an ack wait: 7 s with 5 s, not 32 s.
  const m3Connection = join(dir, 'connections', 'm3.yaml');
  writeFileSync(m3Connection, readFileSync(m3Connection, 'utf8').replace(/^timeout: .*$/m, 'timeout: 5s'));
  const { m3 } = systems;
  const transactions = () =>
    m3.requests.map((r) => r.path.slice(MI.length + 1)).filter((t) => t.startsWith('PPS370MI/'));

  const first = run();
  await ready(first, () => `the first engine up (${first.stderr()})`);
  const vendor = {
    id: 15,
    legal_name: 'Kiln Supplies Ltd',
    country: 'GB',
    currency: 'GBP',
    payment_terms_days: 30,
    approved: true,
    updated_at: '2026-12-01T09:00:00Z',
  };
  await postSigned(engineUrl, 'bng-vendors-to-m3', { vendor }, 'bng');
  await waitFor(() => m3.state.tables.supplier.has('V000015'), 'supplier V000015');
  await expectDrained(nats.url);

  // M3 holds the first line without answering; the process dies while it waits.
  m3.fail({ stall: true, pathPrefix: `${MI}/PPS370MI/AddLine`, times: 1 });
  const po = {
    id: 304,
    vendor_id: 15,
    region: 'east',
    status: 'approved',
    currency: 'GBP',
    created_at: '2026-12-02T09:00:00Z',
    due_date: '2026-12-22',
    updated_at: '2026-12-02T09:05:00Z',
    lines: [
      { sku: 'mug-1', quantity: 40, unit_cost: 4.2 },
      { sku: 'cap-1', quantity: 10, unit_cost: 7.5 },
    ],
  };
  await postSigned(engineUrl, 'bng-purchase-orders-to-m3', { po }, 'bng');
  await waitFor(
    () => transactions().includes('PPS370MI/AddLine'),
    () => `the first line sent (${first.stderr()})`,
  );
  const [abandoned] = [...m3.state.tables.po_entry.values()].filter((e) => e.MSGN !== '700000000');
  expect(abandoned).toMatchObject({ STAT: '10' });
  first.child.kill('SIGKILL');
  await first.exit;

  const second = run();
  const pos = () => [...m3.state.tables.purchase_order.values()].filter((p) => p.YRE1 === 'BNG PO 304');
  await waitWhileRunning(
    second.child,
    () => pos().length > 0,
    () => `the purchase order (${second.stderr()})`,
  );
  await expectDrained(nats.url);

  expect(pos()).toEqual([expect.objectContaining({ SUNO: 'V000015', WHLO: '100', PUSL: '20' })]);
  const lines = [...m3.state.tables.purchase_order_line.values()].filter((l) => l.PUNO === pos()[0].PUNO);
  expect(lines.map((l) => [l.PNLI, l.ITNO, l.ORQA])).toEqual([
    ['10', 'MUG-1', '40'],
    ['20', 'CAP-1', '10'],
  ]);
  expect(transactions()).toEqual([
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
  const deleted = m3.requests.find((r) => r.path === `${MI}/PPS370MI/DeleteEntry`);
  expect(deleted?.query).toMatchObject({ MSGN: abandoned.MSGN });
  // The entry the killed worker opened is gone with its head; the one that became the PO is finished.
  expect([...m3.state.tables.po_entry.values()].map((e) => [e.MSGN, e.STAT])).toEqual([
    ['700000000', '10'],
    [expect.not.stringMatching(abandoned.MSGN), '90'],
  ]);
  expect([...m3.state.tables.po_entry_head.values()].filter((h) => h.MSGN === abandoned.MSGN)).toEqual([]);
}, 180_000);
