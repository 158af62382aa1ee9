/**
 * Schedule polling against the vendor emulators, through the engine and a real nats-server: records that share
 * one change timestamp across a page boundary all arrive exactly once, and a record committed in that same second
 * while the poll is paging is picked up by the next poll (the bound is inclusive; stored records are skipped).
 */
import { afterEach, expect, it } from 'vitest';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { expectDrained, waitFor } from './helpers/runtime-harness.js';
import { MAGENTO_CONNECTION, magentoEnv, salesforceConnection, salesforceEnv } from './helpers/vendor-connections.js';
import { countBy, startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
let vendor: SalesforceEmulator | MagentoEmulator | undefined;
afterEach(async () => {
  await h?.dispose();
  await vendor?.stop();
  h = vendor = undefined;
});

/** Makes `read()` commit `late` right after its first call: a write landing while the poll pages. */
function commitDuringFirstRead<T extends object, K extends keyof T>(owner: T, read: K, commit: () => void): void {
  const original = (owner[read] as (...args: unknown[]) => Iterable<unknown>).bind(owner);
  let done = false;
  owner[read] = ((...args: unknown[]) => {
    const snapshot = [...original(...args)];
    if (!done) {
      done = true;
      commit();
    }
    return read === 'values' ? snapshot.values() : snapshot;
  }) as T[K];
}

async function eventsIn(name: string): Promise<number> {
  const text = await h!.engine.metrics.getSingleMetricAsString('junction_events_in_total');
  const line = text.split('\n').find((l) => l.includes(`integration="${name}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

it('Salesforce: 150 accounts with one SystemModstamp across a page boundary, and one committed mid-poll', async () => {
  const sf = (vendor = await startSalesforceEmulator({ queryBatchSize: 100 }));
  sf.setClock('2026-12-01T10:00:00Z');
  const account = (Id: string, Name: string) => sf.store.insert('Account', { Id, Name });
  for (let n = 1; n <= 150; n++) account(`001POLL${String(n).padStart(8, '0')}`, `Poll ${n}`);
  commitDuringFirstRead(sf.store, 'rows', () => account('001POLL00000999', 'Poll late'));
  h = await startVendorEngine(
    {
      'connections/sf.yaml': salesforceConnection(),
      'accounts.yaml': `apiVersion: junction/v1
kind: Integration
name: sf-accounts
source:
  schedule:
    connection: sf
    operation: sobjects.changes
    params: { sobject: Account, fields: [Name], where: "Name LIKE 'Poll%'", since: $cursor }
    every: 150ms
    cursor: SystemModstamp
    initial_cursor: "2026-01-01T00:00:00Z"
key: Id
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /accounts }
    body: '{ "id": Id, "name": Name }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`,
    },
    salesforceEnv(sf),
  );
  await waitFor(() => h!.received('accounts').length >= 151, 'all 151 accounts delivered');
  const polls = () => sf.requests.filter((r) => r.path.endsWith('/query')).length;
  const after = polls();
  await waitFor(() => polls() >= after + 3, 'three more polls');
  await expectDrained(h.nats.url);

  const counts = countBy(h.received('accounts'), 'id');
  expect(counts.size).toBe(151);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(counts.get(String(sf.store.get('Account', '001POLL00000999')!.Id))).toBe(1);
  expect(await eventsIn('sf-accounts')).toBe(151);
  const first = sf.requests.find((r) => r.path.endsWith('/query'))!;
  expect(first.query.q).toBe(
    "SELECT Id, SystemModstamp, Name FROM Account WHERE SystemModstamp >= 2025-12-31T23:59:50Z AND (Name LIKE 'Poll%') ORDER BY SystemModstamp ASC, Id ASC",
  );
  // The page boundary was crossed through nextRecordsUrl, and later polls ask from the stored second, inclusively.
  expect(sf.requests.some((r) => /\/query\/01g[0-9a-f]+-100$/.test(r.path))).toBe(true);
  const last = sf.requests.filter((r) => r.path.endsWith('/query')).at(-1)!;
  // 10 s before it: SystemModstamp is stamped when the record is written, and its transaction may commit later.
  expect(last.query.q).toContain('WHERE SystemModstamp >= 2026-12-01T09:59:50Z');
});

it('Magento: 150 orders with one updated_at across a page boundary, and one committed mid-poll', async () => {
  const magento = (vendor = await startMagentoEmulator());
  const stamp = '2026-12-01 10:00:00';
  const order = (id: number) => ({ entity_id: id, increment_id: `0000${id}`, status: 'processing', updated_at: stamp });
  for (let id = 2001; id <= 2150; id++) magento.state.orders.set(id, order(id));
  commitDuringFirstRead(magento.state.orders, 'values', () => magento.state.orders.set(1500, order(1500)));
  h = await startVendorEngine(
    {
      'connections/magento.yaml': MAGENTO_CONNECTION,
      'orders.yaml': `apiVersion: junction/v1
kind: Integration
name: magento-orders
source:
  schedule:
    connection: magento
    operation: orders.changes
    params: { since: $cursor, page_size: 100 }
    every: 150ms
    cursor: updated_at
    initial_cursor: "2026-11-30 00:00:00"
key: $string(entity_id)
when: entity_id >= 1500
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /orders }
    body: '{ "id": $string(entity_id), "increment_id": increment_id }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`,
    },
    magentoEnv(magento),
  );
  await waitFor(() => h!.received('orders').length >= 151, 'all 151 orders delivered');
  const polls = () => magento.requests.filter((r) => r.path.endsWith('/V1/orders')).length;
  const after = polls();
  await waitFor(() => polls() >= after + 3, 'three more polls');
  await expectDrained(h.nats.url);

  const counts = countBy(h.received('orders'), 'id');
  expect(counts.size).toBe(151);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(counts.get('1500')).toBe(1);
  // Page two asked for what sorts after the last order of page one, never for a page number past the first.
  const pageTwo = magento.requests.filter((r) => r.path.endsWith('/V1/orders'))[1];
  expect(pageTwo.query).toMatchObject({
    'searchCriteria[filter_groups][0][filters][0][field]': 'updated_at',
    'searchCriteria[filter_groups][0][filters][0][value]': stamp,
    'searchCriteria[filter_groups][0][filters][0][condition_type]': 'gteq',
    'searchCriteria[filter_groups][1][filters][0][condition_type]': 'gt',
    'searchCriteria[filter_groups][1][filters][1][field]': 'entity_id',
    'searchCriteria[filter_groups][1][filters][1][value]': '2100',
    'searchCriteria[pageSize]': '100',
    'searchCriteria[currentPage]': '1',
  });
  expect(magento.requests.every((r) => r.query['searchCriteria[currentPage]'] !== '2')).toBe(true);
});

it('Magento: an order stamped before one already polled and committed after the poll is read by the next poll', async () => {
  // MySQL stamps updated_at when the statement runs (CURRENT_TIMESTAMP), and the order placement commits later: a
  // poll can read a later order first. Without `overlap` in the spec, the source re-reads Magento's 10 s window.
  const magento = (vendor = await startMagentoEmulator());
  const order = (id: number, updated_at: string) => ({ entity_id: id, increment_id: `0000${id}`, updated_at });
  magento.state.orders.set(3001, order(3001, '2026-12-01 10:00:05'));
  h = await startVendorEngine(
    {
      'connections/magento.yaml': MAGENTO_CONNECTION,
      'orders.yaml': `apiVersion: junction/v1
kind: Integration
name: magento-orders
source:
  schedule:
    connection: magento
    operation: orders.changes
    params: { since: $cursor }
    every: 150ms
    cursor: updated_at
    initial_cursor: "2026-12-01 00:00:00"
key: $string(entity_id)
when: entity_id >= 3000
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /orders }
    body: '{ "id": $string(entity_id) }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`,
    },
    magentoEnv(magento),
  );
  await waitFor(() => h!.received('orders').length === 1, 'the order committed first delivered');
  const since = () =>
    magento.requests
      .filter((r) => r.path.endsWith('/V1/orders'))
      .map((r) => r.query['searchCriteria[filter_groups][0][filters][0][value]']);
  const polled = since().length;
  await waitFor(() => since().length >= polled + 2, 'two polls after it: the cursor stored');
  // Committed now, stamped 3 s before the order already polled.
  magento.state.orders.set(3000, order(3000, '2026-12-01 10:00:02'));
  await waitFor(() => h!.received('orders').length === 2, 'the late commit delivered');
  const polls = since().length;
  await waitFor(() => since().length >= polls + 3, 'three more polls');
  await expectDrained(h.nats.url);
  expect(h.received('orders').map((o) => o.id)).toEqual(['3001', '3000']);
  expect(since()[0]).toBe('2026-11-30 23:59:50');
  expect(since().at(-1)).toBe('2026-12-01 09:59:55');
});
