/**
 * Prometheus gauges of the operator features, on the engine's registry, read from the cluster on each scrape:
 * events waiting for a required cross-reference per integration.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export interface OpsMetricReaders {
  waiting: () => Promise<Map<string, number>>;
}

export function registerOpsMetrics(registry: Registry, read: OpsMetricReaders): void {
  new Gauge({
    name: 'junction_events_waiting',
    help: 'Events waiting for a required cross-reference (requires), per integration.',
    labelNames: ['integration'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [integration, count] of await read.waiting().catch(() => new Map<string, number>()))
        this.set({ integration }, count);
    },
  });
}
