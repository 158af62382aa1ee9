/**
 * `GET /api/status`: what the dashboard shows per integration. Counts, latency and throughput are this process's
 * (Prometheus aggregates across processes); lag and open dead letters are read from the broker, so they are
 * cluster-wide.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Counter } from 'prom-client';
import type { RuntimeMetrics } from './runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import type { PauseInfo } from '../control/pause-control.js';
import { EVENTS_STREAM } from '../broker/subjects.js';
import type { LeaseHolder } from '../control/kv-lease.js';

export interface IntegrationStatus {
  name: string;
  /** Set when something needs an operator: `paused` (see `paused`), `misconfigured` (see `problems`), `waiting`. */
  status?: 'paused' | 'misconfigured' | 'waiting';
  /** Who paused it, when and why (`junction pause`). */
  paused?: PauseInfo;
  /** Events waiting for a required cross-reference (`requires`), across all processes. */
  waiting: number;
  /** What `junction check` finds wrong with it (unset secrets, connections that fail their check); absent when none. */
  problems?: string[];
  source: string;
  /**
   * The engine that runs this stream or schedule source now (one per cluster; `self` when it is this one); absent for
   * other sources, and while no engine leads it (one just died and its lease has not run out yet).
   */
  leader?: { holder: string; self: boolean };
  /** Content hash of the integration's spec. */
  hash: string;
  /** Spec commit this process runs the integration at (that of the active set). */
  commit: string;
  inFlight: number;
  /** Events stored and not yet finished, across all processes. */
  lag: number;
  /** Open dead letters. */
  deadLetters: number;
  counts: {
    in: number;
    delivered: number;
    skipped: number;
    echoSuppressed: number;
    retried: number;
    deadLettered: number;
    duplicates: number;
  };
  /**
   * Median stored-to-delivered latency (ms) of this process's deliveries in the last 60 s (newest 1024 at most);
   * null when it delivered none. Skipped and dead-lettered events are not included.
   */
  latencyP50Ms: number | null;
  /** 99th percentile of the same samples (ms); null when none. */
  latencyP99Ms: number | null;
  /** Events this process delivered per second, averaged over the last 60 s; null when none. */
  throughputPerS: number | null;
}

export interface EngineStatus {
  /** Spec commit of the active set. */
  commit: string;
  nats: { connected: boolean };
  partitions: number;
  integrations: IntegrationStatus[];
}

export interface StatusDeps {
  specs: SpecRegistry;
  jsm: JetStreamManager;
  /** Open dead letters per integration. */
  openDeadLetters: () => Promise<Map<string, number>>;
  metrics: RuntimeMetrics;
  partitions: () => number;
  connected: () => boolean;
  inFlight: (integration: string) => number;
  problems: (integration: string) => string[];
  waiting: () => Promise<Map<string, number>>;
  paused: (integration: string) => PauseInfo | undefined;
  /** This engine's lease holder id, and who holds an integration's source lease. */
  holder: string;
  sourceLeader: (integration: string) => Promise<LeaseHolder | undefined>;
}

/** Events not yet finished per integration: pending plus ack-pending over its partition consumers (one list call). */
export async function consumerLag(
  jsm: JetStreamManager,
  integrations: Iterable<string> = [],
): Promise<Map<string, number>> {
  const lag = new Map<string, number>([...integrations].map((name) => [name, 0]));
  for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
    const integration = c.name.replace(/-(p\d+|retry)$/, '');
    lag.set(integration, (lag.get(integration) ?? 0) + c.num_pending + c.num_ack_pending);
  }
  return lag;
}

export async function engineStatus(deps: StatusDeps): Promise<EngineStatus> {
  const connected = deps.connected();
  const [lag, open, waiting] = connected
    ? await Promise.all([
        consumerLag(deps.jsm).catch(() => new Map<string, number>()),
        deps.openDeadLetters().catch(() => new Map<string, number>()),
        deps.waiting().catch(() => new Map<string, number>()),
      ])
    : [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
  const m = deps.metrics;
  const [eventsIn, finished, retried, dead, dups] = await Promise.all([
    totals(m.eventsIn),
    totals(m.finished, 'outcome'),
    totals(m.retried),
    totals(m.deadLettered),
    totals(m.duplicates),
  ]);
  const set = deps.specs.active;
  const leased = [...set.integrations.values()].filter((i) => LEASED_SOURCES.has(i.source.kind));
  const leaders = new Map(
    connected
      ? await Promise.all(
          leased.map(async (i) => [i.name, await deps.sourceLeader(i.name).catch(() => undefined)] as const),
        )
      : [],
  );
  return {
    commit: set.commit,
    nats: { connected },
    partitions: deps.partitions(),
    integrations: [...set.integrations.values()].map((i) => ({
      name: i.name,
      ...statusOf(deps.problems(i.name), waiting.get(i.name) ?? 0, deps.paused(i.name)),
      waiting: waiting.get(i.name) ?? 0,
      source: i.source.kind,
      ...leaderOf(leaders.get(i.name), deps.holder),
      hash: i.hash,
      commit: set.commit,
      inFlight: deps.inFlight(i.name),
      lag: lag.get(i.name) ?? 0,
      deadLetters: open.get(i.name) ?? 0,
      counts: {
        in: eventsIn.get(i.name) ?? 0,
        delivered: finished.get(`${i.name}/delivered`) ?? 0,
        skipped: finished.get(`${i.name}/skipped`) ?? 0,
        echoSuppressed: finished.get(`${i.name}/echo_suppressed`) ?? 0,
        retried: retried.get(i.name) ?? 0,
        deadLettered: dead.get(i.name) ?? 0,
        duplicates: dups.get(i.name) ?? 0,
      },
      ...m.recent.stats(i.name),
    })),
  };
}

/** Source kinds one engine of the cluster runs at a time (sources/source-lease.ts). */
const LEASED_SOURCES = new Set(['stream', 'schedule']);

function leaderOf(lease: LeaseHolder | undefined, holder: string): Pick<IntegrationStatus, 'leader'> {
  return lease ? { leader: { holder: lease.holder, self: lease.holder === holder } } : {};
}

/** Sums a counter per integration (or per `integration/<label>`). */
async function totals(counter: Counter<string>, label?: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await counter.get()).values) {
    const key = label ? `${v.labels.integration}/${v.labels[label]}` : String(v.labels.integration);
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

function statusOf(
  problems: string[],
  waiting: number,
  paused: PauseInfo | undefined,
): Pick<IntegrationStatus, 'status' | 'problems' | 'paused'> {
  const listed = problems.length > 0 ? { problems } : {};
  if (paused) return { status: 'paused', paused, ...listed };
  if (problems.length > 0) return { status: 'misconfigured', problems };
  return waiting > 0 ? { status: 'waiting' } : {};
}
