/**
 * A schedule poll page by page, against the Salesforce emulator (SOQL pages linked by nextRecordsUrl, ordered by
 * SystemModstamp) through the engine and a real nats-server: the position is stored after each page, so a large
 * first sync is never held whole, a page that fails keeps the pages before it, and a round cut by the page limit
 * says so and the next poll goes on at once. A source whose pages are not in cursor order cannot move part-way: at
 * the limit its round fails with what to do, and its position stays.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { expectDrained, failedRounds, waitFor } from './helpers/runtime-harness.js';
import { salesforceConnection, salesforceEnv } from './helpers/vendor-connections.js';
import { countBy, startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
let sf: SalesforceEmulator | undefined;
afterEach(async () => {
  await h?.dispose();
  await sf?.stop();
  h = sf = undefined;
});

/** 13 accounts changed one second apart (10:00:01 … 10:00:13), listed 5 to a page. */
async function accountsInPagesOfFive(): Promise<SalesforceEmulator> {
  const emulator = await startSalesforceEmulator({ queryBatchSize: 5 });
  for (let n = 1; n <= 13; n++) {
    emulator.setClock(`2026-12-01T10:00:${String(n).padStart(2, '0')}Z`);
    emulator.store.insert('Account', { Id: `001PAGE${String(n).padStart(8, '0')}`, Name: `Page ${n}` });
  }
  return emulator;
}

const accountsSpec = (cursor: string, every = '150ms') => ({
  'connections/sf.yaml': salesforceConnection(),
  'accounts.yaml': `apiVersion: junction/v1
kind: Integration
name: sf-accounts
source:
  schedule:
    connection: sf
    operation: sobjects.changes
    params: { sobject: Account, fields: [Name, LastModifiedDate], where: "Name LIKE 'Page%'", since: $cursor }
    every: ${every}
    cursor: ${cursor}
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
});

/** The `since` each poll asked from (each poll's first page; later pages follow nextRecordsUrl). */
const pollsFrom = () =>
  sf!.requests
    .filter((r) => r.path.endsWith('/query'))
    .map((r) => /SystemModstamp >= (\S+)/.exec(String(r.query.q))?.[1]);

async function storedCursor(): Promise<string | undefined> {
  const nc = await connect({ servers: h!.nats.url });
  try {
    const entry = await (await new Kvm(nc).open(BUCKET_NAMES.cursors)).get('sf-accounts');
    return entry ? entry.json<{ cursor?: string }>().cursor : undefined;
  } finally {
    await nc.close();
  }
}

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

it('a page that fails keeps the pages stored before it: the next poll asks from the last record stored', async () => {
  sf = await accountsInPagesOfFive();
  // The first poll's second page (the first nextRecordsUrl) answers 500.
  sf.fail({ status: 500, times: 1, pathPrefix: '/services/data/v60.0/query/' });
  h = await startVendorEngine(accountsSpec('SystemModstamp'), salesforceEnv(sf));
  await waitFor(() => h!.received('accounts').length >= 13, 'all 13 accounts delivered');
  await expectDrained(h.nats.url);
  const counts = countBy(h.received('accounts'), 'id');
  expect(counts.size).toBe(13);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  // The first page's five accounts were stored with their position before the second page failed.
  // Each poll asks from 10 s before (Salesforce's late-commit window; the spec sets no `overlap`).
  expect(pollsFrom().slice(0, 2)).toEqual(['2025-12-31T23:59:50Z', '2026-12-01T09:59:55Z']);
});

it('a poll stops at the page limit, says so, and the next poll goes on at once from where it stopped', async () => {
  sf = await accountsInPagesOfFive();
  const { logger, lines } = capturedLogger();
  // Polled hourly: the rest of the backlog comes only if the next poll does not wait for `every`.
  const spec = accountsSpec('SystemModstamp', '1h');
  h = await startVendorEngine(spec, salesforceEnv(sf), { pollPagesPerRound: 2 }, logger);
  await waitFor(() => h!.received('accounts').length >= 13, 'all 13 accounts delivered');
  await expectDrained(h.nats.url);
  const counts = countBy(h.received('accounts'), 'id');
  expect(counts.size).toBe(13);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  // Two pages (ten accounts), then the next poll from the tenth account's second: it goes on where the first stopped,
  // without reading the late-commit window again (ten accounts, the whole page budget, round after round).
  expect(pollsFrom().slice(0, 2)).toEqual(['2025-12-31T23:59:50Z', '2026-12-01T10:00:10Z']);
  const warning = lines.find((l) => l.msg?.toString().startsWith('poll stopped after 2 pages'));
  expect(warning).toMatchObject({
    level: 40,
    integration: 'sf-accounts',
    pages: 2,
    operation: 'sobjects.changes',
    msg:
      'poll stopped after 2 pages, the most one poll reads: its position is stored up to the last record read and ' +
      'the next poll starts at once from there (nothing is skipped); to read more pages per poll, raise junction ' +
      'run --poll-pages',
  });
});

it('a source whose pages are not in cursor order fails its round at the page limit; its position stays', async () => {
  sf = await accountsInPagesOfFive();
  h = await startVendorEngine(accountsSpec('LastModifiedDate'), salesforceEnv(sf), { pollPagesPerRound: 2 });
  const health = await failedRounds(h.engine, 'sf-accounts', 2);
  expect(health.lastFailure!.message).toBe(
    'sf-accounts: one poll read 2 pages, the most it reads, and sobjects.changes does not list its pages in the ' +
      'order of `cursor` (LastModifiedDate), so the position cannot move part-way: the records read are stored, ' +
      "the position stays, and every poll stops there; narrow the source's params or body so that one poll lists " +
      'fewer pages, or poll by a cursor the operation orders its pages by',
  );
  expect(await storedCursor()).toBeUndefined();
  // What the two pages listed is stored and delivered once; nothing beyond.
  await expectDrained(h.nats.url);
  const counts = countBy(h.received('accounts'), 'id');
  expect(counts.size).toBe(10);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
});
