/**
 * The broker delivers an event again while this process still runs its first attempt: the attempt's `working()`
 * heartbeats were lost in a network blackhole longer than the ack wait (the soak's duplicates of one worker). The
 * second delivery must not run a second attempt (it would find no record yet and create it again): it waits for the
 * running one and is then settled as that one was. Real nats-server behind the blackhole proxy, real fake target
 * that holds the create open across the blackhole.
 */
import { afterEach, expect, it } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget, TargetRequest } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, testLogger, waitFor } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let nats: TestNatsServer | undefined;
let target: FakeTarget | undefined;
let proxy: BlackholeProxy | undefined;
let engine: Engine | undefined;
/** What each test started, stopped in reverse order. */
const started: { stop(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const s of started.reverse()) await s.stop().catch(() => undefined);
  started.length = 0;
});

const FOUND_CREATE = integrationYaml({ steps: FOUND_CREATE_STEP });
/** Longer than the pull the engine had waiting (5 s), so the broker keeps the redelivery for the next pull. */
const BLACKHOLE_MS = 6_000;
/**
 * The longest the first create is held while waiting for the redelivery to join it (the engine reconnects after the
 * heal and pulls it, about 3 s on a quiet machine): shorter than the call's timeout (30 s), so a redelivery that never
 * joins lets the create commit and the test fail on the join count, not on a timeout.
 */
const HOLD_MAX_MS = 25_000;

/** One engine reaching NATS through the proxy; the target holds the first create open until the redelivery joined. */
async function startBehindProxy(answer: (r: TargetRequest) => 'commit' | 'refuse'): Promise<void> {
  nats = await startTestNatsServer();
  started.push({ stop: () => nats!.dispose() });
  proxy = await startBlackholeProxy({ port: nats.port });
  started.push({ stop: () => proxy!.close() });
  target = await startFakeTarget();
  started.push(target);
  engine = await startEngine({
    specSet: compileRuntimeSpecs(target.url, [FOUND_CREATE], { timeout: '30s' }),
    invoker: httpTestInvoker,
    natsUrl: proxy.url('nats'),
    port: 0,
    host: '127.0.0.1',
    // The call's timeout outlasts the held create; the ack wait (1 s) is far shorter than the blackhole.
    tuning: { ...TEST_TUNING, ackWaitMs: 1_000 },
    logger: testLogger(),
  });
  started.push(engine);
  const p = proxy;
  // While the first create is held open, the engine's link to NATS goes dark for 6 s: no heartbeat reaches the
  // broker, the ack wait runs out again and again, the engine's pull expires, and after the heal the broker delivers
  // the event again to this engine's new pull. The create is answered once that redelivery is waiting for it.
  target.fault = (r) => {
    if (r.method !== 'POST' || r.attempt !== 1) return undefined;
    p.blackhole();
    setTimeout(() => p.heal(), BLACKHOLE_MS);
    const until = waitFor(async () => (await joined()) >= 1, 'the redelivery joined', HOLD_MAX_MS).catch(
      () => undefined,
    );
    return answer(r) === 'commit' ? { until } : { respond: { status: 503 }, until };
  };
}

async function postOrder(): Promise<number> {
  const res = await fetch(`${engine!.url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, seq: 1 }),
  });
  return res.status;
}

/** Deliveries that waited for the attempt running in this engine. */
async function joined(): Promise<number> {
  const text = await engine!.metrics.getSingleMetricAsString('junction_events_joined_total');
  return Number(/integration="orders"} (\d+)/.exec(text)?.[1] ?? 0);
}

it('fault 18 mid-create: the redelivery joins the running attempt instead of creating the record again, and the event is acked once it is delivered', async () => {
  await startBehindProxy(() => 'commit');
  expect(await postOrder()).toBe(202);

  await waitFor(() => target!.records.has('1'), 'the held create committed', 40_000);
  await expectDrained(nats!.url, 30_000);
  expect(proxy!.droppedBytes).toBeGreaterThan(0);
  // The target ignores Idempotency-Key: without the guard the redelivery looked the record up (not there yet) and
  // created it a second time.
  expect(target!.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records']);
  expect(target!.effectiveWrites.get('1')).toBe(1);
  expect(await engine!.deadLetters.list()).toEqual([]);
  // The redelivery reached this engine while the create was held, and waited for it.
  expect(await joined()).toBeGreaterThanOrEqual(1);
}, 90_000);

it('fault 18 mid-create, the create refused: the redelivery waits, the event is retried (never acked as done) and delivered by one create', async () => {
  await startBehindProxy(() => 'refuse');
  expect(await postOrder()).toBe(202);

  await waitFor(() => target!.records.has('1'), 'the retry after the refusal created the record', 60_000);
  await expectDrained(nats!.url, 30_000);
  expect(await joined()).toBeGreaterThanOrEqual(1);
  // The 503 is a definite refusal: the retry sends the create again, without a look-up, and only once.
  expect(target!.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'POST /records']);
  expect(target!.effectiveWrites.get('1')).toBe(1);
  expect(await engine!.deadLetters.list()).toEqual([]);
}, 90_000);
