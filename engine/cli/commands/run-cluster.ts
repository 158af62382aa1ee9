/**
 * `junction run --workers N`: N engine processes on one machine (node:cluster), so every core works. The primary
 * starts the embedded nats-server once (unless --nats or JUNCTION_NATS_URL names one) and forks N workers, each a
 * whole engine against that broker: they share the listeners (node:cluster hands out connections round-robin), and
 * worker i of N delivers the partitions p with p mod N = i (its share, `JUNCTION_WORKER_SHARE=i/N`; consumer-pool.ts
 * says why); `/metrics` and `/api/status` add up every worker's counts (the primary relays them). A worker that dies
 * is replaced by one with its share (its partitions wait meanwhile); one that fails before it is up (a spec that
 * does not compile, a port in use) stops them all. SIGTERM or SIGINT drains every worker, then stops the broker.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';

/** What a worker sends the primary once its engine is up. */
export const WORKER_READY = 'junction-worker-ready';

/** The environment variable that gives a worker its share of the partitions: `<index>/<workers>`. */
export const WORKER_SHARE_ENV = 'JUNCTION_WORKER_SHARE';

/** A worker's share of the partitions from its environment; undefined outside `--workers` (or a malformed value). */
export function workerShare(env: NodeJS.ProcessEnv): { index: number; of: number } | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(env[WORKER_SHARE_ENV] ?? '');
  if (!match) return undefined;
  const [index, of] = [Number(match[1]), Number(match[2])];
  return index < of ? { index, of } : undefined;
}

/** Runs the primary until it is stopped; resolves with the exit code. */
export async function runCluster(
  workers: number,
  natsUrl: string | undefined,
  drainTimeoutMs: number,
): Promise<number> {
  // Loaded here, so `junction --help` (which loads run.ts, and with it this file) does not pay for the runtime.
  const { startEmbeddedNats } = await import('../../runtime/broker/embedded-nats.js');
  const { relayWorkerMetrics } = await import('../../runtime/observe/worker-metrics.js');
  const embedded = natsUrl ? undefined : await startEmbeddedNats();
  // The workers inherit the environment: without --nats they find the broker here.
  if (embedded) process.env.JUNCTION_NATS_URL = embedded.url;
  const ready = new WeakSet<Worker>();
  const shares = new WeakMap<Worker, number>();
  const fork = (index: number) => shares.set(cluster.fork({ [WORKER_SHARE_ENV]: `${index}/${workers}` }), index);
  let stopping = false;
  let exitCode = 0;
  const code = await new Promise<number>((resolve) => {
    const alive = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      for (const w of alive()) w.process.kill('SIGTERM');
      // A drain that hangs ends anyway: the broker redelivers what was in flight.
      setTimeout(() => {
        const stuck = alive();
        if (stuck.length === 0) return;
        process.stderr.write(
          `junction: worker ${stuck.map((w) => w.process.pid).join(', ')} still running past the drain timeout; killing\n`,
        );
        stuck.forEach((w) => w.process.kill('SIGKILL'));
      }, drainTimeoutMs + 5_000).unref();
      if (alive().length === 0) resolve(exitCode);
    };
    cluster.on('message', (worker, message) => {
      if (message === WORKER_READY) ready.add(worker);
    });
    relayWorkerMetrics();
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (alive().length === 0) resolve(exitCode);
        return;
      }
      if (!ready.has(worker)) {
        process.stderr.write(`junction: worker ${worker.process.pid} failed to start (${signal ?? code}); stopping\n`);
        return stop(typeof code === 'number' && code !== 0 ? code : 1);
      }
      process.stderr.write(`junction: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      fork(shares.get(worker)!);
    });
    for (let i = 0; i < workers; i++) fork(i);
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
  });
  await embedded?.stop();
  return code;
}
