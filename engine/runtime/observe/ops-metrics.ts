/**
 * Prometheus gauges of the operator features, on the engine's registry, read from the cluster on each scrape:
 * events waiting for a required cross-reference per integration, the latest reconcile report per integration, and
 * the alerts firing. Every worker of `junction run --workers N` reads the same figures, so across workers they are
 * taken once (`max`), not added up.
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { StoredReconcileReport } from '../control/reconcile-reports.js';
import type { AlertState } from '../alerts/alert-state.js';

export interface OpsMetricReaders {
  waiting: () => Promise<Map<string, number>>;
  reconcile: () => Promise<StoredReconcileReport[]>;
  alerts: () => Promise<Map<string, AlertState>>;
}

export function registerOpsMetrics(registry: Registry, read: OpsMetricReaders): void {
  new Gauge({
    name: 'junction_events_waiting',
    help: 'Events waiting for a required cross-reference (requires), per integration.',
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const [integration, count] of await read.waiting().catch(() => new Map<string, number>()))
        this.set({ integration }, count);
    },
  });
  const reports = () => read.reconcile().catch(() => [] as StoredReconcileReport[]);
  new Gauge({
    name: 'junction_reconcile_records',
    help: 'Records compared by the latest reconcile of an integration, by outcome (match, differs, missing, skipped, error).',
    labelNames: ['integration', 'outcome'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const r of await reports())
        for (const [outcome, count] of Object.entries(r.counts))
          this.set({ integration: r.integration, outcome }, count);
    },
  });
  new Gauge({
    name: 'junction_reconcile_last_run_timestamp_seconds',
    help: 'When the latest reconcile of an integration ran (Unix time).',
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const r of await reports()) this.set({ integration: r.integration }, Date.parse(r.at) / 1000);
    },
  });
  new Gauge({
    name: 'junction_alerts_firing',
    help: 'Subjects (integrations, workers, commits) for which an Alert spec fires now, per alert.',
    labelNames: ['alert'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      this.reset();
      for (const [alert, state] of await read.alerts().catch(() => new Map<string, AlertState>()))
        this.set({ alert }, Object.values(state).filter((s) => s.firingAt).length);
    },
  });
}
