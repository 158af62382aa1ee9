/**
 * Network partitions (fault-matrix cases 18 and 19): a TCP proxy (test/helpers/blackhole-proxy.ts) sits between the
 * engine and nats-server, or between the engine and the target, and silently drops every byte for a while (no
 * reset, no FIN), then heals. Traffic keeps flowing the whole time. The oracle: every event answered 202 reaches the
 * target with exactly one effective write, nothing is dead-lettered, and the consumers end with nothing pending.
 */
import { afterEach, expect, it } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, testLogger, waitFor } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';
import { startWebhookSender } from './helpers/webhook-sender.js';
import type { WebhookSender } from './helpers/webhook-sender.js';

let nats: TestNatsServer | undefined;
let target: FakeTarget | undefined;
let proxy: BlackholeProxy | undefined;
let engine: Engine | undefined;
let sender: WebhookSender | undefined;
afterEach(async () => {
  sender?.stop();
  await engine?.stop().catch(() => undefined);
  await proxy?.close();
  await target?.stop();
  await nats?.dispose();
  nats = target = proxy = engine = sender = undefined;
});

/** How long a partition is held once it has been noticed. */
const PARTITION_MS = 3_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const readyStatus = async (e: Engine) =>
  (await fetch(`${e.url}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;

/** Sum of `junction_events_retried_total` for the integration, optionally of one error code. */
async function retried(e: Engine, code?: string): Promise<number> {
  const metric = await e.metrics.getSingleMetric('junction_events_retried_total')!.get();
  return metric.values.filter((v) => !code || v.labels.code === code).reduce((sum, v) => sum + v.value, 0);
}

/** The oracle: each accepted id written exactly once, nothing else written, no dead letters, nothing pending. */
async function expectEachDeliveredOnce(accepted: Set<number>): Promise<void> {
  const missing = () => [...accepted].filter((id) => !target!.records.has(String(id)));
  await waitFor(
    () => missing().length === 0,
    () => `every accepted event delivered; missing ${missing().join(',')}`,
    60_000,
  );
  await expectDrained(nats!.url, 30_000);
  expect(target!.records.size).toBe(accepted.size);
  const notOnce = [...target!.effectiveWrites].filter(([, n]) => n !== 1);
  expect(notOnce, 'keys with more or less than one effective write').toEqual([]);
  expect(await engine!.deadLetters.list()).toEqual([]);
}

it('fault 18: engine<->NATS partition under traffic: detected (not ready, ingest 503), recovers, every 202 delivered once', async () => {
  nats = await startTestNatsServer();
  proxy = await startBlackholeProxy({ port: nats.port });
  target = await startFakeTarget();
  // Deliveries the broker makes to the partitioned connection count as attempts: leave room for them.
  const specSet = compileRuntimeSpecs(target.url, [integrationYaml({ maxAttempts: 15, initial: '100ms', max: '1s' })]);
  engine = await startEngine({
    specSet,
    invoker: httpTestInvoker,
    natsUrl: proxy.url('nats'),
    // A blackhole sends no reset: only pings notice it. The client's default (2 min x 2 pings) would take minutes.
    natsOptions: { pingInterval: 500, maxPingOut: 2, timeout: 2_000 },
    port: 0,
    host: '127.0.0.1',
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  const e = engine;
  expect(await readyStatus(e)).toBe(200);
  // A slightly slow target keeps events in flight when the partition starts: their acks and ledger writes are lost.
  target.fault = () => ({ delayMs: 30 });

  sender = startWebhookSender(() => `${e.url}/hooks/orders`, ids(200), { concurrency: 2, pauseMs: 40 });
  await waitFor(
    () => sender!.accepted.size >= 40 && target!.records.size >= 20,
    'traffic flowing before the partition',
  );

  proxy.blackhole();
  await waitFor(async () => (await readyStatus(e)) === 503, 'readiness reports NATS disconnected', 20_000);
  // While partitioned, ingest refuses (503) instead of accepting what it cannot store; the sender keeps retrying.
  const refusedBefore = sender.refused.get(503) ?? 0;
  await waitFor(
    () => (sender!.refused.get(503) ?? 0) >= refusedBefore + 5,
    'ingest answers 503 during the partition',
    20_000,
  );
  // Keep the partition up a little longer (a scenario length, not an assertion): the reconnect attempts, which the
  // proxy accepts and ignores, must time out too.
  await sleep(PARTITION_MS);
  expect(await readyStatus(e)).toBe(503);
  expect(proxy.droppedBytes).toBeGreaterThan(0);

  proxy.heal();
  await waitFor(async () => (await readyStatus(e)) === 200, 'ready again after the heal', 30_000);
  await waitFor(
    () => sender!.accepted.size === 200,
    () => `every event accepted after the heal (${sender!.accepted.size}/200)`,
    60_000,
  );
  await sender.done;

  await expectEachDeliveredOnce(sender.accepted);
  const status = await e.status();
  expect(status.nats.connected).toBe(true);
}, 150_000);

it('fault 19: engine<->target partition under traffic: timeouts, retries with backoff, every event written once after the heal', async () => {
  nats = await startTestNatsServer();
  target = await startFakeTarget();
  proxy = await startBlackholeProxy({ port: Number(new URL(target.url).port) });
  // Calls time out after 500 ms; plenty of attempts so the partition cannot exhaust them.
  const specSet = compileRuntimeSpecs(proxy.url('http'), [integrationYaml({ maxAttempts: 30 })], { timeout: '500ms' });
  engine = await startEngine({
    specSet,
    invoker: httpTestInvoker,
    natsUrl: nats.url,
    port: 0,
    host: '127.0.0.1',
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  const e = engine;

  sender = startWebhookSender(() => `${e.url}/hooks/orders`, ids(100), { concurrency: 2, pauseMs: 40 });
  await waitFor(() => target!.records.size >= 20, 'traffic flowing before the partition');

  proxy.blackhole();
  // Every partition with work keeps timing out and retrying; wait for a good number of those.
  let timeouts = 0;
  await waitFor(
    async () => (timeouts = await retried(e, 'timeout')) >= 8,
    () => `timeouts retried (${timeouts})`,
    40_000,
  );
  await sleep(PARTITION_MS);
  expect(proxy.droppedBytes).toBeGreaterThan(0);
  // The broker is fine: ingest stays ready and keeps accepting.
  expect(await readyStatus(e)).toBe(200);

  proxy.heal();
  await sender.done;
  await expectEachDeliveredOnce(sender.accepted);
  expect(sender.accepted.size).toBe(100);
  expect(sender.refused.size).toBe(0);

  // Retries were counted, and each retried event finished within its attempt budget (no dead letters above).
  expect(await retried(e, 'timeout')).toBeGreaterThanOrEqual(8);
  const metrics = await e.metrics.metrics();
  expect(metrics).toMatch(/junction_events_delivered_total\{integration="orders",outcome="delivered"\} 100\b/);
}, 150_000);
