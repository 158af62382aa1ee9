/**
 * `junction run --workers N`: N engine processes on one machine (node:cluster), so every core works. The primary
 * starts the embedded nats-server once (unless --nats or JUNCTION_NATS_URL names one) and forks N workers, each a
 * whole engine against that broker: they share the listeners (node:cluster hands out connections round-robin), and
 * each is a member of the partition group (runtime/control/partition-assignment.ts), which gives each its even share
 * of the partitions, as it does engines on other machines; `/metrics` and `/api/status` add up every worker's counts
 * (the primary relays them). A worker that dies is replaced; its partitions go to the others once its claim ran out
 * (`--partition-lease`), and the replacement takes its share from them. One that fails before it is up (a spec that
 * does not compile, a port in use) stops them all. SIGTERM or SIGINT drains every worker, then stops the broker.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';

/** What a worker sends the primary once its engine is up. */
export const WORKER_READY = 'junction-worker-ready';

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
      cluster.fork();
    });
    for (let i = 0; i < workers; i++) cluster.fork();
    process.once('SIGTERM', () => stop(0));
    process.once('SIGINT', () => stop(0));
  });
  await embedded?.stop();
  return code;
}
