/**
 * A create whose answer came in, but whose checkpoint write was lost on the way to NATS (a blackhole, a broker
 * restart): the soak's duplicates. The target committed the record; the worker cannot store that it did. The retry
 * must still treat the create as "sent, outcome unknown" and look the record up, never send it again. Real
 * nats-server behind the blackhole proxy (test/helpers/blackhole-proxy.ts), real fake target over loopback.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { EVENTS_STREAM, consumerName, partitionOf } from '../../engine/runtime/broker/subjects.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, testLogger, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { killAll, spawnWorker } from './helpers/worker-processes.js';
import type { WorkerProcess } from './helpers/worker-processes.js';
import type { WorkerConfig } from './helpers/worker-main.js';
import { FOUND_CREATE_STEP, compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let nats: TestNatsServer | undefined;
let target: FakeTarget | undefined;
let proxy: BlackholeProxy | undefined;
let engine: Engine | undefined;
let h: RuntimeHarness | undefined;
let workers: WorkerProcess[] = [];
afterEach(async () => {
  await killAll();
  workers = [];
  await h?.dispose();
  h = undefined;
  await engine?.stop().catch(() => undefined);
  await proxy?.close();
  await target?.stop();
  await nats?.dispose();
  nats = target = proxy = engine = undefined;
});

const FOUND_CREATE = integrationYaml({ steps: FOUND_CREATE_STEP });

it('fault 18: the target created the record, then the checkpoint write is lost in a NATS blackhole: the retry finds the record, no second create', async () => {
  nats = await startTestNatsServer();
  proxy = await startBlackholeProxy({ port: nats.port });
  target = await startFakeTarget();
  const p = proxy;
  engine = await startEngine({
    specSet: compileRuntimeSpecs(target.url, [FOUND_CREATE]),
    invoker: httpTestInvoker,
    natsUrl: proxy.url('nats'),
    port: 0,
    host: '127.0.0.1',
    // The ack wait outlasts the lost KV request (5 s), so the event is not redelivered while the attempt still runs.
    tuning: { ...TEST_TUNING, ackWaitMs: 10_000 },
    logger: testLogger(),
  });
  // The first create commits; the engine's link to NATS goes dark before the answer arrives, so the checkpoint
  // write that follows the answer is dropped. The link heals a second later: later state writes go through.
  target.fault = (r) => {
    if (r.method !== 'POST' || r.attempt !== 1) return undefined;
    p.blackhole();
    setTimeout(() => p.heal(), 1_000);
    return undefined;
  };

  const res = await fetch(`${engine.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, seq: 1 }),
  });
  expect(res.status).toBe(202);

  await waitFor(() => target!.requests.length >= 2, 'the retry after the lost checkpoint write', 40_000);
  await expectDrained(nats.url, 30_000);
  expect(proxy.droppedBytes).toBeGreaterThan(0);
  // The target ignores Idempotency-Key (as Salesforce, Magento and M3 do): only the look-up prevents a second record.
  expect(target.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'GET /records?key=1']);
  expect(target.effectiveWrites.get('1')).toBe(1);
  expect(await engine.deadLetters.list()).toEqual([]);
}, 90_000);

it('fault 1 with its consumer created anew: a worker SIGKILLed after the target created the record; the redelivery, numbered 1 again, finds the record', async () => {
  h = await startRuntimeHarness({ integrations: [FOUND_CREATE], engine: { roles: { workers: false } } });
  const config: WorkerConfig = {
    natsUrl: h.nats.url,
    targetUrl: h.target.url,
    integrations: [FOUND_CREATE],
    tuning: TEST_TUNING,
  };
  workers.push(await spawnWorker(config));
  h.target.fault = (r) => (r.method === 'POST' && r.attempt === 1 ? { afterCommit: 'kill' } : undefined);
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(() => workers[0].child.signalCode === 'SIGKILL', 'the worker was killed after the commit');

  // What a nats-server SIGKILLed before it flushed its consumer state leaves behind (the soak saw it after every
  // broker restart): the event is still in the stream, and its consumer does not know it was ever delivered.
  const nc = await connect({ servers: h.nats.url });
  const jsm = await jetstreamManager(nc);
  await jsm.consumers.delete(EVENTS_STREAM, consumerName('orders', partitionOf('1', TEST_TUNING.partitions!)));
  await nc.close();
  // A new worker provisions the consumer again, which delivers the event as if for the first time.
  workers.push(await spawnWorker(config));

  await waitFor(() => h!.target.requests.length >= 2, 'the redelivery to the new worker');
  await expectDrained(h.nats.url);
  const [create, lookUp] = h.target.requests;
  expect([create, lookUp].map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'GET /records?key=1']);
  expect(lookUp.workerPid).toBe(workers[1].pid);
  expect(h.target.requests).toHaveLength(2);
  expect(h.target.effectiveWrites.get('1')).toBe(1);
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 90_000);
