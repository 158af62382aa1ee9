/**
 * `npm run bench` (engine part): the raw JetStream ceiling of this machine, the engine end to end (HTTP webhook ->
 * JetStream -> JSONata transform of a Magento order -> HTTP delivery to a fake ERP -> ack), and ingest-to-delivered
 * latency at half the measured throughput. Ends with one JSON line of figures.
 */
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startEngine } from '../../engine/runtime/engine.js';
import { startNatsServer } from '../../engine/runtime/nats-server-process.js';
import { transformEngine } from '../../engine/transform/select-engine.js';
import { startFakeTarget } from '../runtime/helpers/fake-target.js';
import type { FakeTarget } from '../runtime/helpers/fake-target.js';
import { httpTestInvoker } from '../runtime/helpers/http-invoker.js';
import { compileRuntimeSpecs } from '../runtime/helpers/runtime-specs.js';
import { BENCH_LOOKUPS, ORDER_INTEGRATION, magentoOrder } from './engine-bench-fixtures.js';

const CEILING_MESSAGES = 30_000;
const ENGINE_EVENTS = 3_000;
const LATENCY_SECONDS = 6;

/** Publish (window of 1000 PubAcks in flight) and consume (callback, explicit ack) 1 KB messages concurrently. */
async function jetstreamCeiling(url: string): Promise<number> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'] });
  await jsm.consumers.add('BENCH', { durable_name: 'bench', ack_policy: AckPolicy.Explicit, max_ack_pending: 20_000, ack_wait: 30_000_000_000 });
  const payload = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1000) }).slice(0, 1024));
  const consumer = await js.consumers.get('BENCH', 'bench');
  const start = performance.now();
  let received = 0;
  const done = new Promise<void>((resolve) => {
    void consumer.consume({
      max_messages: 1000,
      callback: (m) => {
        m.ack();
        if (++received === CEILING_MESSAGES) resolve();
      },
    });
  });
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < CEILING_MESSAGES; i++) {
    const p = js.publish(`bench.${i % 16}`, payload).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 1000) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  await done;
  // The last acks are fire-and-forget: wait until the broker has them all.
  while ((await jsm.consumers.info('BENCH', 'bench')).ack_floor.stream_seq < CEILING_MESSAGES) await new Promise((r) => setTimeout(r, 5));
  const perSecond = CEILING_MESSAGES / ((performance.now() - start) / 1000);
  await jsm.streams.delete('BENCH');
  await nc.close();
  return perSecond;
}

/** Posts one order webhook; resolves with the HTTP status. */
async function postOrder(url: string, n: number): Promise<number> {
  const res = await fetch(`${url}/hooks/magento-orders-to-erp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(magentoOrder(n)) });
  await res.arrayBuffer();
  return res.status;
}

async function waitDelivered(target: FakeTarget, count: number): Promise<void> {
  while (target.records.size < count) await new Promise((r) => setTimeout(r, 5));
}

/** Closed loop: `concurrency` senders until `count` orders are posted; timed until the target has them all. */
async function engineThroughput(url: string, target: FakeTarget, from: number, count: number, concurrency = 48): Promise<number> {
  const start = performance.now();
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < from + count; n = next++) if ((await postOrder(url, n)) !== 202) throw new Error(`order ${n} refused`);
    }),
  );
  await waitDelivered(target, from + count - 1);
  return count / ((performance.now() - start) / 1000);
}

/** Open loop at `rate`/s for LATENCY_SECONDS: latency from the start of the webhook POST to the target's receipt. */
async function latency(url: string, target: FakeTarget, from: number, rate: number): Promise<{ p50: number; p99: number }> {
  const sentAt = new Map<string, number>();
  const total = Math.max(50, Math.round(rate * LATENCY_SECONDS));
  const start = performance.now();
  const posts: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const n = from + i;
    sentAt.set(`order-${100000000 + n}`, Date.now());
    posts.push(postOrder(url, n));
  }
  await Promise.all(posts);
  await waitDelivered(target, from + total - 1);
  const samples = target.requests.filter((r) => r.key && sentAt.has(r.key)).map((r) => r.at - sentAt.get(r.key!)!);
  samples.sort((a, b) => a - b);
  const pct = (p: number) => samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))];
  return { p50: pct(50), p99: pct(99) };
}

export async function benchEngine(): Promise<Record<string, number>> {
  const root = await mkdtemp(join(tmpdir(), 'junction-bench-'));
  const nats = await startNatsServer({ storeDir: join(root, 'js') });
  const target = await startFakeTarget();
  try {
    const ceiling = await jetstreamCeiling(nats.url);
    console.log(`jetstream ceiling: ${Math.round(ceiling)} msgs/s (1 KB, publish window 1000 + consume callback + ack, concurrent)`);
    const specSet = compileRuntimeSpecs(target.url, [ORDER_INTEGRATION], { extra: BENCH_LOOKUPS, engine: transformEngine() });
    const engine = await startEngine({ specSet, invoker: httpTestInvoker, natsUrl: nats.url, port: 0, host: '127.0.0.1', tuning: { partitions: 32 }, logger: pino({ level: 'silent' }) });
    try {
      await engineThroughput(engine.url!, target, 0, 300); // warm-up
      const enginePerS = await engineThroughput(engine.url!, target, 300, ENGINE_EVENTS);
      console.log(`engine end to end: ${Math.round(enginePerS)} events/s (${ENGINE_EVENTS} Magento orders -> ERP orders, 32 partitions)`);
      const { p50, p99 } = await latency(engine.url!, target, 300 + ENGINE_EVENTS, enginePerS / 2);
      console.log(`latency at ${Math.round(enginePerS / 2)} events/s: p50 ${p50} ms, p99 ${p99} ms (webhook POST -> target receipt)`);
      return { jetstream_ceiling_per_s: Math.round(ceiling), engine_per_s: Math.round(enginePerS), ratio: Number((enginePerS / ceiling).toFixed(3)), p50_ms: p50, p99_ms: p99 };
    } finally {
      await engine.stop();
    }
  } finally {
    await target.stop();
    await nats.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchEngine();
  console.log(JSON.stringify(figures));
}
