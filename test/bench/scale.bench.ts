/**
 * `npm run bench -- scale`: the engine as `junction run` runs it, in its own processes, for two figures of issue #16:
 *   memory   peak RSS of one engine process with 100 integrations (16 partitions each, so 1,600 partition consumers)
 *            while orders go through all of them round-robin at a steady rate (target: 200 MB or less);
 *   scaling  events/s of `junction run --workers 1` and `--workers 2` on the engine bench's integration (32
 *            partitions), and the ratio of the two.
 * The engine is the shipped command (`npm run build` first, then dist/engine/cli/junction.js): the sources through tsx
 * would add the compiler's memory. Each run gets its own nats-server and store. The load generator and the fake ERP
 * of the engine bench are child processes (bench-child.ts); nothing is pinned, so on a 2-core machine the engine
 * workers share the cores with nats-server, the load generator and the ERP. Prints figures only; ends with one JSON
 * line. The scaling runs measure BENCH_EVENTS orders (20,000) after BENCH_WARMUP (10,000), with events/s per block of
 * BENCH_BLOCK (2,000): a fresh engine needs a few thousand events before V8 has optimised its hot path (see
 * engine.bench.ts), and each of two workers sees half of them. The memory run sends BENCH_MEMORY_EVENTS (3,000) after
 * 300 at its steady rate.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import { spawnBenchChild } from './bench-child.js';
import type { BenchChild } from './bench-child.js';
import { BENCH_LOOKUPS, ORDER_INTEGRATION, erpConnection } from './engine-bench-fixtures.js';
import { buildShippedEngine } from './shipped-engine.js';
import { RunSampler, blocksOf } from './run-blocks.js';
import type { Block } from './run-blocks.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../..');
/** The command as the package ships it (compiled by `npm run build`), not the sources through tsx. */
const JUNCTION = join(ROOT, 'dist/engine/cli/junction.js');
const EVENTS = Number(process.env.BENCH_EVENTS) || 20_000;
const WARM_UP = Number(process.env.BENCH_WARMUP) || 10_000;
const BLOCK_EVENTS = Number(process.env.BENCH_BLOCK) || 2_000;
const MEMORY_EVENTS = Number(process.env.BENCH_MEMORY_EVENTS) || 3_000;
const MEMORY_WARM_UP = 300;
const CONCURRENCY = 48;
const MANY_INTEGRATIONS = 100;
/**
 * The memory run's steady rate (orders/s; BENCH_MEMORY_RATE). Not a flood: with 1,600 partitions a closed loop puts
 * every queued order in flight at once, and one fake ERP answering them all times out (the events are retried, then
 * dead-lettered), which measures the ERP, not the engine's memory.
 */
const MEMORY_RATE = Number(process.env.BENCH_MEMORY_RATE) || 100;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A spec directory with `count` copies of the bench integration (each its own webhook); returns their paths. */
async function writeSpecs(dir: string, erpUrl: string, count: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'erp.yaml'), erpConnection(erpUrl));
  for (const [file, text] of Object.entries(BENCH_LOOKUPS)) await writeFile(join(dir, file), text);
  const names =
    count === 1 ? ['magento-orders-to-erp'] : Array.from({ length: count }, (_, i) => `magento-orders-${i + 1}`);
  // Each copy owns an object of its own (a field has one owner); all of them write to the ERP's /orders/<key>.
  for (const [i, name] of names.entries()) {
    const text = ORDER_INTEGRATION.replace(/^name: .*$/m, `name: ${name}`);
    await writeFile(
      join(dir, `${name}.yaml`),
      count === 1 ? text : text.replaceAll('object: order', `object: order${i}`),
    );
  }
  return names.map((name) => `/hooks/${name}`);
}

interface Junction {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `junction run dir --workers n` against `natsUrl`; resolves once /readyz answers 200. */
async function startJunction(dir: string, natsUrl: string, erpUrl: string, workers: number, partitions: number) {
  const port = await freePort();
  const args = [
    ...[JUNCTION, 'run', dir, '--nats', natsUrl, '--host', '127.0.0.1', '--port', String(port)],
    ...['--operator-port', String(await freePort()), '--workers', String(workers), '--partitions', String(partitions)],
    ...['--allow-private-host', new URL(erpUrl).host, '--log-level', 'warn'],
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`junction run exited (${child.exitCode}) before it was ready:\n${stderr}`);
    const status = await fetch(`${url}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error('junction run was not ready within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return { url, child, stop } satisfies Junction;
}

/** Resident set size of a process (MB), from /proc. */
async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** How the orders are sent: a closed loop of CONCURRENCY senders, or an open loop at a fixed rate (orders/s). */
type Load = { closed: true } | { rate: number };

/**
 * Orders `from` .. `from + count - 1` (prepared before, each to its webhook); events/s until the ERP has them all,
 * overall and per block of BLOCK_EVENTS. Fails (naming how many arrived) when they are not all there within a minute
 * of the last POST: a bench never waits for ever.
 */
async function throughput(
  url: string,
  children: { loadgen: BenchChild; target: BenchChild },
  from: number,
  count: number,
  load: Load,
): Promise<{ perS: number; blocks: Block[] }> {
  const { loadgen, target } = children;
  const sampler = new RunSampler(async () => {
    const { keys } = await target.call<{ keys: number }>('counts');
    return { at: performance.now(), delivered: keys - from, cpuMs: {} };
  });
  await sampler.start();
  const start = performance.now();
  if ('rate' in load) await loadgen.call('openLoop', { url, rate: load.rate });
  else await loadgen.call('closedLoop', { url, concurrency: CONCURRENCY, first: from, end: from + count });
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), 60_000);
  });
  try {
    await Promise.race([target.call('waitFor', { count: from + count }), late]);
  } catch {
    const { keys } = await target.call<{ keys: number }>('counts');
    throw new Error(`the ERP got ${keys - from} of ${count} orders within 60 s of the last POST`);
  } finally {
    clearTimeout(timer);
  }
  const perS = count / ((performance.now() - start) / 1000);
  return { perS, blocks: blocksOf(await sampler.stop(), BLOCK_EVENTS) };
}

/** Events/s per block, on one line. */
const blockLine = (name: string, blocks: Block[]) =>
  `${name}, events/s per block of ${BLOCK_EVENTS}: ${blocks.map((b) => Math.round(b.perS)).join(' | ')}`;

export async function benchScale(): Promise<Record<string, number>> {
  buildShippedEngine();
  const root = await mkdtemp(join(tmpdir(), 'junction-scale-bench-'));
  const target = await spawnBenchChild(join(here, 'bench-target.ts'));
  const loadgen = await spawnBenchChild(join(here, 'bench-loadgen.ts'));
  const erpUrl = await target.call<string>('url');
  let next = 0;
  /**
   * One run on a fresh nats-server: a warm-up, then the measured orders while the engine process's RSS is sampled.
   * A closed loop's orders are all built first, so the measured run starts as soon as the warm-up reached the ERP.
   */
  const children = { loadgen, target };
  const run = async (
    name: string,
    shape: { integrations: number; workers: number; partitions: number },
    load: Load,
    counts: { warmUp: number; events: number },
  ) => {
    const { integrations, workers, partitions } = shape;
    const nats = await startNatsServer({ storeDir: join(root, `${name}-js`) });
    let junction: Junction | undefined;
    try {
      const paths = await writeSpecs(join(root, name), erpUrl, integrations);
      junction = await startJunction(join(root, name), nats.url, erpUrl, workers, partitions);
      const { url, child } = junction;
      const closed = !('rate' in load);
      const prepare = (from: number, count: number) =>
        loadgen.call('prepare', { url, from, count, paths, nameOrders: !closed });
      await prepare(next, closed ? counts.warmUp + counts.events : counts.warmUp);
      await throughput(url, children, next, counts.warmUp, load);
      next += counts.warmUp;
      if (!closed) await prepare(next, counts.events);
      let peakRss = 0;
      const sampler = setInterval(() => {
        void rssMb(child.pid!).then(
          (mb) => (peakRss = Math.max(peakRss, mb)),
          () => undefined,
        );
      }, 200);
      const { perS, blocks } = await throughput(url, children, next, counts.events, load);
      clearInterval(sampler);
      next += counts.events;
      return { perS, blocks, peakRss };
    } finally {
      await junction?.stop();
      await nats.stop();
    }
  };
  try {
    const many = await run(
      'memory',
      { integrations: MANY_INTEGRATIONS, workers: 1, partitions: 16 },
      { rate: MEMORY_RATE },
      { warmUp: MEMORY_WARM_UP, events: MEMORY_EVENTS },
    );
    console.log(
      `memory: one engine process with ${MANY_INTEGRATIONS} integrations (16 partitions each): peak RSS ${Math.round(many.peakRss)} MB under load (${MEMORY_EVENTS} orders round-robin at ${MEMORY_RATE}/s, ${Math.round(many.perS)} events/s delivered)`,
    );
    const scaling = { warmUp: WARM_UP, events: EVENTS };
    const one = await run('workers-1', { integrations: 1, workers: 1, partitions: 32 }, { closed: true }, scaling);
    console.log(blockLine('--workers 1', one.blocks));
    const two = await run('workers-2', { integrations: 1, workers: 2, partitions: 32 }, { closed: true }, scaling);
    console.log(blockLine('--workers 2', two.blocks));
    const ratio = two.perS / one.perS;
    console.log(
      `scaling: junction run --workers 1: ${Math.round(one.perS)} events/s; --workers 2: ${Math.round(two.perS)} events/s; ratio ${ratio.toFixed(2)} (${EVENTS} orders after ${WARM_UP} of warm-up, 32 partitions, ${CONCURRENCY} senders, unpinned)`,
    );
    return {
      rss_100_integrations_mb: Math.round(many.peakRss),
      warmup_events: WARM_UP,
      events: EVENTS,
      workers_1_per_s: Math.round(one.perS),
      workers_2_per_s: Math.round(two.perS),
      workers_2_to_1_ratio: Math.round(ratio * 100) / 100,
    };
  } finally {
    await loadgen.stop();
    await target.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchScale()));
}
