/**
 * Per-record order across a hot-loaded change of an integration's `key`: events stored or parked under the old key
 * and the same record's newer events, stored under the new key, reach the target in ingest order (the newer one waits
 * behind the old key's partition and parked lane), other integrations flow on meanwhile, `junction status` shows the
 * drain, and it ends once nothing is left under the old key (docs/runtime.md, "Changing an integration's key").
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { partitionOf } from '../../engine/runtime/broker/subjects.js';
import type { EngineStatus } from '../../engine/runtime/observe/engine-status.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const OLD_KEY = 'key: $string(id)';
/** The same record under a new key expression (as a merge that keys orders by their number would). */
const NEW_KEY = 'key: \'"order-" & $string(id)\'';

const orders = (key: string) =>
  integrationYaml({
    maxAttempts: 100,
    initial: '50ms',
    max: '200ms',
    owns: '  - { connection: target, object: record, fields: ["*"] }',
  }).replace(OLD_KEY, key);
/** Another integration of the same engine, writing entries keyed `r<id>`. */
const refunds = integrationYaml({
  name: 'refunds',
  steps: `  - id: create\n    connection: target\n    operation: records.create\n    body: '{ "key": "r" & $string(id) }'`,
  owns: '  - { connection: target, object: entry, fields: ["*"] }',
});

async function keyChanges(name: string) {
  const status = (await (await fetch(`${h!.engine.operatorUrl}/api/status`)).json()) as EngineStatus;
  return status.integrations.find((i) => i.name === name)?.keyChanges;
}

it("an event parked under the old key is delivered before the same record's newer event under the new key", async () => {
  h = await startRuntimeHarness({ integrations: [orders(OLD_KEY)] });
  await h.engine.applySpecSet({ ...h.specSet, commit: 'c1' });
  let down = true;
  h.target.fault = (r) => (down && r.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.length >= 2, 'the first event retried while its key is parked');

  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders(NEW_KEY)], { commit: 'c2' }));
  await h.post('orders', { id: 1, seq: 2, status: 'paid' });
  const sent = h.target.requests.length;
  await waitFor(() => h!.target.requests.length >= sent + 2, 'the parked event retried twice more');
  // The newer event waits behind the record's lane under the old key (without the drain it was delivered at once).
  expect(h.target.requests.map((r) => r.body?.seq)).not.toContain(2);
  const lane = { partitionsLeft: 0, parkedKeysLeft: 1, held: 0 };
  await waitFor(async () => (await keyChanges('orders'))?.[0]?.parkedKeysLeft === 1, 'the parked lane counted');
  expect(await keyChanges('orders')).toEqual([
    {
      from: 'c1',
      to: 'c2',
      oldKey: '$string(id)',
      newKey: '"order-" & $string(id)',
      since: expect.any(String),
      ...lane,
    },
  ]);

  down = false;
  await waitFor(() => h!.target.committedOrder.get('1')?.length === 2, 'both delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2]);
  expect(h.target.records.get('1')).toEqual({ key: '1', seq: 2, status: 'paid' });
  // Nothing is left under the old key: the drain ends, and the record's next event runs by its new key alone.
  await waitFor(async () => (await keyChanges('orders')) === undefined, 'the drain ended');
  await h.post('orders', { id: 1, seq: 3, status: 'shipped' });
  await waitFor(() => h!.target.records.get('1')?.seq === 3, 'the next event delivered');
  expect(h.target.committedOrder.get('1')).toEqual([1, 2, 3]);
});

it("a newer event waits for its old key's partition to pass the record's older event; other integrations flow", async () => {
  // Record 1's old key "1" and new key "order-1" fall in different partitions (of the harness's 4).
  expect(partitionOf('1', 4)).not.toBe(partitionOf('order-1', 4));
  h = await startRuntimeHarness({ integrations: [orders(OLD_KEY), refunds] });
  await h.engine.applySpecSet({ ...h.specSet, commit: 'c1' });
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  // The older event is at the target, unanswered: still the oldest event of its partition.
  h.target.fault = (r) => (r.body?.seq === 1 ? { until: gate } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.length === 1, 'the older event at the target');

  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders(NEW_KEY), refunds], { commit: 'c2' }));
  await h.post('orders', { id: 1, seq: 2, status: 'paid' });
  const holding = async () => {
    const [drain] = (await keyChanges('orders')) ?? [];
    return drain?.held === 1 && drain.partitionsLeft === 1;
  };
  await waitFor(holding, 'the newer event held, one partition left (checked every second)');
  // Another integration is not held: its event is delivered while the newer order waits.
  await h.post('refunds', { id: 7, seq: 1, status: 'refunded' });
  await waitFor(() => h!.target.records.get('r7') !== undefined, 'the refund delivered');
  // The exact requests so far: the older order (unanswered) and the refund; the newer order is not sent.
  expect(h.target.requests.map((r) => r.body)).toEqual([{ key: '1', seq: 1, status: 'new' }, { key: 'r7' }]);
  expect(await keyChanges('orders')).toEqual([
    expect.objectContaining({ partitionsLeft: 1, parkedKeysLeft: null, held: 1 }),
  ]);
  const printed = await junction('status', '--url', h.engine.operatorUrl!);
  expect(printed.stdout).toMatch(
    /\n {25}key change draining since \S+Z \(c1 -> c2, key \$string\(id\) -> "order-" & \$string\(id\)\): oldest events stored under the old key in 1 partition, parked keys counted once every partition has passed them; the same records' newer events wait behind them \(1 waiting in this engine\)\n/,
  );

  release();
  await waitFor(() => h!.target.committedOrder.get('1')?.length === 2, 'both delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2]);
  expect(h.target.records.get('1')).toEqual({ key: '1', seq: 2, status: 'paid' });
  await waitFor(async () => (await keyChanges('orders')) === undefined, 'the drain ended');
  expect((await junction('status', '--url', h.engine.operatorUrl!)).stdout).not.toContain('key change');
});

it('two engines that both hot-load the change hold the newer event, whichever delivers it', async () => {
  h = await startRuntimeHarness({ integrations: [orders(OLD_KEY)] });
  const second = await h.startEngine({ roles: { http: false, workers: true, sources: false } });
  const c1 = { ...h.specSet, commit: 'c1' };
  await Promise.all([h.engine.applySpecSet(c1), second.applySpecSet(c1)]);
  let down = true;
  h.target.fault = (r) => (down && r.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.length >= 2, 'the first event retried while its key is parked');

  const c2 = compileRuntimeSpecs(h.target.url, [orders(NEW_KEY)], { commit: 'c2' });
  await Promise.all([h.engine.applySpecSet(c2), second.applySpecSet(c2)]);
  // Several newer events of the record: each partition consumer is served by either engine.
  for (const seq of [2, 3, 4]) await h.post('orders', { id: 1, seq, status: `s${seq}` });
  const sent = h.target.requests.length;
  await waitFor(() => h!.target.requests.length >= sent + 2, 'the parked event retried twice more');
  expect(h.target.requests.map((r) => r.body?.seq).filter((seq) => seq !== 1)).toEqual([]);

  down = false;
  await waitFor(() => h!.target.committedOrder.get('1')?.length === 4, 'all four delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2, 3, 4]);
  await waitFor(async () => (await keyChanges('orders')) === undefined, 'the drain ended');
});

it('an engine started during the drain drains it too (kept in KV), and the drain leaves nothing there', async () => {
  h = await startRuntimeHarness({ integrations: [orders(OLD_KEY)] });
  await h.engine.applySpecSet({ ...h.specSet, commit: 'c1' });
  let down = true;
  h.target.fault = (r) => (down && r.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.length >= 2, 'the first event retried while its key is parked');
  const c2 = compileRuntimeSpecs(h.target.url, [orders(NEW_KEY)], { commit: 'c2' });
  await h.engine.applySpecSet(c2);
  await waitFor(async () => (await storedDrains()) !== undefined, 'the drain kept in KV');
  expect(await storedDrains()).toEqual([
    { from: 'c1', to: 'c2', oldKey: '$string(id)', newKey: '"order-" & $string(id)', since: expect.any(String) },
  ]);

  // The engine that hot-loaded the change stops; one started on the new commit takes over (a restart, a scale-out).
  await h.engine.stop();
  const later = await h.startEngine({ specSet: c2 });
  const post = await fetch(`${later.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, seq: 2, status: 'paid' }),
  });
  expect(post.status).toBe(202);
  const sent = h.target.requests.length;
  await waitFor(() => h!.target.requests.length >= sent + 2, 'the parked event retried twice more');
  expect(h.target.requests.map((r) => r.body?.seq)).not.toContain(2);

  down = false;
  await waitFor(() => h!.target.committedOrder.get('1')?.length === 2, 'both delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2]);
  await waitFor(async () => (await storedDrains()) === undefined, 'the drain removed from KV once it ended');
});

/** The drains kept in `junction_control` for orders (undefined when none). */
async function storedDrains(): Promise<unknown[] | undefined> {
  const nc = await connect({ servers: h!.nats.url, noAsyncTraces: true });
  try {
    const kv = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.control);
    const entry = await kv.get('key-change.orders');
    return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<unknown[]>() : undefined;
  } finally {
    await nc.close();
  }
}
