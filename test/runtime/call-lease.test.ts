/**
 * Two worker processes, one event: the broker delivers it to the second while the first is still inside its create
 * (a network blackhole longer than the ack wait, a broker restart). The create's sent mark is a lease: the second
 * finds it held and retries later instead of looking the record up before it exists and creating it again; a holder
 * that was SIGKILLed holds it only until it runs out. Real nats-server, real fake target that ignores
 * Idempotency-Key. The lease's own rules run against a real KV bucket at the end.
 */
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { CallLeases } from '../../engine/runtime/worker/call-leases.js';
import { BrokerClock } from '../../engine/runtime/control/broker-clock.js';
import { createRuntimeMetrics } from '../../engine/runtime/observe/runtime-metrics.js';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { targetConnectors } from './helpers/target-connector.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, testLogger, waitFor } from './helpers/runtime-harness.js';
import { killAll, spawnWorker } from './helpers/worker-processes.js';
import type { WorkerProcess } from './helpers/worker-processes.js';
import { FOUND_CREATE_STEP, compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

const FOUND_CREATE = integrationYaml({ steps: FOUND_CREATE_STEP });
const ENTRIES = '  - { connection: target, object: entry, fields: ["*"] }';

/** What each test started, stopped in reverse order. */
const started: { stop(): Promise<unknown> }[] = [];
let workers: WorkerProcess[] = [];
afterEach(async () => {
  await killAll();
  workers = [];
  for (const s of started.reverse()) await s.stop().catch(() => undefined);
  started.length = 0;
});

/** Retries of `orders` events with `code`, counted by one engine. */
async function retried(engine: Engine, code: string): Promise<number> {
  const text = await engine.metrics.getSingleMetricAsString('junction_events_retried_total');
  return Number(new RegExp(`integration="orders",code="${code}"} (\\d+)`).exec(text)?.[1] ?? 0);
}

/** A nats-server, the blackhole proxy engine A reaches it through, and the fake target; stopped after the test. */
async function natsBehindProxy() {
  const nats = await startTestNatsServer();
  started.push({ stop: () => nats.dispose() });
  const proxy = await startBlackholeProxy({ port: nats.port });
  started.push({ stop: () => proxy.close() });
  const target = await startFakeTarget();
  started.push(target);
  return { nats, proxy, target };
}

/** Posts an event to an engine's webhook. */
function post(engine: Engine, integration: string, body: unknown): Promise<Response> {
  return fetch(`${engine.url}/hooks/${integration}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

it('fault 18 across processes: engine A is cut off from NATS inside its create, engine B gets the redelivery, finds the call held and waits; one create', async () => {
  const { nats, proxy, target } = await natsBehindProxy();
  // The call timeout outlasts the held create: A's lease lasts 13 s past its last renewal.
  const specSet = compileRuntimeSpecs(target.url, [FOUND_CREATE], { timeout: '12s' });
  const engineOptions = { specSet, invoker: httpTestInvoker, port: 0, host: '127.0.0.1', logger: testLogger() };
  const a = await startEngine({ ...engineOptions, natsUrl: proxy.url('nats'), tuning: TEST_TUNING });
  started.push(a);
  // A's create is held open for 10 s; the moment it arrives, A's link to NATS goes dark for 5 s.
  target.fault = (r) => {
    if (r.method !== 'POST' || r.attempt !== 1) return undefined;
    proxy.blackhole();
    setTimeout(() => proxy.heal(), 5_000);
    return { delayMs: 10_000 };
  };
  expect((await post(a, 'orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(() => target.requests.length === 1, "A's create reached the target");

  // B joins on a link of its own: A's heartbeats no longer reach the broker, which delivers the event to B.
  const b = await startEngine({
    ...engineOptions,
    natsUrl: nats.url,
    tuning: TEST_TUNING,
    roles: { workers: true, http: false },
  });
  started.push(b);

  await waitFor(() => target.records.has('1'), "A's held create committed", 40_000);
  await expectDrained(nats.url, 40_000);
  // Without the lease B looked the record up (not there yet) and created it a second time.
  expect(target.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records']);
  // B took the event while A's create ran, and found the call held.
  expect(await retried(b, 'call-in-flight')).toBeGreaterThanOrEqual(1);
  expect(target.effectiveWrites.get('1')).toBe(1);
  expect(await a.deadLetters.list()).toEqual([]);
}, 120_000);

it("clock drift: the process that gets the redelivery has its wall clock an hour ahead; it judges the holder's lease by the broker's clock, finds the call held, and the record is created once", async () => {
  const { nats, proxy, target } = await natsBehindProxy();
  // B's own link to NATS, dark until A holds the create, so the first delivery can only reach A.
  const bLink = await startBlackholeProxy({ port: nats.port });
  started.push({ stop: () => bLink.close() });
  // A 12 s call timeout: A's lease lasts 13 s past its last write, by the broker's clock as by A's.
  const specSet = compileRuntimeSpecs(target.url, [FOUND_CREATE], { timeout: '12s' });
  const a = await startEngine({
    specSet,
    invoker: httpTestInvoker,
    port: 0,
    host: '127.0.0.1',
    logger: testLogger(),
    natsUrl: proxy.url('nats'),
    tuning: TEST_TUNING,
  });
  started.push(a);
  const config = { targetUrl: target.url, integrations: [FOUND_CREATE], tuning: TEST_TUNING, timeout: '12s' };
  workers.push(await spawnWorker({ ...config, natsUrl: bLink.url('nats'), clockAheadMs: 3_600_000 }));
  bLink.blackhole();
  // A's create is held open for 10 s; the moment it arrives, A's link goes dark for 15 s and B's comes back.
  target.fault = (r) => {
    if (r.method !== 'POST' || r.attempt !== 1) return undefined;
    proxy.blackhole();
    bLink.heal();
    setTimeout(() => proxy.heal(), 15_000);
    return { delayMs: 10_000 };
  };
  expect((await post(a, 'orders', { id: 1, seq: 1 })).status).toBe(202);

  await waitFor(() => target.records.has('1'), "A's held create committed", 60_000);
  await expectDrained(nats.url, 60_000);
  // By its own clock A's lease ran out an hour ago: B judged it by the broker's clock and found the call held (it took
  // it over early before the broker clock, and waited out the rest by the broker's timestamps).
  const retriedByB = /junction_events_retried_total\{integration="orders",code="call-in-flight"\} (\d+)/;
  expect(Number(retriedByB.exec(await workers[0].metrics())?.[1] ?? 0)).toBeGreaterThanOrEqual(1);
  expect(
    target.requests.filter((r) => r.method === 'POST').map((r) => (r.workerPid === process.pid ? 'A' : 'B')),
  ).toEqual(['A']);
  expect(target.effectiveWrites.get('1')).toBe(1);
  // Nothing dead-lettered: asked through A once its link is back.
  proxy.heal();
  await waitFor(
    async () => (await a.deadLetters.list().catch(() => undefined))?.length === 0,
    'A reads no dead letter',
  );
}, 150_000);

/**
 * Fault 2 inside a create: a worker process takes the event, and its create reaches the target, which SIGKILLs the
 * worker and never commits or answers. The dead holder's lease lasts the call's `timeout` and an ack wait (1 s) past
 * its last write.
 */
async function holderKilledInsideCreate(timeout: string) {
  const h = await startRuntimeHarness({
    integrations: [FOUND_CREATE],
    timeout,
    engine: { roles: { workers: false } },
  });
  started.push({ stop: () => h.dispose() });
  const config = { natsUrl: h.nats.url, targetUrl: h.target.url, integrations: [FOUND_CREATE], tuning: TEST_TUNING };
  const holder = await spawnWorker({ ...config, timeout });
  workers.push(holder);
  h.target.fault = (r) => {
    if (r.method !== 'POST' || r.workerPid !== holder.pid) return undefined;
    process.kill(holder.pid, 'SIGKILL');
    return { stall: true };
  };
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(() => holder.child.signalCode === 'SIGKILL', 'the holder was killed inside its create');
  return h;
}

it('fault 2 inside the create: the holder is SIGKILLed before the target commits; its lease runs out and the other process looks up, then creates once', async () => {
  // A 10 s call timeout: the dead holder's lease lasts 11 s, so the other process, started now, finds it held.
  const h = await holderKilledInsideCreate('10s');
  const b = await h.startEngine({ roles: { workers: true, http: false } });
  await waitFor(() => h.target.records.has('1'), 'the other process created the record', 40_000);
  await expectDrained(h.nats.url, 30_000);
  // B waited for the dead holder's lease to run out, then looked the call up and sent it.
  expect(await retried(b, 'call-in-flight')).toBeGreaterThanOrEqual(1);
  expect(h.target.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /records',
    'GET /records?key=1',
    'POST /records',
  ]);
  expect(h.target.effectiveWrites.get('1')).toBe(1);
  expect(await h.engine.deadLetters.list()).toEqual([]);
}, 120_000);

it("fault 2 with the other process's clock an hour behind: it takes the dead holder's lease over once the lease has run out by the broker's clock, not an hour later; creates once", async () => {
  // A 3 s call timeout: the dead holder's lease lasts 4 s, and by this process's own clock for another hour.
  const h = await holderKilledInsideCreate('3s');
  const config = { natsUrl: h.nats.url, targetUrl: h.target.url, integrations: [FOUND_CREATE], tuning: TEST_TUNING };
  workers.push(await spawnWorker({ ...config, timeout: '3s', clockAheadMs: -3_600_000 }));
  await waitFor(() => h.target.records.has('1'), 'the process an hour behind created the record', 40_000);
  await expectDrained(h.nats.url, 30_000);
  expect(/junction_call_leases_taken_over_total (\d+)/.exec(await workers[1].metrics())?.[1]).toBe('1');
  expect(h.target.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /records',
    'GET /records?key=1',
    'POST /records',
  ]);
  expect(h.target.effectiveWrites.get('1')).toBe(1);
}, 120_000);

it('a holder cut off from NATS while its create waits at the rate limit longer than its lease withdraws the call unsent; the process that took the lease over creates once', async () => {
  const { nats, proxy, target } = await natsBehindProxy();
  // Two requests at once, then one every 10 s, per process: a 2 s call timeout, so a lease lasts 3 s past its renewal.
  const orders = integrationYaml({ steps: FOUND_CREATE_STEP, owns: ENTRIES });
  const warmup = integrationYaml({ name: 'warmup', owns: '  - { connection: target, object: record, fields: ["*"] }' });
  const specSet = compileRuntimeSpecs(target.url, [orders, warmup], {
    connection: 'rate_limit: { requests_per_second: 0.1, burst: 2 }\n',
  });
  // The engine's own HTTP stack, where the rate limit lives.
  const invoker = (set: CompiledSpecSet) =>
    createStepInvoker({
      specSet: set,
      connectors: targetConnectors(),
      security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
    });
  const engineOptions = { specSet, invoker, port: 0, host: '127.0.0.1', logger: testLogger(), tuning: TEST_TUNING };
  const a = await startEngine({ ...engineOptions, natsUrl: proxy.url('nats') });
  started.push(a);
  // Two upserts take A's two tokens, so its create waits about 10 s for the next one.
  for (const id of [8, 9]) {
    expect((await post(a, 'warmup', { id, seq: 1, status: 'new' })).status).toBe(202);
    await waitFor(() => target.records.has(String(id)), `warm-up record ${id} written`);
  }
  expect((await post(a, 'orders', { id: 1, seq: 1 })).status).toBe(202);
  const nc = await connect({ servers: nats.url });
  started.push({ stop: () => nc.close() });
  const checkpoints = await new Kvm(nc).open('junction_checkpoints');
  const leased = async () => {
    for await (const key of await checkpoints.keys('orders.*.create'))
      return (await checkpoints.get(key))?.json<{ holder?: string }>().holder !== undefined;
    return false;
  };
  await waitFor(leased, "A leased the create, which now waits at A's rate limit");
  // A is cut off from NATS until well after its token comes: its lease runs out while the create waits.
  proxy.blackhole();
  const b = await startEngine({ ...engineOptions, natsUrl: nats.url, roles: { workers: true, http: false } });
  started.push(b, { stop: async () => proxy.heal() });
  // B gets the event once A's heartbeats stop and A's lease ran out: it looks the record up and creates it.
  await waitFor(() => target.records.has('1'), 'the record was created', 40_000);
  // A's token comes about 10 s after the warm-ups: without the check A then sent the create a second time.
  const creates = () => target.requests.filter((r) => r.method === 'POST').length;
  await waitFor(
    async () => creates() > 1 || (await retried(a, 'lease-expired')) > 0,
    "A's create sent or withdrawn",
    60_000,
  );
  proxy.heal();
  await expectDrained(nats.url, 40_000);
  expect(target.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    'PUT /records/8',
    'PUT /records/9',
    'GET /records?key=1',
    'POST /records',
  ]);
  expect(target.effectiveWrites.get('1')).toBe(1);
  expect(await retried(a, 'lease-expired')).toBe(1);
  expect(await a.deadLetters.list()).toEqual([]);
}, 150_000);

describe('call leases in KV', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let kv: KV;
  const KEY = 'orders.e1.create';
  afterEach(async () => {
    await nc?.close();
    await nats?.dispose();
  });
  async function bucket(): Promise<KV> {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    return (kv = await new Kvm(nc).create('leases_test', { history: 1 }));
  }
  const mark = async () => (await kv.get(KEY))?.json<{ sent: true; holder?: string; until?: number }>();

  it('one claim wins: a second process finds the call held, or loses the compare-and-set when both read nothing', async () => {
    await bucket();
    const a = new CallLeases('a', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 });
    const b = new CallLeases('b', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 });
    await a.claim(KEY, await kv.get(KEY));
    expect(await mark()).toMatchObject({ sent: true, holder: 'a#1' });
    // It asks again when a's lease runs out (30 s from its claim), not before.
    const held = await b.claim(KEY, await kv.get(KEY)).catch((error: unknown) => error);
    expect(held).toMatchObject({ code: 'call-in-flight' });
    expect((held as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(20_000);
    // Both read the key before either marked it: the later compare-and-set fails.
    await expect(b.claim(KEY, null)).rejects.toMatchObject({ code: 'call-in-flight' });
    expect(await mark()).toMatchObject({ holder: 'a#1' });
  });

  it('an attempt that ends with the call unanswered hands it back: the mark stays, the next attempt anywhere takes it at once', async () => {
    await bucket();
    const a = new CallLeases('a', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 });
    await a.claim(KEY, await kv.get(KEY));
    expect(await a.holdsForCall(KEY)).toBe(true);
    await a.end();
    expect(await mark()).toEqual({ sent: true });
    await new CallLeases('b', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 }).claim(KEY, await kv.get(KEY));
    expect(await mark()).toMatchObject({ holder: 'b#1' });
  });

  it('an attempt that ends while its lease is being renewed hands it back all the same', async () => {
    await bucket();
    const leases = new CallLeases('a', 300);
    const a = leases.attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 });
    await a.claim(KEY, await kv.get(KEY));
    expect(await a.holdsForCall(KEY)).toBe(true);
    // A heartbeat's renewal goes out, and the attempt ends before its answer: the hand-back must follow the renewal
    // (written at the revision the renewal made), or it loses the compare-and-set and the lease stays held until it
    // runs out, another engine's retry waiting all that time.
    leases.renew(performance.now() + 1_000);
    await a.end();
    expect(await mark()).toEqual({ sent: true });
  });

  it('a lease whose attempt is gone: this engine takes its own back at once, another engine once it has run out', async () => {
    await bucket();
    // Written by an attempt of engine a that no longer runs (its process was replaced, or the write's answer was lost).
    await kv.put(KEY, JSON.stringify({ sent: true, holder: 'a#7', until: Date.now() + 60_000 }));
    await expect(
      new CallLeases('b', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 }).claim(KEY, await kv.get(KEY)),
    ).rejects.toMatchObject({
      code: 'call-in-flight',
    });
    await new CallLeases('a', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 }).claim(KEY, await kv.get(KEY));
    expect(await mark()).toMatchObject({ holder: 'a#1' });

    // Written by a holder whose clock runs an hour ahead of this reader's: asked again when its lease (3 s) has run
    // out at the latest, not in an hour.
    await kv.put(KEY, JSON.stringify({ sent: true, holder: 'd#1', until: Date.now() + 3_600_000, ttl: 3_000 }));
    const ahead = await new CallLeases('b', 1_000)
      .attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 })
      .claim(KEY, await kv.get(KEY))
      .catch((error: unknown) => error);
    expect(ahead).toMatchObject({ code: 'call-in-flight', retryAfterMs: 3_000 });
    // Asked again once it has run out by the broker's clock (its last write plus its ttl), the holder having died:
    // taken over then, not an hour later when this reader's clock reaches `until`.
    const runsOut = (await kv.get(KEY))!.created.getTime() + 3_000;
    await new Promise((resolve) => setTimeout(resolve, runsOut - Date.now()));
    await new CallLeases('b', 1_000).attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 }).claim(KEY, await kv.get(KEY));
    expect(await mark()).toMatchObject({ holder: 'b#1' });

    // Run out by the broker's clock too: written with a lease of 1 ms.
    await kv.put(KEY, JSON.stringify({ sent: true, holder: 'c#1', until: Date.now() - 1, ttl: 1 }));
    const metrics = createRuntimeMetrics(async () => new Map());
    await new CallLeases('b', 1_000, metrics)
      .attempt(kv, { ttlMs: 30_000, commitWindowMs: 0 })
      .claim(KEY, await kv.get(KEY));
    expect(await mark()).toMatchObject({ holder: 'b#1' });
    expect((await metrics.leasesTakenOver.get()).values[0].value).toBe(1);
  });

  it("a reader whose wall clock runs an hour behind the broker's takes a dead holder's lease over once it ran out; one an hour ahead never takes a live one", async () => {
    await bucket();
    const realNow = Date.now.bind(Date);
    const terms = { ttlMs: 3_000, commitWindowMs: 0 };
    // A holder on the broker's clock (this machine's) that dies: its lease runs out 3 s after its write.
    await new CallLeases('a', 1_000, undefined, { now: realNow }).attempt(kv, terms).claim(KEY, null);
    const written = (await kv.get(KEY))!;
    let offset = -3_600_000;
    const local = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
    try {
      const behind = new BrokerClock(kv, 'b');
      await behind.start();
      behind.stop();
      const b = new CallLeases('b', 1_000, undefined, behind);
      const held = await b
        .attempt(kv, terms)
        .claim(KEY, written)
        .catch((error: unknown) => error);
      expect(held).toMatchObject({ code: 'call-in-flight' });
      expect((held as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(3_000);
      // Asked again once it has run out: taken over, though by b's own clock it runs another hour.
      await new Promise((resolve) => setTimeout(resolve, written.created.getTime() + 3_000 - realNow() + 50));
      await b.attempt(kv, terms).claim(KEY, await kv.get(KEY));
      expect(await mark()).toMatchObject({ holder: 'b#1' });

      // b holds it (a live lease): c's wall clock runs an hour ahead, and c still finds it held.
      offset = 3_600_000;
      const ahead = new BrokerClock(kv, 'c');
      await ahead.start();
      ahead.stop();
      await expect(
        new CallLeases('c', 1_000, undefined, ahead).attempt(kv, terms).claim(KEY, await kv.get(KEY)),
      ).rejects.toMatchObject({ code: 'call-in-flight' });
      expect(await mark()).toMatchObject({ holder: 'b#1' });
    } finally {
      local.mockRestore();
    }
  });

  it("a reader whose estimate of the broker's clock runs ahead takes a live lease over early, then waits out the rest by the broker's timestamps", async () => {
    await bucket();
    const terms = { ttlMs: 3_000, commitWindowMs: 0 };
    await new CallLeases('a', 1_000).attempt(kv, terms).claim(KEY, null);
    const written = (await kv.get(KEY))!;
    const early = new CallLeases('b', 1_000, undefined, { now: () => Date.now() + 60_000 });
    await early.attempt(kv, terms).claim(KEY, written);
    expect(await mark()).toMatchObject({ holder: 'b#1' });
    // Not before a's lease ran out by the broker's clock: its last write's timestamp plus its ttl.
    expect(Date.now()).toBeGreaterThanOrEqual(written.created.getTime() + 3_000);
  });

  it('right before the call goes out: held long enough, renewed first when short, refused once another process took it', async () => {
    await bucket();
    // A 500 ms call timeout: the lease lasts 3.5 s; a call goes out only with 1.5 s of it left (timeout + heartbeat).
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: start });
    try {
      const metrics = createRuntimeMetrics(async () => new Map());
      const a = new CallLeases('a', 3_000, metrics).attempt(kv, { ttlMs: 3_500, commitWindowMs: 0 });
      await a.claim(KEY, await kv.get(KEY));
      expect(await a.holdsForCall(KEY)).toBe(true);
      expect((await mark())!.until).toBe(start + 3_500);
      // 2.5 s on (cut off from NATS at the gate, say): 1 s left is too short, so it renews first.
      vi.advanceTimersByTime(2_500);
      expect(await a.holdsForCall(KEY)).toBe(true);
      expect((await mark())!.until).toBe(start + 6_000);
      expect((await metrics.leasesRenewed.get()).values[0].value).toBe(1);
      // Another process took the lease over: the renewal's compare-and-set fails, and the call is not to be sent.
      await kv.put(KEY, JSON.stringify({ sent: true, holder: 'b#1', until: start + 9_000 }));
      vi.advanceTimersByTime(2_500);
      expect(await a.holdsForCall(KEY)).toBe(false);
      expect(await mark()).toMatchObject({ holder: 'b#1' });
      // A call this attempt does not hold (settled, or never claimed) is never to be sent under a lease.
      expect(await a.holdsForCall('orders.e1.other')).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a wall clock stepped back an hour while it holds a lease does not stretch it: the call is withdrawn once it ran out', async () => {
    await bucket();
    const start = Date.now();
    vi.useFakeTimers({ toFake: ['Date', 'performance'], now: start });
    try {
      // A 500 ms call timeout: the lease lasts 3.5 s past its last write.
      const a = new CallLeases('a', 3_000).attempt(kv, { ttlMs: 3_500, commitWindowMs: 0 });
      await a.claim(KEY, await kv.get(KEY));
      // NTP steps the clock back an hour; then 5 s pass at the gate, cut off from NATS, and the lease runs out.
      vi.setSystemTime(start - 3_600_000);
      vi.advanceTimersByTime(5_000);
      await kv.put(KEY, JSON.stringify({ sent: true, holder: 'b#1', until: start + 9_000 }));
      // By the stepped clock the lease would still have an hour to run; by the time that passed it has none.
      expect(await a.holdsForCall(KEY)).toBe(false);
      expect(await mark()).toMatchObject({ holder: 'b#1' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('renews what it holds with the heartbeat, and stops once the call settled', async () => {
    await bucket();
    const leases = new CallLeases('a', 300);
    const a = leases.attempt(kv, { ttlMs: 5_000, commitWindowMs: 0 });
    await a.claim(KEY, await kv.get(KEY));
    const claimed = (await kv.get(KEY))!;
    // A heartbeat a second on: the lease is written again (in the same millisecond its until may not move).
    leases.renew(performance.now() + 1_000);
    await waitFor(async () => (await kv.get(KEY))!.revision > claimed.revision, 'renewed');
    expect((await mark())!.holder).toBe(claimed.json<{ holder: string }>().holder);
    a.settled(KEY);
    await kv.put(KEY, JSON.stringify({ result: 1 }));
    leases.renew(performance.now() + 2_000);
    await a.end();
    expect((await kv.get(KEY))?.json()).toEqual({ result: 1 });
  });
});
