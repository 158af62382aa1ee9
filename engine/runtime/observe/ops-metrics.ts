/**
 * Prometheus gauges of the operator features, on the engine's registry, read from the cluster on each scrape:
 * open dead letters and events waiting for a required cross-reference per integration, the latest reconcile report
 * per integration, and the alerts firing. Every worker of `junction run --workers N` reads the same figures, so
 * across workers they are taken once (`max`), not added up. Beside them, whether this engine is connected to NATS,
 * and the key changes it drains (its own).
 */
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { StoredReconcileReport } from '../control/reconcile-reports.js';
import type { AlertState } from '../alerts/alert-state.js';
import type { KeyChangeStatus } from '../worker/key-change-drain.js';

interface OpsMetricReaders {
  /** The active integrations: each gets an open dead letters figure, 0 included. */
  integrations: () => Iterable<string>;
  openDeadLetters: () => Promise<Map<string, number>>;
  natsConnected: () => boolean;
  waiting: () => Promise<Map<string, number>>;
  reconcile: () => Promise<StoredReconcileReport[]>;
  alerts: () => Promise<Map<string, AlertState>>;
  /** The key changes this process drains for an integration (worker/key-change-drain.ts). */
  keyChanges?: (integration: string) => KeyChangeStatus[] | undefined;
}

export function registerOpsMetrics(registry: Registry, read: OpsMetricReaders): void {
  // A gauge with a 0 for every integration: the first dead letter is a change from 0, which a rule sees. A counter's
  // series is born at 1 with that dead letter, and increase() over it stays 0 (the first dead letter never alerts).
  new Gauge({
    name: 'junction_dead_letters_open',
    help: 'Dead letters waiting for a person (open: not replayed, resolved or discarded), per integration, cluster-wide.',
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    async collect() {
      const open = await read.openDeadLetters().catch(() => undefined);
      this.reset();
      if (!open) return; // NATS unreachable: no figure rather than a false 0
      for (const integration of new Set([...read.integrations(), ...open.keys()]))
        this.set({ integration }, open.get(integration) ?? 0);
    },
  });
  new Gauge({
    name: 'junction_nats_connected',
    help: 'Whether this engine is connected to NATS (1) or not (0): while 0, webhooks get 503 and nothing is delivered.',
    registers: [registry],
    aggregator: 'min', // any worker cut off is an engine that cannot store or deliver all it is given
    collect() {
      this.set(read.natsConnected() ? 1 : 0);
    },
  });
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
  // A drain is this process's own (every engine drains a key change it hot-loaded): `max` across its workers.
  const drains = () =>
    [...read.integrations()].flatMap((integration) =>
      (read.keyChanges?.(integration) ?? []).map((drain) => ({ integration, drain })),
    );
  new Gauge({
    name: 'junction_key_change_draining',
    help:
      "Whether an integration drains a hot-loaded change of its key (1: the same records' newer events wait behind " +
      'those stored or parked under the old key; normal, and it ends by itself), per integration.',
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.reset();
      const now = new Set(drains().map((d) => d.integration));
      for (const integration of read.integrations()) this.set({ integration }, now.has(integration) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'junction_key_change_partitions_left',
    help: "Partitions whose oldest stored event was stored under an integration's old key, while it drains a key change.",
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.reset();
      for (const { integration, drain } of drains()) this.inc({ integration }, drain.partitionsLeft);
    },
  });
  new Gauge({
    name: 'junction_key_change_parked_keys_left',
    help:
      "Keys parked (retrying) under an integration's old key while it drains a key change; absent until every " +
      'partition has passed its old events.',
    labelNames: ['integration'],
    registers: [registry],
    aggregator: 'max',
    collect() {
      this.reset();
      for (const { integration, drain } of drains())
        if (drain.parkedKeysLeft !== null) this.inc({ integration }, drain.parkedKeysLeft);
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
