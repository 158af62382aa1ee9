/**
 * Issue 14, item 2 (review finding #14): `/api/dlq` returned every entry in full on every dashboard poll. It now
 * answers a page of summaries (no event, request or response), newest first, from an in-memory index kept by a KV
 * watch, with a cursor to the next page.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;

beforeAll(async () => {
  const refunds = integrationYaml({
    name: 'refunds',
    steps: `  - id: create
    connection: target
    operation: records.create
    body: '{ "key": "r" & $string(id) }'`,
    owns: '  - { connection: target, object: entry, fields: ["*"] }',
  });
  const orders = integrationYaml({ owns: '  - { connection: target, object: record, fields: ["*"] }' });
  h = await startRuntimeHarness({ integrations: [orders, refunds] });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'no' } } });
  for (let id = 1; id <= 12; id++) await h.post(id % 4 === 0 ? 'refunds' : 'orders', { id, seq: 1, status: 'x' });
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 12, '12 dead letters');
});

afterAll(async () => {
  await h?.dispose();
});

type Page = { entries: Record<string, unknown>[]; next: string | null; total: number };
const list = async (query: string) => (await rawRequest(`${h.engine.operatorUrl}/api/dlq?${query}`)).json as Page;

it('pages through every entry newest first, summaries only', async () => {
  const seen: Record<string, unknown>[] = [];
  let page = await list('limit=5');
  expect(page.total).toBe(12);
  expect(page.entries).toHaveLength(5);
  for (;;) {
    seen.push(...page.entries);
    if (!page.next) break;
    page = await list(`limit=5&cursor=${page.next}`);
  }
  expect(seen).toHaveLength(12);
  const all = await h.engine.deadLetters.list();
  expect(new Set(seen.map((e) => e.id))).toEqual(new Set(all.map((e) => e.id)));
  const created = seen.map((e) => String(e.createdAt));
  expect(created).toEqual([...created].sort().reverse());
  for (const e of seen) {
    expect(Object.keys(e).sort()).toEqual(
      ['attempts', 'createdAt', 'error', 'id', 'integration', 'key', 'reason', 'status', 'step'].sort(),
    );
  }
});

it('filters by integration and status, and refuses a bad cursor or limit', async () => {
  const refunds = await list('integration=refunds&limit=50');
  expect(refunds.total).toBe(3);
  expect(refunds.entries.map((e) => e.key).sort()).toEqual(['12', '4', '8']);
  expect(refunds.next).toBeNull();
  expect((await list('status=replayed')).total).toBe(0);
  for (const bad of ['cursor=nonsense', 'limit=0', 'limit=501', 'status=gone'])
    expect((await rawRequest(`${h.engine.operatorUrl}/api/dlq?${bad}`)).status, bad).toBe(400);
});

it('reflects a discard at once (the index follows the bucket)', async () => {
  const [first] = (await list('limit=1')).entries;
  const res = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${String(first.id)}/discard`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"reason":"test"}',
  });
  expect(res.status).toBe(200);
  const after = await list('limit=50');
  expect(after.total).toBe(11);
  expect(after.entries.map((e) => e.id)).not.toContain(first.id);
});
