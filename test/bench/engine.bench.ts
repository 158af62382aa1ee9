/**
 * `npm run bench` (engine part): the raw JetStream ceiling of this machine, the engine end to end (HTTP webhook ->
 * JetStream -> JSONata transform of a Magento order -> the built-in `http` connector and HTTP stack (undici Pool) ->
 * a fake ERP -> ack), and ingest-to-delivered latency at half the measured throughput. Ends with one JSON line of
 * figures.
 *
 * Only the engine runs in this process. The load generator and the fake ERP are child processes with lean
 * keep-alive HTTP/1.1 on node:net (bench-http-client.ts, bench-http-server.ts), and nats-server is its own process.
 * On a machine with 2+ CPUs the engine is pinned to CPU 0 and the rest share CPU 1 (BENCH_PIN=0 turns pinning off);
 * the output says which layout ran and how busy each process was, and prints the run's CPU budget per delivered event
 * (each process, user and kernel, their sum and the events/s the machine's cores allow at that sum: cpu-budget.ts).
 * BENCH_RIG_PROFILE=<dir> writes V8 CPU profiles of the load generator and the fake ERP over the measured run;
 * BENCH_RIG_HTTP=node runs both on node:http instead, to compare what the rig costs.
 * The latency phase runs unpinned (BENCH_LATENCY_PIN=1 keeps the pinning), and says where its slowest 1 % spent
 * their time (latency-stages.ts). It is one even open loop on connections opened before it: a lead-in of 2 s,
 * printed apart as the "first burst", then the 6 s that p50 and p99 are taken over. Its recorder listens from the
 * warm-up on, so the measured run's CPU per event includes its handlers (BENCH_STAGES_LATE=1: only from the phase on).
 * To profile the engine alone: BENCH_PROFILE=<file.cpuprofile> writes a CPU profile of the engine process over the
 * measured run only, BENCH_HEAP_PROFILE=<file.heapprofile> a sampling heap profile of it (bytes allocated, collected
 * objects included); BENCH_SKIP_CEILING=1 skips the JetStream ceiling; BENCH_WARMUP and BENCH_EVENTS set the warm-up
 * (10,000) and the measured count (20,000); both runs print their figures per block of BENCH_BLOCK events (2,000).
 * The engine is the tsc build in dist/, as the package ships it, built first; BENCH_ENGINE=source runs the engine/
 * sources through tsx instead (shipped-engine.ts). The engine runs with the V8 flags `junction run` sets.
 * BENCH_PARTITIONS sets the partitions per integration (32; the engine's default is 16).
 * The broker's messages and bytes per event come from nats-server's monitoring endpoint (broker-traffic.ts);
 * BENCH_NATS_ARGS passes nats-server more arguments (`-profile <port>`: a Go CPU profile of the broker).
 * BENCH_INGEST=1 measures the ingest alone (webhook POST -> JetStream stored -> 202): the engine runs without its
 * workers, nothing is delivered, and the figures are per accepted order; no latency phase.
 */
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { setFlagsFromString } from 'node:v8';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { freePort, startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import { brokerCounters, ioCalls, monitoringArgs, perEvent as trafficPerEvent, trafficLine } from './broker-traffic.js';
import { ownCpuMs, ownCpuTimes, pinToCpu, procCpuMs, procCpuTimes, spawnBenchChild } from './bench-child.js';
import type { BenchChild } from './bench-child.js';
import { RIG_HTTP } from './bench-node-http.js';
import { budgetFigures, budgetLines, cpuBudget } from './cpu-budget.js';
import type { ProcessCpu } from './cpu-budget.js';
import { compileBenchSpecs } from './engine-bench-fixtures.js';
import { loadBenchEngine } from './shipped-engine.js';
import { useEngineV8Flags } from '../../engine/cli/engine-v8-flags.js';
import { LatencyStages } from './latency-stages.js';
import type { TailSummary } from './latency-stages.js';
import { RunSampler, blocksOf } from './run-blocks.js';
import type { Block } from './run-blocks.js';

const CEILING_MESSAGES = 30_000;
/**
 * Events before the measured run (BENCH_WARMUP). A fresh engine spends 2-3 times the steady CPU per event on its
 * first few thousand (V8 has not optimised the hot path yet); on the 2-core VM it cost what a warm one does after
 * 4,000 deliveries (docs/performance.md, "Warm-up and steady state"), so a run of 3,000 after 300 measured mostly that.
 */
const WARM_UP_EVENTS = Number(process.env.BENCH_WARMUP) || 10_000;
/** Events of the measured run (BENCH_EVENTS). */
const ENGINE_EVENTS = Number(process.env.BENCH_EVENTS) || 20_000;
/** Events per block of the per-block figures (BENCH_BLOCK). */
const BLOCK_EVENTS = Number(process.env.BENCH_BLOCK) || 2_000;
const LATENCY_SECONDS = 6;
/** Partitions per integration (BENCH_PARTITIONS; the engine's default is 16). */
const PARTITIONS = Number(process.env.BENCH_PARTITIONS) || 32;
/** BENCH_INGEST=1: an engine without workers, so a run's CPU is the ingest's alone, per accepted order. */
const INGEST_ONLY = process.env.BENCH_INGEST === '1';

/** Publish (window of 1000 PubAcks in flight) and consume (callback, explicit ack) 1 KB messages concurrently. */
async function jetstreamCeiling(url: string): Promise<number> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'] });
  await jsm.consumers.add('BENCH', {
    durable_name: 'bench',
    ack_policy: AckPolicy.Explicit,
    max_ack_pending: 20_000,
    ack_wait: 30_000_000_000,
  });
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
  while ((await jsm.consumers.info('BENCH', 'bench')).ack_floor.stream_seq < CEILING_MESSAGES)
    await new Promise((r) => setTimeout(r, 5));
  const perSecond = CEILING_MESSAGES / ((performance.now() - start) / 1000);
  await jsm.streams.delete('BENCH');
  await nc.close();
  return perSecond;
}

const here = dirname(fileURLToPath(import.meta.url));
const CONCURRENCY = 48;

interface CpuSample {
  engine: ProcessCpu;
  nats: ProcessCpu | undefined;
  loadgen: ProcessCpu;
  target: ProcessCpu;
}

async function cpuSample(natsPid: number, loadgen: BenchChild, target: BenchChild): Promise<CpuSample> {
  const [l, t] = await Promise.all([loadgen.call<ProcessCpu>('cpuTimes'), target.call<ProcessCpu>('cpuTimes')]);
  return { engine: ownCpuTimes(), nats: procCpuTimes(natsPid), loadgen: l, target: t };
}

/** CPU per event of each process between two samples, user and kernel apart. */
function cpuPerEvent(before: CpuSample, after: CpuSample, events: number): CpuSample {
  const per = (a: ProcessCpu | undefined, b: ProcessCpu | undefined) =>
    a && b && { user: (b.user - a.user) / events, system: (b.system - a.system) / events };
  return {
    engine: per(before.engine, after.engine)!,
    nats: per(before.nats, after.nats),
    loadgen: per(before.loadgen, after.loadgen)!,
    target: per(before.target, after.target)!,
  };
}

/**
 * BENCH_RIG_PROFILE=<dir>: V8 CPU profiles of the load generator and the fake ERP over the measured run
 * (<dir>/loadgen.cpuprofile, <dir>/target.cpuprofile), to see where the rig's own CPU goes.
 */
const RIG_PROFILE_DIR = process.env.BENCH_RIG_PROFILE;

/**
 * Closed loop: CONCURRENCY senders until orders `from` .. `from + count - 1` (prepared before) are accepted; timed
 * until the ERP has them all. Also cut into blocks of BLOCK_EVENTS delivered events (run-blocks.ts), to show whether
 * the run was steady. With INGEST_ONLY nothing is delivered: timed until the last 202, blocks of accepted orders.
 */
async function engineThroughput(
  url: string,
  children: { loadgen: BenchChild; target: BenchChild; natsPid: number },
  from: number,
  count: number,
  /** Leave the loop's connections open for the latency phase's open loop. */
  keepOpen = false,
): Promise<{ perS: number; wallMs: number; blocks: Block[] }> {
  const { loadgen, target, natsPid } = children;
  const sampler = new RunSampler(async () => {
    const [{ keys }, accepted] = await Promise.all([
      target.call<{ keys: number }>('counts'),
      loadgen.call<number>('accepted'),
    ]);
    const cpuMs = { engine: ownCpuMs(), nats: procCpuMs(natsPid) };
    return { at: performance.now(), delivered: INGEST_ONLY ? accepted - from : keys - from, accepted, cpuMs };
  });
  await sampler.start();
  const start = performance.now();
  await loadgen.call('closedLoop', { url, concurrency: CONCURRENCY, first: from, end: from + count, keepOpen });
  if (!INGEST_ONLY) await target.call('waitFor', { count: from + count });
  const wallMs = performance.now() - start;
  const blocks = blocksOf(await sampler.stop(), BLOCK_EVENTS);
  return { perS: count / (wallMs / 1000), wallMs, blocks };
}

/** `engine/nats-server CPU ms per delivered event @ events/s, accepted meanwhile` per block, on one line. */
const blockLine = (blocks: Block[]) =>
  blocks
    .map((b) => {
      const { engine, nats } = b.cpuMsPerEvent;
      const cpu = `${engine!.toFixed(2)}/${nats === undefined ? 'n/a' : nats.toFixed(2)}`;
      return `${cpu} @ ${Math.round(b.perS)}/s, ${b.accepted} in`;
    })
    .join(' | ');

/**
 * Seconds of lead-in at the phase's rate before the timed LATENCY_SECONDS, in one even open loop on connections opened
 * before it; its latencies are printed apart ("first burst"). Without it the timed phase began with a second of
 * 25-450 ms latencies that set its p99: the loop's first 64 POSTs each opened a connection, and the phase's start made
 * V8 throw away the hot path's optimised code (latency-stages.ts subscribes to diagnostics channels that node's HTTP
 * server, undici and the engine check, and the loop's orders carry one header more than the measured run's), so the
 * engine ran slower code until V8 optimised it again, and fell behind
 * (docs/performance.md, "p99 at half load, session 16"). Since session 17 the recorder is subscribed and every order
 * names itself from the warm-up on, so the phase's start no longer changes what the hot path's code was optimised for.
 */
const LEAD_IN_SECONDS = 2;
/**
 * BENCH_STAGES_LATE=1: the recorder subscribes only as the latency phase starts (as before session 17), so the measured
 * run's CPU per event carries none of its handlers: a pair with and without it gives the recorder's own cost.
 */
const STAGES_LATE = process.env.BENCH_STAGES_LATE === '1';
/** BENCH_LATENCY_IDLE: seconds the engine idles before the latency phase (a user's first orders after quiet). */
const IDLE_SECONDS = Number(process.env.BENCH_LATENCY_IDLE) || 0;

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

function percentiles(latencies: number[]): Percentiles {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
  return { p50: at(50), p99: at(99), max: Math.round(sorted[sorted.length - 1] * 10) / 10 };
}

/** Events over `ms` per 100 ms of POST time from `start`, as `a/b/c...` (the first burst's shape, load or not). */
function slowPer100Ms(events: { at: number; latency: number }[], start: number, ms: number): string {
  const bins: number[] = [];
  for (const e of events) {
    const bin = Math.floor((e.at - start) / 100);
    while (bins.length <= bin) bins.push(0);
    if (e.latency > ms) bins[bin]++;
  }
  return bins.join('/');
}

/**
 * Open loop at `rate`/s: LEAD_IN_SECONDS of lead-in, then LATENCY_SECONDS timed; latency from the start of the
 * webhook POST to the ERP's receipt, the timed events' and the lead-in's apart.
 */
async function latency(
  url: string,
  loadgen: BenchChild,
  target: BenchChild,
  from: number,
  rate: number,
  stages: LatencyStages,
): Promise<Percentiles & { tail: TailSummary; posted: number; firstBurst: string[]; firstBurstP99: number }> {
  const leadIn = Math.round(rate * LEAD_IN_SECONDS);
  const count = Math.max(50, Math.round(rate * LATENCY_SECONDS));
  await loadgen.call('prepare', { url, from, count: leadIn + count, nameOrders: true });
  if (IDLE_SECONDS > 0) await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
  const traceDeopt = process.env.BENCH_TRACE_DEOPT === '1';
  if (traceDeopt) {
    setFlagsFromString('--trace-deopt');
    console.log(`--- latency phase starts (trace-deopt on)`);
  }
  stages.start();
  const marker = traceDeopt
    ? setTimeout(() => console.log('--- about the end of the lead-in'), LEAD_IN_SECONDS * 1000 + 50)
    : undefined;
  let loop: { sent: { order: number; key: string; at: number }[]; openedInLoop: number; connections: number };
  try {
    // The loop sends on the connections the measured run left open, as a steady sender's next orders would: fresh
    // ones, even opened by a GET each before the clock, made V8 drop node's optimised HTTP server code as it began.
    loop = await loadgen.call<typeof loop>('openLoop', { url, rate, reuse: true, openFirst: true });
    await target.call('waitFor', { count: from + leadIn + count });
  } finally {
    stages.stop();
    clearTimeout(marker);
    if (traceDeopt) {
      setFlagsFromString('--no-trace-deopt');
      console.log('--- latency phase ends');
    }
  }
  const { sent, openedInLoop, connections } = loop;
  const arrived = await target.call<(number | null)[]>('arrivals', { keys: sent.map((s) => s.key) });
  const events = sent.map((s, i) => ({
    order: s.order,
    at: s.at,
    latency: arrived[i]! - s.at,
    receivedAt: arrived[i]!,
  }));
  const [lead, timed] = [events.slice(0, leadIn), events.slice(leadIn)];
  const traced = (of: typeof events) => of.map((e) => ({ order: e.order, postedAt: e.at, receivedAt: e.receivedAt }));
  // The lead-in's own breakdown first: its stalls and GC pauses count from its first POST, the timed part's from its.
  const leadStages = stages.summarise(traced(lead)).lines.slice(0, 2);
  const tail = stages.summarise(traced(timed));
  const first = percentiles(lead.map((e) => e.latency));
  const cpu = (values: number[]) => values.map((v) => v.toFixed(2)).join('/');
  const leadEnd = timed[0]?.at ?? lead[lead.length - 1].at;
  const slow = timed.filter((e) => e.latency > 25).length;
  const firstBurst = [
    `first burst (the lead-in, left out of p50/p99: the loop's first ${lead.length} events, ${LEAD_IN_SECONDS} s at the ` +
      `same rate): p50 ${first.p50} ms, p99 ${first.p99} ms, max ${first.max} ms`,
    `  events over 25 ms per 100 ms of POST time, lead-in: ${slowPer100Ms(lead, lead[0].at, 25)}; timed: ${slow} of ` +
      `${timed.length}; connections the loop opened: ${openedInLoop} (of ${connections}; the others were open before it)`,
    ...leadStages.map((line) => `  lead-in ${line.trim()}`),
    `  engine main thread's cpu ms per settled event, per 250 ms of the lead-in: ` +
      `${cpu(stages.cpuPerEvent(lead[0].at, leadEnd, 250))}; per second of the timed part: ` +
      `${cpu(stages.cpuPerEvent(leadEnd, events[events.length - 1].receivedAt, 1000))}`,
  ];
  return {
    ...percentiles(timed.map((e) => e.latency)),
    tail,
    posted: sent.length,
    firstBurst,
    firstBurstP99: first.p99,
  };
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

async function benchEngine(): Promise<Record<string, number | string>> {
  const { code, describe, createWiring, startEngine } = await loadBenchEngine();
  // This process runs the engine: with the V8 flags `junction run` sets (engine-v8-flags.ts).
  useEngineV8Flags();
  console.log(describe);
  const root = await mkdtemp(join(tmpdir(), 'junction-bench-'));
  // Its monitoring port gives the broker's message and byte counts (broker-traffic.ts). BENCH_NATS_ARGS adds
  // arguments, e.g. `-profile <port>` for a Go CPU profile of nats-server (/debug/pprof/profile on that port).
  const monitorPort = await freePort();
  const natsArgs = [...monitoringArgs(monitorPort), ...(process.env.BENCH_NATS_ARGS?.split(' ').filter(Boolean) ?? [])];
  const nats = await startNatsServer({ storeDir: join(root, 'js'), args: natsArgs });
  const children: BenchChild[] = [];
  try {
    const ceiling = process.env.BENCH_SKIP_CEILING === '1' ? undefined : await jetstreamCeiling(nats.url);
    if (ceiling)
      console.log(
        `jetstream ceiling: ${Math.round(ceiling)} msgs/s (1 KB, publish window 1000 + consume callback + ack, concurrent, one client process + nats-server, unpinned)`,
      );
    const target = await spawnBenchChild(join(here, 'bench-target.ts'));
    children.push(target);
    const loadgen = await spawnBenchChild(join(here, 'bench-loadgen.ts'));
    children.push(loadgen);
    const pin = process.env.BENCH_PIN !== '0' && cpus().length >= 2;
    const pinned =
      pin && pinToCpu(process.pid, 0) && pinToCpu(nats.pid, 1) && pinToCpu(loadgen.pid, 1) && pinToCpu(target.pid, 1);
    const layout = pinned
      ? 'engine alone on cpu0; nats-server, load generator and fake ERP share cpu1'
      : `unpinned: engine, nats-server, load generator and fake ERP share ${cpus().length} cpus`;
    console.log(`layout: ${layout}`);
    console.log(
      RIG_HTTP === 'node'
        ? 'rig: load generator and fake ERP on node:http (BENCH_RIG_HTTP=node)'
        : 'rig: load generator and fake ERP on lean HTTP/1.1 over node:net (BENCH_RIG_HTTP=node: node:http)',
    );

    const erpUrl = await target.call<string>('url');
    // The fake ERP on loopback is the one private host the engine may reach.
    const wiring = createWiring({
      security: { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(erpUrl).host] } },
    });
    const specSet = compileBenchSpecs(wiring, erpUrl);
    const engine = await startEngine({
      specSet,
      invoker: wiring.invokerFactory,
      natsUrl: nats.url,
      port: 0,
      host: '127.0.0.1',
      tuning: { partitions: PARTITIONS },
      logger: pino({ level: 'silent' }),
      ...(INGEST_ONLY ? { roles: { workers: false } } : {}),
    });
    try {
      const children = { loadgen, target, natsPid: nats.pid };
      // Both runs' orders are built first (seconds for 30,000): the measured run starts as soon as the warm-up's
      // orders reached the ERP, with nothing between the two loops.
      // The recorder of the latency stages listens from the first event on, and every order names itself in the same
      // header: subscribing, or a new header, as the latency phase starts would make V8 drop optimised code then.
      const stages = new LatencyStages();
      if (!INGEST_ONLY && !STAGES_LATE) stages.attach();
      await loadgen.call('prepare', {
        url: engine.url!,
        from: 0,
        count: WARM_UP_EVENTS + ENGINE_EVENTS,
        nameOrders: true,
      });
      const warmUp = await engineThroughput(engine.url!, children, 0, WARM_UP_EVENTS);
      console.log(
        `warm-up, ${WARM_UP_EVENTS} events: ${Math.round(warmUp.perS)} events/s; per block of ${BLOCK_EVENTS} (engine/nats-server cpu ms per delivered event @ events/s delivered, orders accepted meanwhile): ${blockLine(warmUp.blocks)}`,
      );
      const profiler = process.env.BENCH_PROFILE ? new Session() : undefined;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      const heapProfiler = process.env.BENCH_HEAP_PROFILE ? new Session() : undefined;
      if (heapProfiler) {
        heapProfiler.connect();
        // Objects collected by GC stay in the profile: it counts the bytes allocated, not the bytes retained.
        await heapProfiler.post('HeapProfiler.startSampling', {
          samplingInterval: 16_384,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        });
      }
      const trafficBefore = await brokerCounters(monitorPort);
      const [ioBefore, natsIoBefore] = [ioCalls('self'), ioCalls(nats.pid)];
      if (RIG_PROFILE_DIR) await Promise.all([loadgen.call('startProfile'), target.call('startProfile')]);
      const before = await cpuSample(nats.pid, loadgen, target);
      const run = await engineThroughput(engine.url!, children, WARM_UP_EVENTS, ENGINE_EVENTS, !INGEST_ONLY);
      const after = await cpuSample(nats.pid, loadgen, target);
      if (RIG_PROFILE_DIR) {
        const [l, t] = [join(RIG_PROFILE_DIR, 'loadgen.cpuprofile'), join(RIG_PROFILE_DIR, 'target.cpuprofile')];
        await Promise.all([loadgen.call('stopProfile', { file: l }), target.call('stopProfile', { file: t })]);
        console.log(`cpu profiles of the rig over the measured run: ${l}, ${t}`);
      }
      const [ioAfter, natsIoAfter] = [ioCalls('self'), ioCalls(nats.pid)];
      const traffic = trafficPerEvent(trafficBefore, await brokerCounters(monitorPort), ENGINE_EVENTS);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
        profiler.disconnect();
        console.log(`cpu profile of the measured run: ${process.env.BENCH_PROFILE}`);
      }
      if (heapProfiler) {
        const { profile } = await heapProfiler.post('HeapProfiler.stopSampling');
        await writeFile(process.env.BENCH_HEAP_PROFILE!, JSON.stringify(profile));
        heapProfiler.disconnect();
        console.log(`heap sampling profile of the measured run: ${process.env.BENCH_HEAP_PROFILE}`);
      }
      const cpu = cpuPerEvent(before, after, ENGINE_EVENTS);
      const perEvent = (k: keyof CpuSample) => cpu[k] && cpu[k].user + cpu[k].system;
      const busy = (k: keyof CpuSample) => {
        const v = perEvent(k);
        return v === undefined ? undefined : (v * ENGINE_EVENTS) / run.wallMs;
      };
      const budget = cpuBudget(cpu, run.perS, cpus().length, pinned);
      const pct = (v: number | undefined) => (v === undefined ? 'n/a' : `${Math.round(v * 100)}%`);
      const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(2)} ms`);
      console.log(
        INGEST_ONLY
          ? `ingest alone: ${Math.round(run.perS)} orders/s (${ENGINE_EVENTS} Magento orders after ${WARM_UP_EVENTS} of warm-up, webhook POST -> JetStream stored -> 202, no workers, ${PARTITIONS} partitions, ${CONCURRENCY} senders); cpu figures below are per accepted order`
          : `engine end to end: ${Math.round(run.perS)} events/s (${ENGINE_EVENTS} Magento orders after ${WARM_UP_EVENTS} of warm-up -> ERP orders via the http connector, ${PARTITIONS} partitions, ${CONCURRENCY} senders)`,
      );
      console.log(`measured run, per block of ${BLOCK_EVENTS}: ${blockLine(run.blocks)}`);
      console.log(
        `cpu per event: engine ${ms(perEvent('engine'))}, nats-server ${ms(perEvent('nats'))}, load generator ${ms(perEvent('loadgen'))}, fake ERP ${ms(perEvent('target'))}`,
      );
      console.log(
        `cpu busy (of one core): engine ${pct(busy('engine'))}, nats-server ${pct(busy('nats'))}, load generator ${pct(busy('loadgen'))}, fake ERP ${pct(busy('target'))}`,
      );
      for (const line of budgetLines(budget)) console.log(line);
      console.log(trafficLine('measured run', traffic));
      const callsLine = (
        who: string,
        before: ReturnType<typeof ioCalls>,
        after: ReturnType<typeof ioCalls>,
      ): string | undefined =>
        before && after
          ? `${who} ${((after.reads - before.reads) / ENGINE_EVENTS).toFixed(2)} reads, ${((after.writes - before.writes) / ENGINE_EVENTS).toFixed(2)} writes`
          : undefined;
      const calls = [callsLine('engine', ioBefore, ioAfter), callsLine('nats-server', natsIoBefore, natsIoAfter)];
      if (calls.every(Boolean))
        console.log(`system calls per event (measured run, /proc/<pid>/io): ${calls.join('; ')}`);
      const figures = {
        ...(ceiling ? { jetstream_ceiling_per_s: Math.round(ceiling) } : {}),
        warmup_events: WARM_UP_EVENTS,
        events: ENGINE_EVENTS,
        engine_per_s: Math.round(run.perS),
        ...(ceiling ? { ratio: round3(run.perS / ceiling) } : {}),
      };
      const cpuFigures = {
        engine_cpu_ms_per_event: round3(perEvent('engine')!),
        engine_cpu_busy: round3(busy('engine')!),
        ...(perEvent('nats') === undefined ? {} : { nats_cpu_ms_per_event: round3(perEvent('nats')!) }),
        broker_msgs_per_event: round3(traffic.inMsgs + traffic.outMsgs),
        broker_kb_per_event: round3((traffic.inBytes + traffic.outBytes) / 1024),
        ...budgetFigures(budget),
        pinned: pinned ? 1 : 0,
        rig_http: RIG_HTTP,
      };
      if (INGEST_ONLY) return { ...figures, ...cpuFigures, ingest_only: 1, engine_code: code };
      const counts = await target.call<{ keys: number; requests: number }>('counts');
      if (counts.requests !== counts.keys)
        console.log(`note: the ERP got ${counts.requests} writes for ${counts.keys} orders (redeliveries)`);
      // Pinned, the engine's main thread waits for cpu0 whenever anything else runs there (its own GC and compiler
      // threads, other processes pushed off the busier cpu1), and those waits were the whole tail: the latency phase
      // runs unpinned unless BENCH_LATENCY_PIN=1 (docs/performance.md, "Latency at half load").
      const latencyPinned = pinned && process.env.BENCH_LATENCY_PIN === '1';
      if (pinned && !latencyPinned) {
        const all = `0-${cpus().length - 1}`;
        for (const pid of [process.pid, nats.pid, loadgen.pid, target.pid]) pinToCpu(pid, all);
      }
      // Half the measured throughput unless BENCH_LATENCY_RATE names a rate (events/s), to compare runs at one rate.
      const latencyRate = Number(process.env.BENCH_LATENCY_RATE) || run.perS / 2;
      const latencyTrafficBefore = await brokerCounters(monitorPort);
      const {
        p50,
        p99,
        tail,
        posted: latencyEvents,
        firstBurst,
        firstBurstP99,
      } = await latency(engine.url!, loadgen, target, WARM_UP_EVENTS + ENGINE_EVENTS, latencyRate, stages);
      const latencyTraffic = trafficPerEvent(latencyTrafficBefore, await brokerCounters(monitorPort), latencyEvents);
      console.log(
        `latency at ${Math.round(latencyRate)} events/s: p50 ${p50} ms, p99 ${p99} ms (webhook POST -> ERP receipt, the ${LATENCY_SECONDS} s after a ${LEAD_IN_SECONDS} s lead-in, ${latencyPinned ? 'pinned as above' : 'unpinned'})`,
      );
      for (const line of [...tail.lines, ...firstBurst]) console.log(line);
      console.log(trafficLine('latency phase', latencyTraffic));
      return {
        ...figures,
        p50_ms: p50,
        p99_ms: p99,
        first_burst_p99_ms: firstBurstP99,
        p99_stage: tail.dominant,
        ...cpuFigures,
        latency_pinned: latencyPinned ? 1 : 0,
        engine_code: code,
      };
    } finally {
      await engine.stop();
    }
  } finally {
    for (const child of children) await child.stop();
    await nats.stop();
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchEngine();
  console.log(JSON.stringify(figures));
}
