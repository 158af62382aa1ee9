/**
 * Prometheus metrics of one engine, in its own registry (registries are values, not globals): per integration
 * events in, delivered, retried, dead-lettered, in flight, delivery latency and consumer lag. Alongside, the
 * rolling window of recent deliveries that `GET /api/status` reports as live latency and throughput.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { DeferredIncrements } from './deferred-increments.js';
import { IntegrationWindows } from './integration-window.js';

export interface RuntimeMetrics {
  registry: Registry;
  eventsIn: Counter<'integration' | 'source'>;
  /** Schedule polls that finished: every record they listed is stored (or was before), the position moved. */
  polls: Counter<'integration'>;
  /** Rounds of a leased source that failed: a poll, or a stream subscription (sources/source-health.ts). */
  sourceFailures: Counter<'integration' | 'source'>;
  /** Rounds of a source failed in a row on this process (0 once one succeeds); only the source's leader sets it. */
  sourceFailedRounds: Gauge<'integration'>;
  /** When a source's round last succeeded on this process (epoch seconds); only the source's leader sets it. */
  sourceLastSuccess: Gauge<'integration'>;
  duplicates: Counter<'integration'>;
  /** Deliveries of an event whose attempt this process was still running: they waited for it (running-events.ts). */
  joined: Counter<'integration'>;
  /** Call leases renewed by this process's heartbeat, or right before a call went out (call-leases.ts). */
  leasesRenewed: Counter;
  /** Call leases this process took over once they had run out: their holder died, was cut off, or never let go. */
  leasesTakenOver: Counter;
  finished: Counter<'integration' | 'outcome'>;
  retried: Counter<'integration' | 'code'>;
  deadLettered: Counter<'integration' | 'code'>;
  inFlight: Gauge<'integration'>;
  latency: Histogram<'integration'>;
  lag: Gauge<'integration'>;
  /**
   * Events not stored, by why: the events stream was full (`stream-full`, ingest answered 507), or a webhook refused
   * at once while the broker was disconnected or stalled (`broker-unavailable`, 503).
   */
  refused: Counter<'integration' | 'reason'>;
  /** This process's recent deliveries per integration (not Prometheus: exact percentiles for the dashboard). */
  recent: IntegrationWindows;
  /** The worker's per-event updates of `inFlight` and `finished`, added to them when they are read. */
  perEvent: {
    inFlight(integration: string, by: 1 | -1): void;
    finished(integration: string, outcome: string): void;
  };
}

/** The counters `/api/status` reports, by name: a registry of every worker's metrics holds them by name only. */
export const STATUS_COUNTERS = {
  eventsIn: 'junction_events_in_total',
  finished: 'junction_events_delivered_total',
  retried: 'junction_events_retried_total',
  deadLettered: 'junction_events_dead_lettered_total',
  duplicates: 'junction_events_duplicate_total',
} as const;

/** The events stream's size and limit, read from the broker. */
export interface EventsStreamUsage {
  bytes: number;
  maxBytes: number;
}

/**
 * `lag` reads the consumers' pending counts on each scrape through `readLag`, the events stream gauges its size
 * through `readEventsStream`.
 */
export function createRuntimeMetrics(
  readLag: () => Promise<Map<string, number>>,
  options: {
    defaultMetrics?: boolean;
    readEventsStream?: () => Promise<EventsStreamUsage>;
    /** Bytes of webhook bodies this process is reading or storing (ingest/read-webhook-body.ts). */
    webhookBytesInFlight?: () => number;
  } = {},
): RuntimeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const inFlight = new DeferredIncrements(['integration']);
  const finished = new DeferredIncrements(['integration', 'outcome']);
  const metrics: RuntimeMetrics = {
    registry,
    eventsIn: new Counter({
      name: STATUS_COUNTERS.eventsIn,
      help: 'Events stored by ingest (webhook, schedule, nats, replay).',
      labelNames: ['integration', 'source'],
      registers,
    }),
    polls: new Counter({
      name: 'junction_polls_total',
      help: 'Schedule polls that finished: every record they listed is stored (or was before), the position moved.',
      labelNames: ['integration'],
      registers,
    }),
    sourceFailures: new Counter({
      name: 'junction_source_failures_total',
      help: 'Rounds of a schedule or stream source that failed (a poll, or a subscription): nothing was stored by them and the position did not move.',
      labelNames: ['integration', 'source'],
      registers,
    }),
    sourceFailedRounds: new Gauge({
      name: 'junction_source_failed_rounds',
      help: 'Rounds of a source failed in a row (0 once one succeeds), on the engine leading the source.',
      labelNames: ['integration'],
      registers,
      aggregator: 'max', // only the source's leader reports it
    }),
    sourceLastSuccess: new Gauge({
      name: 'junction_source_last_success_timestamp_seconds',
      help: "When a source's round last succeeded (a poll finished, a stream batch was stored), on the engine leading the source.",
      labelNames: ['integration'],
      registers,
      aggregator: 'max',
    }),
    duplicates: new Counter({
      name: STATUS_COUNTERS.duplicates,
      help: 'Events dropped as duplicates (broker dedup window or delivery ledger).',
      labelNames: ['integration'],
      registers,
    }),
    joined: new Counter({
      name: 'junction_events_joined_total',
      help: 'Deliveries of an event whose attempt this process was still running (the broker missed its heartbeats): they waited for that attempt instead of running a second one.',
      labelNames: ['integration'],
      registers,
    }),
    leasesRenewed: new Counter({
      name: 'junction_call_leases_renewed_total',
      help: 'Leases on calls that can duplicate (a create with a find), renewed while their call ran or waited to go out.',
      registers,
    }),
    leasesTakenOver: new Counter({
      name: 'junction_call_leases_taken_over_total',
      help: 'Leases on calls that can duplicate taken over after they ran out: the holder died, was cut off from NATS, or its attempt ended without handing the lease back. The call is looked up before it is sent again.',
      registers,
    }),
    finished: new Counter({
      name: STATUS_COUNTERS.finished,
      help: 'Events finished, by outcome (delivered, skipped, echo_suppressed).',
      labelNames: ['integration', 'outcome'],
      registers,
      collect() {
        finished.flush(this);
      },
    }),
    retried: new Counter({
      name: STATUS_COUNTERS.retried,
      help: 'Attempts that failed with a retryable error and were scheduled again.',
      labelNames: ['integration', 'code'],
      registers,
    }),
    deadLettered: new Counter({
      name: STATUS_COUNTERS.deadLettered,
      help: 'Events written to the dead-letter queue.',
      labelNames: ['integration', 'code'],
      registers,
    }),
    inFlight: new Gauge({
      name: 'junction_events_in_flight',
      help: 'Events being processed by this process.',
      labelNames: ['integration'],
      registers,
      collect() {
        inFlight.flush(this);
      },
    }),
    latency: new Histogram({
      name: 'junction_delivery_latency_seconds',
      help: 'Time from ingest (stream timestamp) to the end of the finishing attempt.',
      labelNames: ['integration'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    lag: new Gauge({
      name: 'junction_consumer_lag',
      help: 'Events stored but not yet delivered (pending plus in flight), summed over the partitions.',
      labelNames: ['integration'],
      registers,
      aggregator: 'max', // read from the broker: every worker reads the same cluster-wide figure
      async collect() {
        this.reset();
        for (const [integration, lag] of await readLag().catch(() => new Map<string, number>()))
          this.set({ integration }, lag);
      },
    }),
    refused: new Counter({
      name: 'junction_events_refused_total',
      help:
        'Events not stored, by reason: stream-full (the events stream at max_bytes, discard new: ingest answered 507), ' +
        'broker-unavailable (a webhook refused at once with 503 while NATS was disconnected or stalled).',
      labelNames: ['integration', 'reason'],
      registers,
    }),
    recent: new IntegrationWindows(),
    perEvent: {
      inFlight: (integration, by) => inFlight.add(by, integration),
      finished: (integration, outcome) => finished.add(1, integration, outcome),
    },
  };
  const { readEventsStream, webhookBytesInFlight } = options;
  if (webhookBytesInFlight)
    new Gauge({
      name: 'junction_webhook_bytes_in_flight',
      help: 'Bytes of webhook bodies received and not yet stored, against the cap past which ingest answers 503 busy.',
      registers,
      collect() {
        this.set(webhookBytesInFlight());
      },
    });
  if (readEventsStream) {
    const gauge = (name: string, help: string, pick: (u: EventsStreamUsage) => number) =>
      new Gauge({
        name,
        help,
        registers,
        aggregator: 'max', // the broker's figure, the same in every worker
        async collect() {
          const usage = await readEventsStream().catch(() => undefined);
          if (usage) this.set(pick(usage));
        },
      });
    gauge(
      'junction_events_stream_bytes',
      'Bytes held by the events stream (events stored and not yet delivered, all integrations).',
      (u) => u.bytes,
    );
    gauge(
      'junction_events_stream_max_bytes',
      'The events stream max_bytes: at this size it refuses new events.',
      (u) => u.maxBytes,
    );
  }
  return metrics;
}

/**
 * Serves at 0, from an integration's start, the counter series a shipped Prometheus rule takes `increase()` of
 * (JunctionAuthFailures, docs/ops/prometheus-rules.yaml). A labelled counter otherwise appears at 1 with its first
 * increment, and `increase()` over a series with no earlier sample is 0: the first auth failure after every engine
 * start would never alert (https://prometheus.io/docs/practices/instrumentation/#avoid-missing-metrics).
 */
export function zeroAlertedSeries(
  metrics: Pick<RuntimeMetrics, 'retried' | 'deadLettered'>,
  integration: string,
): void {
  for (const counter of [metrics.retried, metrics.deadLettered]) counter.inc({ integration, code: 'auth' }, 0);
}
