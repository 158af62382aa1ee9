/**
 * `npm run soak -- --events N`: the engine under random faults all along, then the oracle against the target's state.
 * Not in CI (it runs for minutes to an hour). Options: `--events` (100000), `--workers` (3 worker processes),
 * `--senders` (16 webhook senders), `--fault-every` (seconds between faults, 8), `--faults` (only the faults whose
 * names contain one of these comma-separated words, e.g. `blackhole,SIGKILL`).
 *
 * The world: a nats-server; an ingest-only engine in this process; worker-only engines in child processes that reach
 * NATS through a proxy that can blackhole; a fake target that records every write. The integration creates one
 * record per event (POST, which ignores Idempotency-Key, as the vendors do) with a `find` for lost answers, so a
 * duplicate delivery would show as a second write. While events are sent, one fault every few seconds, at random:
 * a worker SIGKILLed (and replaced), nats-server killed with -9 and restarted, the workers' network blackholed for 3 s,
 * or a spell of 5xx, 429 with Retry-After, or stalled answers from the target; 1 % of calls fail with 503 throughout.
 * Every 5 s a line: events accepted and delivered, throughput, lag (events, and seconds behind), the broker's store
 * on disk; at the end the same as a table over time (soak-timeline.ts). At the end, after the faults stop:
 * `lost=<accepted events neither written nor dead-lettered>, duplicates=<writes beyond one per event>,
 * dead-lettered=<n>` (no fault is permanent, so a dead letter is a finding; each is listed with its error); exit 1
 * unless all three are 0. `--max-minutes` (or SIGINT/SIGTERM) stops a run early with the figures so far: the
 * duplicates among the events written, and how many accepted events are unfinished (not checked for loss); exit 2.
 * Before the verdict, how often the duplicate windows opened (window-counts.ts), per engine still running.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { SoakTimeline, directoryMegabytes } from './soak-timeline.js';
import { addCounts, formatCounts, windowCounts } from './window-counts.js';
import { transformEngine } from '../../engine/transform/select-engine.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { RuntimeTuning } from '../../engine/runtime/runtime-options.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startFakeTarget } from '../runtime/helpers/fake-target.js';
import type { Fault } from '../runtime/helpers/fake-target.js';
import { httpTestInvoker } from '../runtime/helpers/http-invoker.js';
import { brokerBacklog } from '../runtime/helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, compileRuntimeSpecs, integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { startWebhookSender } from '../runtime/helpers/webhook-sender.js';
import { killAll, spawnWorker } from '../runtime/helpers/worker-processes.js';
import type { WorkerProcess } from '../runtime/helpers/worker-processes.js';
import type { WorkerConfig } from '../runtime/helpers/worker-main.js';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    workers: { type: 'string', default: '3' },
    senders: { type: 'string', default: '16' },
    'fault-every': { type: 'string', default: '8' },
    /** Only the faults whose names contain one of these words (comma-separated), e.g. `blackhole,SIGKILL`. */
    faults: { type: 'string', default: '' },
    /** Stop early after this many minutes and report the figures so far (a run that did not finish). */
    'max-minutes': { type: 'string', default: '0' },
  },
});
const EVENTS = Number(values.events);
const WORKERS = Number(values.workers);
const FAULT_EVERY_MS = Number(values['fault-every']) * 1000;

const CREATE = integrationYaml({
  maxAttempts: 200,
  initial: '100ms',
  max: '2s',
  steps: FOUND_CREATE_STEP,
});
const TUNING: Partial<RuntimeTuning> = {
  partitions: 16,
  ackWaitMs: 5_000,
  drainTimeoutMs: 3_000,
  publishTimeoutMs: 2_000,
};

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)}s`;
const say = (line: string) => process.stdout.write(`[${elapsed().padStart(6)}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)];

const nats = await startTestNatsServer();
const proxy = await startBlackholeProxy({ port: nats.port });
const target = await startFakeTarget();
/** The target's current spell of trouble, and the 1 % of 503 that is always there. */
let weather: { until: number; fault: () => Fault | undefined } | undefined;
/** Every call per record key, one string per key (the evidence of a duplicate; about 100 bytes per event). */
const calls = new Map<string, string>();
target.fault = (r) => {
  if (r.key) calls.set(r.key, `${calls.get(r.key) ?? ''} | ${elapsed()} ${r.method} ${r.path} pid=${r.workerPid}`);
  if (weather && Date.now() < weather.until) return weather.fault();
  return Math.random() < 0.01 ? { respond: { status: 503 } } : undefined;
};
/**
 * The JSONata engine as shipped. The tests' guarded jsonata-js (a 300 ms wall-clock timeout on an evaluation that
 * awaits between steps, so other events' work counts against it) dead-lettered trivial transforms under load.
 */
const specSet = compileRuntimeSpecs(target.url, [CREATE], { engine: transformEngine('junction') });
const silent = pino({ level: process.env.JUNCTION_SOAK_LOG ?? 'silent' });
const ingest = await startEngine({
  specSet,
  invoker: httpTestInvoker,
  natsUrl: nats.url,
  port: 0,
  host: '127.0.0.1',
  roles: { workers: false, sources: false },
  tuning: TUNING,
  logger: silent,
});
const config: WorkerConfig = {
  natsUrl: proxy.url('nats'),
  targetUrl: target.url,
  integrations: [CREATE],
  tuning: TUNING,
  transformEngine: 'junction',
};
/** A worker's start (tsx compiling the engine) can take a minute on a machine loaded by other work. */
const WORKER_START_MS = 180_000;
const workers: WorkerProcess[] = await Promise.all(
  Array.from({ length: WORKERS }, () => spawnWorker(config, WORKER_START_MS)),
);
say(`soak: ${EVENTS} events, ${WORKERS} worker processes, a fault every ~${FAULT_EVERY_MS / 1000}s`);

const sendingFrom = Date.now();
const ids = Array.from({ length: EVENTS }, (_, i) => i + 1);
const sender = startWebhookSender(() => `${ingest.url}/hooks/orders`, ids, {
  concurrency: Number(values.senders),
  pauseMs: 0,
  retryPauseMs: 200,
});
let sending = true;
void sender.done.then(() => (sending = false));
/** Faults go on until everything accepted is finished, not only while events are sent. */
let faulting = true;

const faults = new Map<string, number>();
const FAULTS: Record<string, () => Promise<void>> = {
  'worker SIGKILL': async () => {
    const victim = pick(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null));
    victim?.child.kill('SIGKILL');
    workers.push(await spawnWorker(config, WORKER_START_MS));
  },
  'nats-server kill -9 and restart': async () => {
    await nats.kill();
    await sleep(500);
    await nats.restart();
  },
  'network blackhole 3s': async () => {
    proxy.blackhole();
    await sleep(3_000);
    proxy.heal();
  },
  'target 5xx spell': async () => {
    weather = {
      until: Date.now() + 3_000,
      fault: () => (Math.random() < 0.3 ? { respond: { status: 502 } } : undefined),
    };
  },
  'target 429 spell': async () => {
    const limited = { respond: { status: 429, headers: { 'retry-after': '1' } } };
    weather = { until: Date.now() + 3_000, fault: () => (Math.random() < 0.3 ? limited : undefined) };
  },
  'target stall spell': async () => {
    weather = { until: Date.now() + 3_000, fault: () => (Math.random() < 0.05 ? { stall: true } : undefined) };
  },
};
const faultLoop = (async () => {
  while (faulting) {
    await sleep(FAULT_EVERY_MS * (0.5 + Math.random()));
    if (!faulting) break;
    const only = values.faults.split(',').filter(Boolean);
    const kind = pick(Object.keys(FAULTS).filter((k) => only.length === 0 || only.some((w) => k.includes(w))));
    faults.set(kind, (faults.get(kind) ?? 0) + 1);
    const begun = Date.now();
    await FAULTS[kind]().then(
      () => say(`fault: ${kind} (${((Date.now() - begun) / 1000).toFixed(1)}s)`),
      (error: Error) => say(`fault ${kind} failed: ${error.message}`),
    );
  }
})();

/** Why the run stops before the end: `--max-minutes` ran out, or a signal. */
let stopEarly: string | undefined;
const maxMinutes = Number(values['max-minutes']);
if (maxMinutes > 0) setTimeout(() => (stopEarly = `--max-minutes ${maxMinutes}`), maxMinutes * 60_000).unref();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopEarly = signal));

/** Throughput and lag, every 5 s, until everything accepted is written or dead-lettered. */
const timeline = new SoakTimeline();
const faultCount = () => [...faults.values()].reduce((a, b) => a + b, 0);
let deadLetters = 0; // the last count read (none while the broker restarts)
for (;;) {
  await sleep(5_000);
  target.requests.length = 0; // the fault function needs no history: keep memory flat
  deadLetters = (await ingest.deadLetters.list({ status: 'open' }).catch(() => undefined))?.length ?? deadLetters;
  const delivered = target.records.size;
  const sample = {
    at: (Date.now() - started) / 1000,
    accepted: sender.accepted.size,
    finished: delivered + deadLetters,
    storeMb: await directoryMegabytes(nats.storeDir),
    faults: faultCount(),
  };
  const rate = SoakTimeline.rate(timeline.samples.at(-1)!, sample);
  timeline.add(sample);
  const lag = sample.accepted - sample.finished;
  say(
    `accepted=${sample.accepted} delivered=${delivered} dlq=${deadLetters} rate=${rate.toFixed(0)}/s lag=${lag} ` +
      `behind=${timeline.behindSeconds(sample).toFixed(0)}s store=${sample.storeMb}MB ` +
      `rss=${Math.round(process.memoryUsage().rss / 1e6)}MB`,
  );
  if (stopEarly) break;
  if (!sending && lag <= 0) {
    faulting = false;
    const backlog = await brokerBacklog(nats.url).catch(() => undefined);
    if (backlog && backlog.pending === 0 && backlog.ackPending === 0) break;
  }
}
sender.stop();
faulting = false;
await faultLoop;

const accepted = [...sender.accepted];
/** The broker may be back from a restart only just now. */
const patiently = async <T>(read: () => Promise<T>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 15) throw error;
      await sleep(2_000);
    }
  }
};
const deadList = await patiently(() => ingest.deadLetters.list({ status: 'open' }));
const dead = new Set(deadList.map((d) => d.key));
const unfinished = accepted.filter((id) => !target.records.has(String(id)) && !dead.has(String(id))).length;
const duplicates = [...target.effectiveWrites.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
const written = target.records.size;
const seconds = (Date.now() - sendingFrom) / 1000;
say('progress over time (finished = written or dead-lettered; behind = how long ago that many were accepted):');
for (const line of timeline.table()) process.stdout.write(`${line}\n`);
say(`faults injected: ${[...faults].map(([k, n]) => `${k} x${n}`).join(', ') || 'none'}`);
say(`refused webhook posts (retried by the sender): ${JSON.stringify(Object.fromEntries(sender.refused))}`);
say(
  `${accepted.length} events accepted, ${written} written in ${seconds.toFixed(0)}s from the first event sent ` +
    `(${(written / seconds).toFixed(1)} events/s overall), dead-lettered ${dead.size}`,
);
for (const [key, n] of target.effectiveWrites)
  if (n > 1) say(`duplicate: record ${key} written ${n} times; its calls:${calls.get(key)}`);
// The soak injects no permanent fault and allows 200 attempts: a dead letter is a finding, not an outcome.
for (const d of deadList)
  say(`dead letter: record ${d.key} after ${d.attempts} attempts: ${d.error.code} ${d.error.message}`);
await reportWindows();
if (stopEarly) {
  const stored = (await patiently(() => brokerBacklog(nats.url)).catch(() => undefined))?.stored;
  say(
    `STOPPED EARLY (${stopEarly}), not a finished run: ${EVENTS - accepted.length} events never sent, ` +
      `${unfinished} accepted events unfinished (not checked for loss; the events stream holds ${stored ?? '?'})`,
  );
  say(`so far: duplicates=${duplicates} among ${written} written`);
} else say(`lost=${unfinished}, duplicates=${duplicates}, dead-lettered=${dead.size}`);
await killAll();
await ingest.stop();
await proxy.close();
await target.stop();
await nats.dispose();
process.exit(stopEarly ? 2 : unfinished === 0 && duplicates === 0 && dead.size === 0 ? 0 : 1);

/**
 * How often the duplicate windows opened, by the engines' own counters: the ingest engine's and each live worker's.
 * A worker SIGKILLed by a fault took its counts with it, so these are lower bounds.
 */
async function reportWindows(): Promise<void> {
  const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
  const killed = workers.filter((w) => w.child.signalCode === 'SIGKILL').length;
  const otherwise = workers.length - live.length - killed;
  say(
    `windows opened, counted by the engines still running (${killed} worker processes were SIGKILLed and took ` +
      `their counts with them${otherwise ? `, ${otherwise} exited otherwise` : ''}):`,
  );
  let total = windowCounts(await ingest.metrics.metrics());
  say(`  ingest engine: ${formatCounts(total)}`);
  for (const w of live) {
    const text = await Promise.race([w.metrics(), sleep(10_000).then(() => undefined)]);
    if (text === undefined) {
      say(`  worker ${w.pid}: no answer in 10 s`);
      continue;
    }
    const counts = windowCounts(text);
    total = addCounts(total, counts);
    say(`  worker ${w.pid}: ${formatCounts(counts)}`);
  }
  say(`  all ${live.length + 1} engines: ${formatCounts(total)}`);
}
