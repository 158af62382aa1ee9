/**
 * `npm run bench -- scale`: the engine as `junction run` runs it, in its own processes, for two figures of issue #16:
 *   memory   peak RSS of one engine process with 100 integrations (16 partitions each, so 1,600 partition consumers)
 *            while orders go through all of them round-robin at a steady rate (target: 200 MB or less);
 *   scaling  events/s of `junction run --workers 1` and `--workers 2` on the engine bench's integration (32
 *            partitions), and the ratio of the two;
 *   engine-bound scaling  the same on large orders (150 lines) with a heavy ERP mapping (large-order-fixtures.ts),
 *            where the engine processes, not nats-server or the rig, take most of the CPU: whether a second worker
 *            adds capacity on this machine. The CPU per event of the engines, nats-server and the rig, the share of
 *            the cores the bench had (well under 100 %: other work on the machine had the rest), and the events/s
 *            each run's CPU per event would allow with the cores to the bench alone.
 *   backlog drain  delivery alone, on the engine-bound runs' warm engines: the integration paused (`junction pause`),
 *            BENCH_LARGE_DRAIN_EVENTS (3,000) large orders stored, then resumed and timed from the first delivery to
 *            the last, with 1 and 2 workers. A closed loop measures ingest and delivery on the same event loops; the
 *            drain is what the engines can deliver, and its CPU per event what one more worker costs or saves.
 * Every scaling run says what each engine process did: webhooks taken in, orders delivered, CPU (worker-shares.ts);
 * the engine-bound runs also how many events waited in the stream (whether the engines ran dry), how busy the whole
 * machine was, and how much of the run each engine's event loop ran, waited for a core or had nothing to do
 * (backlog-drain.ts, cpu-accounting.ts).
 * The engine is the shipped command (`npm run build` first, then dist/engine/cli/junction.js): the sources through tsx
 * would add the compiler's memory. Each run gets its own nats-server and store. The load generator and the fake ERP
 * of the engine bench are child processes (bench-child.ts); nothing is pinned, so on a 2-core machine the engine
 * workers share the cores with nats-server, the load generator and the ERP. Prints figures only; ends with one JSON
 * line. The scaling runs measure BENCH_EVENTS orders (20,000) after BENCH_WARMUP (10,000), with events/s per block of
 * BENCH_BLOCK (2,000): a fresh engine needs a few thousand events before V8 has optimised its hot path (see
 * engine.bench.ts), and each of two workers sees half of them. The engine-bound runs measure BENCH_LARGE_EVENTS
 * (3,000) large orders after BENCH_LARGE_WARMUP (1,000). The memory run sends BENCH_MEMORY_EVENTS (3,000) after 300 at
 * its steady rate. BENCH_PROFILE_DIR=<dir> writes a CPU profile of every engine process there (the file names hold
 * the pids the runs print).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import { procCpuMs, spawnBenchChild } from './bench-child.js';
import type { BenchChild } from './bench-child.js';
import { BENCH_LOOKUPS, ORDER_INTEGRATION, erpConnection } from './engine-bench-fixtures.js';
import { LARGE_ORDER_INTEGRATION, LARGE_ORDER_LINES, LARGE_ORDER_LOOKUPS } from './large-order-fixtures.js';
import { buildShippedEngine } from './shipped-engine.js';
import { RunSampler, blocksOf } from './run-blocks.js';
import type { Block } from './run-blocks.js';
import { WorkerShareSampler, enginePids } from './worker-shares.js';
import { BacklogSampler, pauseOrResume, streamBacklog } from './backlog-drain.js';
import { eventLoopSched, eventLoopShares, machineCpuMs, ownAndReapedCpuMs } from './cpu-accounting.js';
import type { BacklogSummary } from './backlog-drain.js';
import { brokerCounters, ioCalls, monitoringArgs, perEvent as trafficPerEvent, trafficLine } from './broker-traffic.js';
import type { PortCounts, WorkerShare } from './worker-shares.js';

const here = dirname(fileURLToPath(import.meta.url));
const ROOT = join(here, '../..');
/** The command as the package ships it (compiled by `npm run build`), not the sources through tsx. */
const JUNCTION = join(ROOT, 'dist/engine/cli/junction.js');
const EVENTS = Number(process.env.BENCH_EVENTS) || 20_000;
const WARM_UP = Number(process.env.BENCH_WARMUP) || 10_000;
const LARGE_EVENTS = Number(process.env.BENCH_LARGE_EVENTS) || 3_000;
const LARGE_WARM_UP = Number(process.env.BENCH_LARGE_WARMUP) || 1_000;
const BLOCK_EVENTS = Number(process.env.BENCH_BLOCK) || 2_000;
const LARGE_BLOCK_EVENTS = 1_000;
const LARGE_DRAIN_EVENTS = Number(process.env.BENCH_LARGE_DRAIN_EVENTS) || 3_000;
/** Partitions of the scaling runs (BENCH_PARTITIONS): each holds one event in flight, so this caps the concurrency. */
const PARTITIONS = Number(process.env.BENCH_PARTITIONS) || 32;
/** BENCH_SCALE_ONLY=large: the engine-bound lines only (their JSON fields only), for working on them. */
const LARGE_ONLY = process.env.BENCH_SCALE_ONLY === 'large';
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
/** How long the engine processes' idle CPU is sampled after each run's warm-up (ms). */
const IDLE_SAMPLE_MS = 3_000;

/** What a run's engine is given and sent: the engine bench's order and mapping, or the large ones. */
interface Workload {
  integration: string;
  lookups: Record<string, string>;
  /** Lines per order for the load generator's large orders; none for the engine bench's order. */
  lines?: number;
}
const STANDARD: Workload = { integration: ORDER_INTEGRATION, lookups: BENCH_LOOKUPS };
const LARGE: Workload = {
  integration: LARGE_ORDER_INTEGRATION,
  lookups: LARGE_ORDER_LOOKUPS,
  lines: LARGE_ORDER_LINES,
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A spec directory with `count` copies of the workload's integration (each its own webhook); returns their paths. */
async function writeSpecs(dir: string, erpUrl: string, count: number, workload: Workload): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'erp.yaml'), erpConnection(erpUrl));
  for (const [file, text] of Object.entries(workload.lookups)) await writeFile(join(dir, file), text);
  const name = /^name: (.*)$/m.exec(workload.integration)![1];
  const names = count === 1 ? [name] : Array.from({ length: count }, (_, i) => `${name}-${i + 1}`);
  // Each copy owns an object of its own (a field has one owner); all of them write to the ERP's /orders/<key>.
  for (const [i, copy] of names.entries()) {
    const text = workload.integration.replace(/^name: .*$/m, `name: ${copy}`);
    await writeFile(
      join(dir, `${copy}.yaml`),
      count === 1 ? text : text.replaceAll('object: order', `object: order${i}`),
    );
  }
  return names.map((copy) => `/hooks/${copy}`);
}

interface Junction {
  url: string;
  child: ChildProcess;
  /** Its log so far (stdout: warnings and errors, the bench runs it with --log-level warn). */
  log(): string;
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
  // BENCH_PROFILE_DIR: a CPU profile of each engine process (the workers inherit the flags), named by its pid.
  const profile = process.env.BENCH_PROFILE_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
    : [];
  const child = spawn(process.execPath, [...profile, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
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
    // With --workers, /readyz may be answered by the first worker up: wait for every one to say it runs.
    if (status === 200 && stderr.split('engine running').length > workers) break;
    if (Date.now() > deadline) throw new Error('junction run was not ready within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  return { url, child, log: () => stdout, stop } satisfies Junction;
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
  blockEvents: number,
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
  return { perS, blocks: blocksOf(await sampler.stop(), blockEvents) };
}

/** Events/s per block, on one line. */
const blockLine = (name: string, run: { blocks: Block[]; blockEvents: number }) =>
  `${name}, events/s per block of ${run.blockEvents}: ${run.blocks.map((b) => Math.round(b.perS)).join(' | ')}`;

const pct = (share: number) => `${Math.round(share * 100)} %`;

/** What each engine process of a run did, on one line. */
function sharesLine(name: string, workers: WorkerShare[], unplaced: { ingested: number; delivered: number }): string {
  const ingested = workers.reduce((s, w) => s + w.ingested, 0) + unplaced.ingested;
  const delivered = workers.reduce((s, w) => s + w.delivered, 0) + unplaced.delivered;
  const each = workers.map(
    (w) =>
      `pid ${w.pid} took in ${w.ingested} (${pct(w.ingested / ingested)}, ${w.connections} connections), delivered ${w.delivered} (${pct(w.delivered / delivered)}), busy ${pct(w.busy)} of a core`,
  );
  const lost = unplaced.ingested + unplaced.delivered > 0;
  return `${name}, each engine process: ${each.join('; ')}${lost ? ` (not placed: ${unplaced.ingested} taken in, ${unplaced.delivered} delivered)` : ''}`;
}

/** The stream's backlog over a run and each engine process's busy share, on one line. */
function backlogLine(name: string, b: BacklogSummary): string {
  const busy = b.busy.map(([p10, p50]) => `${pct(p50)} (p10 ${pct(p10)})`).join(' + ');
  return `${name}, events waiting in the stream (p10 | p50 | p90): ${b.backlog.join(' | ')}; fewer than the partitions in ${pct(b.dryShare)} of the samples; each engine process busy (median of 250 ms samples) ${busy} of a core`;
}

/** The smallest share of the deliveries any engine process had (1 with one process). */
const smallestShare = (workers: WorkerShare[]) =>
  Math.min(...workers.map((w) => w.delivered)) / workers.reduce((s, w) => s + w.delivered, 0);

async function benchScale(): Promise<Record<string, number>> {
  buildShippedEngine();
  const root = await mkdtemp(join(tmpdir(), 'junction-scale-bench-'));
  const target = await spawnBenchChild(join(here, 'bench-target.ts'));
  const loadgen = await spawnBenchChild(join(here, 'bench-loadgen.ts'));
  const erpUrl = await target.call<string>('url');
  let next = 0;
  /** CPU time (ms) so far of nats-server, the load generator and the fake ERP. */
  const rigCpuMs = async (natsPid: number) => ({
    nats: procCpuMs(natsPid) ?? NaN,
    loadgen: await loadgen.call<number>('cpuMs'),
    target: await target.call<number>('cpuMs'),
  });
  /**
   * One run on a fresh nats-server: a warm-up, then the measured orders while the engine process's RSS, each engine
   * process's share and the CPU of the processes beside them are sampled. A closed loop's orders are all built first,
   * so the measured run starts as soon as the warm-up reached the ERP.
   */
  const children = { loadgen, target };
  /**
   * CPU so far (ms) of what runs besides the engines and the rig: the primary of `--workers N` (it relays the workers'
   * metrics) and this process (the samplers, `ss`); and of the whole machine.
   */
  const aroundCpu = (junctionPid: number, pids: number[]) => ({
    at: performance.now(),
    others: (pids.length > 1 ? (procCpuMs(junctionPid) ?? NaN) : 0) + ownAndReapedCpuMs(),
    machine: machineCpuMs(),
    loops: pids.map((pid) => eventLoopSched(pid)),
  });
  const aroundPerEvent = (
    before: ReturnType<typeof aroundCpu>,
    after: ReturnType<typeof aroundCpu>,
    events: number,
  ) => ({
    othersMs: (after.others - before.others) / events,
    machineBusy: (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total),
    loops: before.loops.map((b, i) => eventLoopShares(b, after.loops[i], after.at - before.at)),
  });
  const run = async (
    name: string,
    shape: { integrations: number; workers: number; partitions: number; workload: Workload },
    load: Load,
    counts: { warmUp: number; events: number; blockEvents: number; drain?: number },
  ) => {
    const { integrations, workers, partitions, workload } = shape;
    const dir = join(root, name.replace(/[^\w]+/g, '-'));
    // Its monitoring port gives the broker's message and byte counts (broker-traffic.ts).
    const monitorPort = await freePort();
    const nats = await startNatsServer({ storeDir: `${dir}-js`, args: monitoringArgs(monitorPort) });
    let junction: Junction | undefined;
    try {
      const paths = await writeSpecs(dir, erpUrl, integrations, workload);
      junction = await startJunction(dir, nats.url, erpUrl, workers, partitions);
      const { url, child } = junction;
      const closed = !('rate' in load);
      const prepare = (from: number, count: number) =>
        loadgen.call('prepare', { url, from, count, paths, nameOrders: !closed, lines: workload.lines });
      await prepare(next, closed ? counts.warmUp + counts.events : counts.warmUp);
      await throughput(url, children, next, counts.warmUp, load, counts.blockEvents);
      next += counts.warmUp;
      // What the engine processes spend with nothing to do (timers, pulls renewed on expiry, heartbeats): a cost per
      // second per process, which a slow run spreads over fewer events, and two processes pay twice.
      const pids = enginePids(child.pid!, workers);
      const idleFrom = pids.map((pid) => procCpuMs(pid) ?? NaN);
      await new Promise((r) => setTimeout(r, IDLE_SAMPLE_MS));
      const idleMsPerS =
        (pids.reduce((s, pid, i) => s + (procCpuMs(pid) ?? NaN) - idleFrom[i], 0) * 1000) / IDLE_SAMPLE_MS;
      if (!closed) await prepare(next, counts.events);
      let peakRss = 0;
      const sampler = setInterval(() => {
        void rssMb(child.pid!).then(
          (mb) => (peakRss = Math.max(peakRss, mb)),
          () => undefined,
        );
      }, 200);
      const ports = { ingest: Number(new URL(url).port), erp: Number(new URL(erpUrl).port) };
      const shares = new WorkerShareSampler(pids, ports);
      const counted = async () => ({
        ingested: await loadgen.call<PortCounts>('acceptedByLocalPort'),
        delivered: await target.call<PortCounts>('writesByPeerPort'),
      });
      const [before, rigBefore] = [await counted(), await rigCpuMs(nats.pid)];
      const aroundBefore = aroundCpu(child.pid!, pids);
      const [trafficBefore, ioBefore] = [await brokerCounters(monitorPort), pids.map((pid) => ioCalls(pid))];
      const backlogSampler = new BacklogSampler(monitorPort, pids);
      backlogSampler.start();
      shares.start();
      const { perS, blocks } = await throughput(url, children, next, counts.events, load, counts.blockEvents);
      const backlog = await backlogSampler.stop(partitions);
      const [after, rigAfter] = [await counted(), await rigCpuMs(nats.pid)];
      const around = aroundPerEvent(aroundBefore, aroundCpu(child.pid!, pids), counts.events);
      const traffic = trafficPerEvent(trafficBefore, await brokerCounters(monitorPort), counts.events);
      // Every engine process's read and write system calls per delivered event, summed: how well they batch.
      const ioAfter = pids.map((pid) => ioCalls(pid));
      const calls = (k: 'reads' | 'writes') =>
        ioAfter.reduce((s, a, i) => s + (a?.[k] ?? NaN) - (ioBefore[i]?.[k] ?? NaN), 0) / counts.events;
      if (closed) {
        console.log(`${name}: ${trafficLine('measured run', traffic)}`);
        console.log(
          `${name}: engine system calls per event, all processes (/proc/<pid>/io): ${calls('reads').toFixed(2)} reads, ${calls('writes').toFixed(2)} writes; idle after the warm-up, all processes: ${idleMsPerS.toFixed(1)} ms of CPU per second (${(idleMsPerS / perS).toFixed(3)} ms per event at this run's rate)`,
        );
      }
      const { workers: each, unplaced } = await shares.stop(
        { before: before.ingested, after: after.ingested },
        { before: before.delivered, after: after.delivered },
      );
      clearInterval(sampler);
      const rigMsPerEvent = (k: keyof typeof rigAfter) => (rigAfter[k] - rigBefore[k]) / counts.events;
      if (closed) {
        console.log(sharesLine(name, each, unplaced));
        console.log(backlogLine(name, backlog));
      }
      next += counts.events;
      const drained = counts.drain
        ? await drain(name, { junction, nats, monitorPort, pids, workload, paths }, counts.drain)
        : undefined;
      return {
        drained,
        perS,
        blocks,
        blockEvents: counts.blockEvents,
        peakRss,
        each,
        smallestShare: smallestShare(each),
        /** CPU per delivered event (ms): every engine process's together, and each process beside them. */
        engineMs: each.reduce((s, w) => s + w.cpuMs, 0) / counts.events,
        natsMs: rigMsPerEvent('nats'),
        rigMs: rigMsPerEvent('loadgen') + rigMsPerEvent('target'),
        ...around,
      };
    } finally {
      await junction?.stop();
      await nats.stop();
    }
  };
  /**
   * The drain of a stored backlog on a running, warm engine: the integration paused, `count` orders stored, then
   * resumed; events/s from the first delivery to the last, and every process's CPU per event over the drain.
   */
  const drain = async (
    name: string,
    at: {
      junction: Junction;
      nats: { url: string; pid: number };
      monitorPort: number;
      pids: number[];
      workload: Workload;
      paths: string[];
    },
    count: number,
  ) => {
    const { junction, nats, monitorPort, pids, workload, paths } = at;
    const integration = /^name: (.*)$/m.exec(workload.integration)![1];
    const pausedLines = () => junction.log().split('integration paused').length - 1;
    await pauseOrResume(JUNCTION, 'pause', integration, nats.url);
    // Every engine process stops pulling (its in-flight events finish; none are left after a closed loop's end).
    for (const deadline = Date.now() + 30_000; pausedLines() < pids.length;) {
      if (Date.now() > deadline) throw new Error(`${name}: not every engine process paused within 30 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const { url } = junction;
    await loadgen.call('prepare', { url, from: next, count, paths, nameOrders: false, lines: workload.lines });
    const { elapsedMs: ingestMs } = await loadgen.call<{ elapsedMs: number }>('closedLoop', {
      url,
      concurrency: CONCURRENCY,
    });
    const stored = await streamBacklog(monitorPort);
    if (stored !== count) throw new Error(`${name}: ${stored} events stored for the drain, not ${count}`);
    const ports = { ingest: Number(new URL(url).port), erp: Number(new URL(erpUrl).port) };
    const shares = new WorkerShareSampler(pids, ports);
    const [delivered, rigBefore] = [await target.call<PortCounts>('writesByPeerPort'), await rigCpuMs(nats.pid)];
    const cpuBefore = pids.map((pid) => procCpuMs(pid) ?? NaN);
    const aroundBefore = aroundCpu(junction.child.pid!, pids);
    const sampler = new RunSampler(async () => {
      const { keys } = await target.call<{ keys: number }>('counts');
      return { at: performance.now(), delivered: keys - next, cpuMs: {} };
    });
    await sampler.start();
    shares.start();
    await pauseOrResume(JUNCTION, 'resume', integration, nats.url);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timed out')), 120_000);
    });
    try {
      await Promise.race([target.call('waitFor', { count: next + count }), late]);
    } catch {
      const { keys } = await target.call<{ keys: number }>('counts');
      throw new Error(`${name}: the ERP got ${keys - next} of the ${count} stored orders within 120 s of the resume`);
    } finally {
      clearTimeout(timer);
    }
    const engineMs = pids.reduce((s, pid, i) => s + (procCpuMs(pid) ?? NaN) - cpuBefore[i], 0) / count;
    const rigAfter = await rigCpuMs(nats.pid);
    const around = aroundPerEvent(aroundBefore, aroundCpu(junction.child.pid!, pids), count);
    const { workers: each } = await shares.stop(
      { before: [], after: [] },
      { before: delivered, after: await target.call<PortCounts>('writesByPeerPort') },
    );
    const blocks = blocksOf(await sampler.stop(), LARGE_BLOCK_EVENTS);
    const keys = Array.from({ length: count }, (_, i) => `order-${100000000 + next + i}`);
    const arrived = (await target.call<(number | null)[]>('arrivals', { keys })).filter((t) => t !== null);
    const spanMs = Math.max(...arrived) - Math.min(...arrived);
    next += count;
    return {
      perS: (count - 1) / (spanMs / 1000),
      ingestPerS: count / (ingestMs / 1000),
      blocks,
      blockEvents: LARGE_BLOCK_EVENTS,
      each,
      engineMs,
      natsMs: (rigAfter.nats - rigBefore.nats) / count,
      rigMs: (rigAfter.loadgen - rigBefore.loadgen + rigAfter.target - rigBefore.target) / count,
      ...around,
    };
  };
  try {
    const round2 = (n: number) => Math.round(n * 100) / 100;
    const result: Record<string, number> = {};
    const closed = { closed: true } as const;
    const shape = (workers: number, workload: Workload) => ({
      integrations: 1,
      workers,
      partitions: PARTITIONS,
      workload,
    });
    if (!LARGE_ONLY) {
      const many = await run(
        'memory',
        { integrations: MANY_INTEGRATIONS, workers: 1, partitions: 16, workload: STANDARD },
        { rate: MEMORY_RATE },
        { warmUp: MEMORY_WARM_UP, events: MEMORY_EVENTS, blockEvents: BLOCK_EVENTS },
      );
      console.log(
        `memory: one engine process with ${MANY_INTEGRATIONS} integrations (16 partitions each): peak RSS ${Math.round(many.peakRss)} MB under load (${MEMORY_EVENTS} orders round-robin at ${MEMORY_RATE}/s, ${Math.round(many.perS)} events/s delivered)`,
      );
      const scaling = { warmUp: WARM_UP, events: EVENTS, blockEvents: BLOCK_EVENTS };
      const one = await run('--workers 1', shape(1, STANDARD), closed, scaling);
      console.log(blockLine('--workers 1', one));
      const two = await run('--workers 2', shape(2, STANDARD), closed, scaling);
      console.log(blockLine('--workers 2', two));
      const ratio = two.perS / one.perS;
      console.log(
        `scaling: junction run --workers 1: ${Math.round(one.perS)} events/s; --workers 2: ${Math.round(two.perS)} events/s; ratio ${ratio.toFixed(2)} (${EVENTS} orders after ${WARM_UP} of warm-up, ${PARTITIONS} partitions, ${CONCURRENCY} senders, unpinned; nats-server and the rig take about as much CPU per event as the engine, so this line cannot show scaling on 2 cores)`,
      );
      Object.assign(result, {
        rss_100_integrations_mb: Math.round(many.peakRss),
        warmup_events: WARM_UP,
        events: EVENTS,
        workers_1_per_s: Math.round(one.perS),
        workers_2_per_s: Math.round(two.perS),
        workers_2_to_1_ratio: round2(ratio),
        workers_2_smallest_delivery_share: round2(two.smallestShare),
      });
    }
    const large = {
      warmUp: LARGE_WARM_UP,
      events: LARGE_EVENTS,
      blockEvents: LARGE_BLOCK_EVENTS,
      drain: LARGE_DRAIN_EVENTS,
    };
    const largeOne = await run('large orders, --workers 1', shape(1, LARGE), closed, large);
    console.log(blockLine('large orders, --workers 1', largeOne));
    const largeTwo = await run('large orders, --workers 2', shape(2, LARGE), closed, large);
    console.log(blockLine('large orders, --workers 2', largeTwo));
    const largeRatio = largeTwo.perS / largeOne.perS;
    // The bench's processes' CPU over the run's cores: well under 100 % means other work on the machine had the rest,
    // and both runs measured what the scheduler gave them rather than what the engine can do.
    type Cpu = {
      perS: number;
      engineMs: number;
      natsMs: number;
      rigMs: number;
      othersMs: number;
      machineBusy: number;
      loops: { running: number; runnable: number; blocked: number }[];
      each: WorkerShare[];
    };
    const machineShare = (r: Cpu) => ((r.engineMs + r.natsMs + r.rigMs) * r.perS) / 1000 / cpus().length;
    const cpuLine = (r: Cpu) =>
      `engines ${r.engineMs.toFixed(2)} ms (busy ${r.each.map((w) => pct(w.busy)).join(' + ')} of a core), nats-server ${r.natsMs.toFixed(2)} ms, load generator + fake ERP ${r.rigMs.toFixed(2)} ms, junction primary + bench process ${r.othersMs.toFixed(2)} ms; the bench had ${pct(machineShare(r))} of the ${cpus().length} cores, which were ${pct(r.machineBusy)} busy (/proc/stat); event loops ran | waited for a core | had nothing to do: ${r.loops.map((l) => `${pct(l.running)} | ${pct(l.runnable)} | ${pct(l.blocked)}`).join(', ')}`;
    // What each run's CPU per event would allow with the machine's cores to the bench alone: N engine processes
    // deliver at most N / engine ms events per ms, and all the processes together at most cores / (every ms).
    const capacity = (r: Cpu, workers: number) =>
      1000 * Math.min(workers / r.engineMs, cpus().length / (r.engineMs + r.natsMs + r.rigMs));
    const [capacityOne, capacityTwo] = [capacity(largeOne, 1), capacity(largeTwo, 2)];
    console.log(
      `engine-bound scaling: ${LARGE_ORDER_LINES}-line orders through a heavy ERP mapping (per-line lookups, tax and warehouse aggregation), so the engine processes take most of the CPU and a second worker can add capacity; ${LARGE_EVENTS} orders after ${LARGE_WARM_UP} of warm-up, ${PARTITIONS} partitions, ${CONCURRENCY} senders, unpinned on ${cpus().length} cores`,
    );
    console.log(`  --workers 1: ${Math.round(largeOne.perS)} events/s; cpu per event: ${cpuLine(largeOne)}`);
    console.log(`  --workers 2: ${Math.round(largeTwo.perS)} events/s; cpu per event: ${cpuLine(largeTwo)}`);
    console.log(
      `  ratio ${largeRatio.toFixed(2)}; with the ${cpus().length} cores to the bench alone, each run's cpu per event would allow at most ${Math.round(capacityOne)} and ${Math.round(capacityTwo)} events/s: ratio ${(capacityTwo / capacityOne).toFixed(2)}`,
    );
    const [drainOne, drainTwo] = [largeOne.drained!, largeTwo.drained!];
    const drainRatio = drainTwo.perS / drainOne.perS;
    const [drainCapOne, drainCapTwo] = [capacity(drainOne, 1), capacity(drainTwo, 2)];
    console.log(
      `backlog drain (delivery alone): on the same warm engines, the integration paused (junction pause), ${LARGE_DRAIN_EVENTS} large orders stored, then resumed; events/s from the first delivery to the last`,
    );
    for (const [label, d] of [
      ['--workers 1', drainOne],
      ['--workers 2', drainTwo],
    ] as const) {
      console.log(blockLine(`  ${label} drain`, d));
      console.log(
        `  ${label}: ${Math.round(d.perS)} events/s (stored at ${Math.round(d.ingestPerS)}/s before); delivered ${d.each.map((w) => w.delivered).join(' + ')}; cpu per event: ${cpuLine(d)}; ${Math.round(1000 / d.engineMs)} events per engine CPU-second`,
      );
    }
    console.log(
      `  drain ratio ${drainRatio.toFixed(2)}; with the ${cpus().length} cores to the bench alone, each drain's cpu per event would allow at most ${Math.round(drainCapOne)} and ${Math.round(drainCapTwo)} events/s: ratio ${(drainCapTwo / drainCapOne).toFixed(2)}`,
    );
    return {
      ...result,
      large_events: LARGE_EVENTS,
      large_workers_1_per_s: Math.round(largeOne.perS),
      large_workers_2_per_s: Math.round(largeTwo.perS),
      large_workers_2_to_1_ratio: round2(largeRatio),
      large_workers_1_capacity_per_s: Math.round(capacityOne),
      large_workers_2_capacity_per_s: Math.round(capacityTwo),
      large_workers_1_engine_cpu_ms: round2(largeOne.engineMs),
      large_workers_2_engine_cpu_ms: round2(largeTwo.engineMs),
      large_workers_1_machine_share: round2(machineShare(largeOne)),
      large_workers_2_machine_share: round2(machineShare(largeTwo)),
      large_workers_2_smallest_delivery_share: round2(largeTwo.smallestShare),
      large_drain_events: LARGE_DRAIN_EVENTS,
      large_drain_workers_1_per_s: Math.round(drainOne.perS),
      large_drain_workers_2_per_s: Math.round(drainTwo.perS),
      large_drain_workers_2_to_1_ratio: round2(drainRatio),
      large_drain_workers_1_engine_cpu_ms: round2(drainOne.engineMs),
      large_drain_workers_2_engine_cpu_ms: round2(drainTwo.engineMs),
      large_drain_workers_1_per_engine_cpu_s: Math.round(1000 / drainOne.engineMs),
      large_drain_workers_2_per_engine_cpu_s: Math.round(1000 / drainTwo.engineMs),
      large_drain_workers_1_capacity_per_s: Math.round(drainCapOne),
      large_drain_workers_2_capacity_per_s: Math.round(drainCapTwo),
      large_drain_workers_1_machine_share: round2(machineShare(drainOne)),
      large_drain_workers_2_machine_share: round2(machineShare(drainTwo)),
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
