/**
 * The plan must show what the runtime does with the same event: the same requests (method, path, body as the target
 * received them), or the same failure with the same code and message. Each case runs the event once as a dry run and
 * once through a real engine (real nats-server, the generic HTTP emulator on loopback as the target).
 */
import { afterEach, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import type { DryRunInput, DryRunResult } from '../../engine/plan/dry-run.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { targetConnectors } from '../runtime/helpers/target-connector.js';
import { startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';

let h: VendorEngine | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const connectors = createConnectorRegistry();

/** An integration on a webhook that writes one record to the target's `/orders`. */
function ordersSpec(body: string, key?: string): string {
  const retry = { maxAttempts: 2, initial: '20ms', max: '50ms' };
  return integrationYaml({ key, post: { path: '/orders', body }, ...retry, schemaDefaults: true });
}

/** The event's plan on the engine's own spec set, with the target's answer recorded as `responses`. */
async function plan(engine: VendorEngine, input: Omit<DryRunInput, 'integration'>): Promise<DryRunResult> {
  return dryRun(await engine.compile({}), connectors, { integration: 'orders', ...input });
}

/** What the target received, as a plan lists its requests. */
function received(engine: VendorEngine) {
  return engine.target.requests.map((r) => ({ method: r.method, path: r.path, body: r.body }));
}

async function post(engine: VendorEngine, event: unknown) {
  const res = await fetch(`${engine.engine.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Sums `lines` by recursion, one level per line (about 3 call sites deep each). */
const RECURSIVE_TOTAL =
  '($sum := function($l, $i){ $i >= $count($l) ? 0 : $l[$i].qty + $sum($l, $i + 1) }; ' +
  '{ "id": $string(id), "qty": $sum(lines, 0) })';

it('plans a transform that recurses deeper than the runtime allows as the same dead letter, not as a write', async () => {
  h = await startVendorEngine({ 'orders.yaml': ordersSpec(RECURSIVE_TOTAL) }, {});
  const small = { id: 1, lines: Array.from({ length: 10 }, () => ({ qty: 1 })) };
  const large = { id: 2, lines: Array.from({ length: 200 }, () => ({ qty: 1 })) };

  // The small order: planned and written alike.
  const smallPlan = await plan(h, { event: small, responses: { write: { status: 201, body: { id: '1' } } } });
  expect((await post(h, small)).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 1, 'the small order written');
  expect(smallPlan.outcome).toBe('delivered');
  expect(received(h)).toEqual([{ method: 'POST', path: '/orders', body: { id: '1', qty: 10 } }]);
  expect(smallPlan.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual(received(h));

  // The large one: the runtime's guard stops the recursion, and the event is dead-lettered unsent.
  const largePlan = await plan(h, { event: large, responses: { write: { status: 201, body: { id: '2' } } } });
  expect((await post(h, large)).status).toBe(202);
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'the large order dead-lettered');
  const [dead] = await h.engine.deadLetters.list();
  expect(dead).toMatchObject({ integration: 'orders', step: 'write', reason: 'permanent' });
  // The depth guard stops it; on a machine loaded enough to stall the process for a second, the evaluation's
  // wall-clock guard may come first (either is the same dead letter, `transform-guard`).
  const GUARD = /^JSONata U1001: (Stack overflow error|Expression evaluation timeout)/;
  expect(dead.error.code).toBe('transform-guard');
  expect(dead.error.message).toMatch(GUARD);
  expect(received(h)).toHaveLength(1);

  expect(largePlan.requests).toEqual([]);
  expect(largePlan.outcome).toBe('failed');
  expect(largePlan.failure).toMatchObject({ step: 'write', code: dead.error.code, action: 'dead_letter' });
  expect(largePlan.failure?.message).toMatch(GUARD);
});

it('plans a webhook event whose key gives nothing as refused at ingest, which writes nothing', async () => {
  h = await startVendorEngine({ 'orders.yaml': ordersSpec('{ "id": $string(id), "qty": qty }', 'order_no') }, {});
  const event = { id: 3, qty: 2 };
  const planned = await plan(h, { event, responses: { write: { status: 201, body: { id: '3' } } } });
  const refused = await post(h, event);
  expect(refused).toEqual({
    status: 400,
    body: {
      error: 'unidentifiable-event',
      message: 'the key expression `order_no` gave no scalar value for this event',
    },
  });
  expect(received(h)).toEqual([]);

  expect(planned.requests).toEqual([]);
  expect(planned.outcome).toBe('failed');
  expect(planned.failure).toEqual({
    code: refused.body.error,
    message: `${refused.body.message as string} (ingest answers 400 unidentifiable-event: nothing is stored or written)`,
    action: 'dead_letter',
  });
});

it('plans a polled record whose key gives nothing as the dead letter the source writes for it', async () => {
  const polled = integrationYaml({
    name: 'poll',
    source:
      '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, ' +
      'records: items, cursor: updated, initial_cursor: "0" } }',
    body: '{ "key": $string(id), "seq": seq }',
  });
  const runtime = await startRuntimeHarness({ integrations: [polled] });
  try {
    // `key: $string(id)`: a record without an id has no key.
    const record = { updated: 1, seq: 1 };
    const planned = await dryRun(runtime.specSet, targetConnectors(), {
      integration: 'poll',
      event: record,
      responses: { write: { status: 200, body: {} } },
    });
    runtime.target.source = [{ cursor: 1, record }];
    await waitFor(
      async () => (await runtime.engine.deadLetters.list()).length === 1,
      'the keyless record dead-lettered',
    );
    const [dead] = await runtime.engine.deadLetters.list();
    expect(dead).toMatchObject({ integration: 'poll', reason: 'permanent', event: record });
    expect(dead.error).toEqual({
      code: 'no-key',
      message:
        'the key expression `$string(id)` gave no scalar value for this event: the record was not stored as an ' +
        'event; fix the key expression (or the record) and replay it',
    });
    expect(runtime.target.records.size).toBe(0);

    expect(planned.requests).toEqual([]);
    expect(planned.failure).toEqual({ ...dead.error, action: 'dead_letter' });
  } finally {
    await runtime.dispose();
  }
});

/** Writes each order line's stock to `/stock/<sku>` (one record per SKU); nothing writes back to where it reads. */
const STOCK_SPEC = `apiVersion: junction/v1
kind: Integration
name: orders
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: stock
    connection: target
    operation: put
    params: { path: "/stock/{sku}", object: stock, id_field: sku }
    for_each: lines
    body: '{ "sku": sku, "qty": qty }'
owns: [{ connection: target, object: stock, fields: ["*"] }]
`;

it('plans every write of an integration without echo state, also one equal to the last, as the runtime sends it', async () => {
  h = await startVendorEngine({ 'orders.yaml': STOCK_SPEC }, {});
  // The same SKU on two lines with the same quantity: two equal writes to one record in one event.
  const event = {
    id: 4,
    lines: [
      { sku: 'MUG', qty: 5 },
      { sku: 'MUG', qty: 5 },
    ],
  };
  const ok = { status: 200, body: { sku: 'MUG', qty: 5 } };
  const planned = await plan(h, { event, responses: { stock: [ok, ok] } });
  expect((await post(h, event)).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 2, 'both lines written');
  const sent = { method: 'PUT', path: '/stock/MUG', body: { sku: 'MUG', qty: 5 } };
  expect(received(h)).toEqual([sent, sent]);
  expect(planned.outcome).toBe('delivered');
  expect(planned.unchanged).toEqual([]);
  expect(planned.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual(received(h));

  // The same event again: the runtime sends both writes again, so a case that seeds the last write as `echo` (to
  // plan it as suppressed) describes a world this integration never sees, and says so instead of planning no write.
  const again = { ...event, id: 5 };
  expect((await post(h, again)).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 4, 'the second order written too');
  expect(received(h)).toEqual([sent, sent, sent, sent]);
  const seeded = await plan(h, {
    event: again,
    echo: { 'target/stock/MUG': sent.body },
    responses: { stock: [ok, ok] },
  });
  expect(seeded.requests).toEqual([]);
  expect(seeded.failure).toEqual({
    code: 'case-error',
    message:
      'the case seeds `echo`, but orders keeps no echo state: no integration of the spec set writes to where its ' +
      'events come from while being fed by what it writes, so the runtime sends every write, also one equal to the ' +
      'last (docs/runtime.md, "Echo suppression"); remove `echo` from the case',
    action: 'dead_letter',
  });
});

it('plans a webhook body that ingest refuses (nested too deep, not an object) as that refusal, which writes nothing', async () => {
  h = await startVendorEngine({ 'orders.yaml': ordersSpec('{ "id": $string(id), "qty": qty }') }, {});
  // 70 levels under an order that is otherwise fine: ingest refuses anything deeper than 64.
  let deep: unknown = { end: true };
  for (let i = 0; i < 70; i++) deep = { inner: deep };
  const responses = { write: { status: 201, body: { id: '6' } } };
  for (const event of [{ id: 6, qty: 1, notes: deep }, 'order 7']) {
    const planned = await plan(h, { event, responses });
    const refused = await post(h, event);
    expect(refused.status).toBe(400);
    expect(planned.requests).toEqual([]);
    expect(planned.outcome).toBe('failed');
    expect(planned.failure).toEqual({
      code: refused.body.error,
      message: `${refused.body.message as string} (ingest answers 400 ${refused.body.error as string}: nothing is stored or written)`,
      action: 'dead_letter',
    });
  }
  expect(received(h)).toEqual([]);
  expect((await plan(h, { event: { id: 6, qty: 1, notes: deep }, responses })).failure?.message).toBe(
    'body is nested deeper than 64 levels (ingest answers 400 too-deep: nothing is stored or written)',
  );
});
