/**
 * `GET /api/status` when a read it needs fails: with `--workers N` the counts come from every worker process through
 * the primary, which under load may not answer in time. The operator still gets the status (200): this process's own
 * counts, the lag and dead letters from the broker, and a warning that names what could not be read.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it("answers a partial status naming what it could not read when the workers' counts do not come", async () => {
  const unanswered = new Error("the primary process did not hand over the workers' metrics");
  h = await startRuntimeHarness({
    integrations: [integrationYaml()],
    // As workerMetrics does when the primary does not answer within its timeout.
    engine: { metricsOf: () => () => Promise.reject(unanswered) },
  });
  expect((await h.post('orders', { id: 1, seq: 1, status: 'new' })).status).toBe(202);
  await waitFor(() => h!.target.records.size === 1, 'delivered');
  // Acked too (the target has the record before the engine acks it): lag 0 below is the status's reading, not a race.
  await expectDrained(h.nats.url);
  const response = await fetch(`${h.engine.operatorUrl}/api/status`);
  expect(response.status).toBe(200);
  const status = (await response.json()) as {
    warnings: string[];
    integrations: { name: string; lag: number; counts: { delivered: number } }[];
  };
  expect(status.warnings).toEqual([
    "this answer is partial (ask again): could not read the worker processes' counts: the primary process did not " +
      "hand over the workers' metrics (the counts shown are this process's only)",
  ]);
  expect(status.integrations).toMatchObject([{ name: 'orders', lag: 0, counts: { delivered: 1 } }]);
});
