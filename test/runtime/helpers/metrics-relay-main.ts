/**
 * A node:cluster primary with the metrics relay and two workers, for test/runtime/metrics-relay.test.ts. Worker
 * `quits` exits when asked for its metrics, as a worker that crashes mid-scrape; worker `asks` counts 5 and reads
 * every worker's metrics, once the other listens. The primary prints what `asks` read (one JSON line) and exits. The
 * relay and the read wait 10 minutes for answers: a relay that waits for the worker that quit prints nothing in a
 * test's time.
 */
import cluster from 'node:cluster';
import { Counter, Registry } from 'prom-client';
import { relayWorkerMetrics, workerMetrics } from '../../../engine/runtime/observe/worker-metrics.js';

if (cluster.isPrimary) {
  relayWorkerMetrics(600_000);
  cluster.on('message', (_worker, message: { read?: unknown }) => {
    if (message?.read === undefined) return;
    process.stdout.write(`${JSON.stringify(message.read)}\n`);
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    process.exitCode = 0;
  });
  // `asks` starts once `quits` listens: a message sent before is lost (a worker not up yet, left out by the timeout).
  const quits = cluster.fork({ RELAY_ROLE: 'quits' });
  quits.on('message', (message: { listening?: boolean }) => {
    if (message?.listening) cluster.fork({ RELAY_ROLE: 'asks' });
  });
} else if (process.env.RELAY_ROLE === 'quits') {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'junction:metrics-collect') process.exit(0);
  });
  process.send?.({ listening: true });
} else {
  const registry = new Registry();
  new Counter({ name: 'relay_test_total', help: 'counted by the asking worker', registers: [registry] }).inc(5);
  const read = workerMetrics(registry, 600_000);
  void read().then(
    async (all) => process.send?.({ read: await all.getMetricsAsJSON() }),
    (error: Error) => process.send?.({ read: { failed: error.message } }),
  );
}
