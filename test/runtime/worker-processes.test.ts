/**
 * Fault cases with worker processes (fault 1, 2, 3, 24): the HTTP engine in the test process only ingests; child
 * processes consume and get SIGKILLed or SIGTERMed. Nothing is lost, nothing is written twice, order per key holds,
 * and a failing key holds up only itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { keyDigest, partitionOf } from '../../engine/runtime/broker/subjects.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';
import { killAll, spawnWorker } from './helpers/worker-processes.js';
import type { WorkerProcess } from './helpers/worker-processes.js';
import type { WorkerConfig } from './helpers/worker-main.js';

let h: RuntimeHarness | undefined;
let workers: WorkerProcess[] = [];
let scratch: string | undefined;
afterEach(async () => {
  await killAll();
  workers = [];
  await h?.dispose();
  h = undefined;
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

async function world(integration: string, count: number, extra: Partial<WorkerConfig> = {}): Promise<WorkerConfig> {
  h = await startRuntimeHarness({ integrations: [integration], engine: { roles: { workers: false } } });
  const config: WorkerConfig = {
    natsUrl: h.nats.url,
    targetUrl: h.target.url,
    integrations: [integration],
    tuning: TEST_TUNING,
    ...extra,
  };
  // When one fails to start, afterEach's killAll still reaps the others (they are not in `workers` then).
  workers = await Promise.all(Array.from({ length: count }, () => spawnWorker(config)));
  return config;
}

const delivered = (ids: number[]) => () => ids.every((id) => h!.target.records.has(String(id)));

describe('worker processes', () => {
  it('fault 1: a worker SIGKILLed after the target committed and before the ack: redelivered, no second record', async () => {
    await world(integrationYaml({ steps: FOUND_CREATE_STEP }), 2);
    h!.target.fault = (r) => (r.key === '3' && r.attempt === 1 ? { afterCommit: 'kill' } : undefined);
    const ids = [1, 2, 3, 4, 5, 6];
    for (const id of ids) expect((await h!.post('orders', { id, seq: 1 })).status).toBe(202);
    await waitFor(() => workers.some((w) => w.child.signalCode === 'SIGKILL'), 'a worker was killed by the target');
    await waitFor(delivered(ids), 'all delivered', 20_000);
    await expectDrained(h!.nats.url);
    // The call was marked sent before the kill: the redelivery looks the record up instead of creating it again.
    const three = h!.target.requests.filter((r) => r.key === '3' || r.path === '/records?key=3');
    expect(three.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'GET /records?key=3']);
    expect(three[1].workerPid).not.toBe(three[0].workerPid);
    for (const id of ids) expect(h!.target.effectiveWrites.get(String(id))).toBe(1);
  });

  it('fault 2: a worker SIGKILLed after fetching, before the target call: redelivered, one write', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'junction-kill-'));
    await world(integrationYaml(), 2, { killBeforeCall: { key: '2', marker: join(scratch, 'killed') } });
    const ids = [1, 2, 3, 4];
    for (const id of ids) await h!.post('orders', { id, seq: 1, status: 'new' });
    await waitFor(
      () => workers.some((w) => w.child.signalCode === 'SIGKILL'),
      'a worker killed itself before the call',
    );
    await waitFor(delivered(ids), 'all delivered', 20_000);
    await expectDrained(h!.nats.url);
    expect(h!.target.requests.filter((r) => r.key === '2')).toHaveLength(1);
    for (const id of ids) expect(h!.target.effectiveWrites.get(String(id))).toBe(1);
  });

  it('fault 3: SIGTERM mid-flight: the worker stops pulling, finishes its in-flight event and exits 0; nothing lost', async () => {
    await world(integrationYaml(), 2);
    h!.target.fault = () => ({ delayMs: 400 });
    const ids = Array.from({ length: 12 }, (_, i) => i + 1);
    for (const id of ids) await h!.post('orders', { id, seq: 1, status: 'new' });
    const first = workers[0];
    await waitFor(() => h!.target.requests.some((r) => r.workerPid === first.pid), 'the first worker is mid-flight');
    first.child.kill('SIGTERM');
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    void first.exited.then((e) => (exit = e));
    await waitFor(() => exit !== undefined, 'the worker exited within its drain timeout', 10_000);
    expect(exit).toEqual({ code: 0, signal: null });
    await waitFor(delivered(ids), 'all delivered by the other worker', 20_000);
    await expectDrained(h!.nats.url);
    for (const id of ids) expect(h!.target.effectiveWrites.get(String(id))).toBe(1);
    expect(h!.target.requests).toHaveLength(ids.length);
  });

  it('fault 24: three worker processes keep each key in ingest order, through retries', async () => {
    await world(integrationYaml({ initial: '20ms', max: '100ms' }), 3);
    const failedOnce = new Set<string>();
    h!.target.fault = (r) => {
      const id = `${r.key}/${r.body?.seq}`;
      if (Number(r.key) % 7 === 0 && r.body?.seq === 3 && !failedOnce.has(id)) {
        failedOnce.add(id);
        return { respond: { status: 503 } };
      }
      return { delayMs: Number(r.key) % 3 };
    };
    const keys = Array.from({ length: 50 }, (_, i) => i + 1);
    const rounds = [1, 2, 3, 4, 5, 6];
    for (const seq of rounds) {
      const replies = await Promise.all(keys.map((id) => h!.post('orders', { id, seq, status: `v${seq}` })));
      expect(replies.every((r) => r.status === 202)).toBe(true);
    }
    await waitFor(
      () => keys.every((k) => h!.target.committedOrder.get(String(k))?.length === rounds.length),
      'every update delivered',
      60_000,
    );
    await expectDrained(h!.nats.url);
    for (const k of keys) expect(h!.target.committedOrder.get(String(k))).toEqual(rounds);
    expect(failedOnce.size).toBe(7);
    expect(new Set(h!.target.requests.map((r) => r.workerPid)).size).toBe(3);
  }, 90_000);

  it('fault 24, head of line: a key failing on and on delays only itself; 1,000 events of other keys of its partition go on, order per key holds', async () => {
    await world(integrationYaml({ initial: '200ms', max: '1s', maxAttempts: 1000 }), 2);
    const partitions = TEST_TUNING.partitions!;
    const failing = '7';
    let healed = false;
    h!.target.fault = (r) => (r.key === failing && !healed ? { respond: { status: 503 } } : undefined);
    // 250 other keys of the failing key's partition, 4 updates each: 1,000 events.
    const others: string[] = [];
    for (let k = 1000; others.length < 250; k++)
      if (partitionOf(String(k), partitions) === partitionOf(failing, partitions)) others.push(String(k));
    expect((await h!.post('orders', { id: 7, seq: 1, status: 'v1' })).status).toBe(202);
    await waitFor(() => h!.target.requests.some((r) => r.key === failing), 'the failing key was tried');
    for (const seq of [1, 2, 3, 4]) {
      for (let i = 0; i < others.length; i += 50) {
        const batch = others
          .slice(i, i + 50)
          .map((id) => h!.post('orders', { id: Number(id), seq, status: `v${seq}` }));
        expect((await Promise.all(batch)).every((r) => r.status === 202)).toBe(true);
      }
      // Later updates of the failing key queue behind its first one.
      if (seq < 3) expect((await h!.post('orders', { id: 7, seq: seq + 1, status: `v${seq + 1}` })).status).toBe(202);
    }
    await waitFor(
      () => others.every((k) => h!.target.committedOrder.get(k)?.length === 4),
      () => `every other key delivered (${others.filter((k) => h!.target.committedOrder.get(k)?.length === 4).length})`,
      90_000,
    );
    // At this moment the failing key is still parked: nothing of it written, its three events queued in order.
    for (const k of others) expect(h!.target.committedOrder.get(k)).toEqual([1, 2, 3, 4]);
    expect(h!.target.committedOrder.get(failing)).toBeUndefined();
    expect(h!.target.requests.filter((r) => r.key === failing).every((r) => r.body?.seq === 1)).toBe(true);
    expect(await parkedMarker(h!.nats.url, 'orders', failing)).toMatchObject({ next: 0, tail: 2 });
    healed = true;
    await waitFor(() => h!.target.committedOrder.get(failing)?.length === 3, 'the failing key delivered once healed');
    expect(h!.target.committedOrder.get(failing)).toEqual([1, 2, 3]);
    await expectDrained(h!.nats.url);
    expect(await parkedMarker(h!.nats.url, 'orders', failing)).toBeUndefined();
    for (const k of [...others, failing]) expect(h!.target.effectiveWrites.get(k)).toBe(k === failing ? 3 : 4);
  }, 180_000);
});

/** The parking marker of a record key (engine/runtime/worker/key-parking.ts), read straight from KV. */
async function parkedMarker(natsUrl: string, integration: string, key: string): Promise<unknown> {
  const nc = await connect({ servers: natsUrl });
  try {
    const kv = await new Kvm(nc).open(BUCKET_NAMES.parked);
    const entry = await kv.get(`${integration}.${keyDigest(key)}`);
    return entry?.operation === 'PUT' ? entry.json() : undefined;
  } finally {
    await nc.close();
  }
}
