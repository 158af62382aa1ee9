/**
 * `GET /api/status`: what the dashboard shows per integration. Counts are those of the metrics registry `registry`
 * reads: this process's, or every worker's of `junction run --workers N` (observe/worker-metrics.ts); latency and
 * throughput are this process's; lag and open dead letters are read from the broker, so they are cluster-wide.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { Registry } from 'prom-client';
import { STATUS_COUNTERS } from './runtime-metrics.js';
import type { EventsStreamUsage, RuntimeMetrics } from './runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import type { PauseInfo } from '../control/pause-control.js';
import { EVENTS_STREAM } from '../broker/subjects.js';
import { consumerBacklog } from './consumer-lag.js';
import type { ConsumerBacklog, MissingConsumer } from './consumer-lag.js';
import type { LeaseHolder } from '../control/kv-lease.js';
import type { PartitionMember } from '../control/partition-assignment.js';
import { hasLeasedSource } from '../sources/source-health.js';
import type { SourceHealthRecord } from '../sources/source-health.js';
import { missedChangesStatus } from './missed-changes.js';
import type { KeyChangeStatus } from '../worker/key-change-drain.js';
import type { MissedChangesStatus, ReconcileRun } from './missed-changes.js';

interface IntegrationStatus {
  name: string;
  /**
   * Set when something needs an operator: `paused` (see `paused`), `misconfigured` (see `problems`), `failing` (its
   * source's last round failed: see `sourceHealth`), `missed-changes` (its vendor reported changes it cannot deliver:
   * see `missedChanges`), `waiting`; `draining`: not a problem, a hot-loaded key change under way (see `keyChanges`).
   */
  status?: 'paused' | 'misconfigured' | 'failing' | 'missed-changes' | 'waiting' | 'draining';
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
  /**
   * How its stream or schedule source fares, as its leader stored it (cluster-wide): the last success, the last
   * failure with its message, and the rounds failed in a row. Absent for other sources and before a first round.
   */
  sourceHealth?: SourceHealthRecord;
  /**
   * The last changes its source's vendor reported it cannot deliver as events (`sourceHealth.missedChanges`), with the
   * command that recovers them; open (status `missed-changes`) until a whole reconcile has finished after it.
   */
  missedChanges?: MissedChangesStatus;
  /**
   * A hot-loaded change of its `key` this process is draining: its records' events stored under the new key wait
   * behind those stored or parked under the old one until none is left (worker/key-change-drain.ts); absent when none.
   */
  keyChanges?: KeyChangeStatus[];
  /** Content hash of the integration's spec. */
  hash: string;
  /** Spec commit this process runs the integration at (that of the active set). */
  commit: string;
  inFlight: number;
  /** Events stored and not yet finished, across all processes (those of missing consumers included). */
  lag: number;
  /**
   * Its consumers the broker does not have (a partition consumer kept in memory, after a broker restart, until an
   * engine creates it again), each with the events stored for it (counted in `lag`); absent when none is missing.
   */
  missingConsumers?: MissingConsumer[];
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
  /** Size and limit of the events stream (absent while NATS is unreachable). */
  eventsStream?: EventsStreamUsage;
  /**
   * Engine-wide conditions an operator must act on: the events stream nearly full, or refusing events; an integration
   * removed from the specs with events or dead letters left.
   */
  warnings: string[];
  partitions: number;
  /**
   * When this engine started (ISO 8601): the counts (`in`, `delivered`, …) are its own since then, and start again
   * from 0 when it restarts.
   */
  countsSince: string;
  /**
   * The engine that answered (its lease holder id, new at each start): behind a load balancer each request may reach
   * another engine, with counts of its own.
   */
  engine: string;
  /**
   * The live members of the partition group (control/partition-assignment.ts) and the partitions each pulls, in
   * holder order; absent when this engine is no member (no workers, or a fixed share) or the group was not read.
   */
  partitionMembers?: { holder: string; partitions: number[]; self: boolean; claimUntil: string }[];
  integrations: IntegrationStatus[];
}

interface StatusDeps {
  specs: SpecRegistry;
  jsm: JetStreamManager;
  /** Open dead letters per integration. */
  openDeadLetters: () => Promise<Map<string, number>>;
  metrics: RuntimeMetrics;
  /** The registry the counts are read from (only the metrics named): `metrics.registry`, or every worker's added up. */
  registry: (names: readonly string[]) => Promise<Registry>;
  partitions: () => number;
  connected: () => boolean;
  inFlight: (integration: string) => number;
  problems: (integration: string) => string[];
  waiting: () => Promise<Map<string, number>>;
  paused: (integration: string) => PauseInfo | undefined;
  /** This engine's lease holder id, and who holds an integration's source lease. */
  holder: string;
  /** The partition group as stored (undefined when this engine is no member). */
  partitionMembers?: () => Promise<(PartitionMember & { live: boolean })[]>;
  sourceLeader: (integration: string) => Promise<LeaseHolder | undefined>;
  /** How an integration's stream or schedule source fares (sources/source-health.ts). */
  sourceHealth: (integration: string) => Promise<SourceHealthRecord | undefined>;
  /** The latest reconcile of each integration (read only when a source reported missed changes). */
  lastReconciles: () => Promise<Map<string, ReconcileRun>>;
  /** When the events stream last refused an event for being full (epoch ms), if ever. */
  lastStreamRefusal: () => number | undefined;
  /** The connected nats-server's version (`INFO`), if known. */
  serverVersion: () => string | undefined;
  /** When this engine started: its counters count from then. */
  startedAt: Date;
  /** The key changes this process drains for an integration (worker/key-change-drain.ts). */
  keyChanges?: (integration: string) => KeyChangeStatus[] | undefined;
}

/**
 * Before 2.10.5, nats-server checked discard `new` against a message's raw size but counted its stored size, then
 * trimmed the stream back under `max_bytes` by deleting its oldest messages: events lost at the limit
 * (nats-io/nats-server#4771, #4775; fixed by #4772, released in v2.10.5).
 */
export function dropsAtStreamLimit(version: string | undefined): boolean {
  const [major, minor, patch] = (version ?? '').split(/[.-]/).map(Number);
  if (![major, minor, patch].every(Number.isInteger)) return false;
  return major < 2 || (major === 2 && (minor < 10 || (minor === 10 && patch < 5)));
}

/** Share of `max_bytes` from which status warns that the events stream is filling up. */
const STREAM_WARN_RATIO = 0.9;
/** How long after the last refusal status keeps warning about it. */
const REFUSAL_WARN_MS = 15 * 60_000;

export async function readEventsStreamUsage(jsm: JetStreamManager): Promise<EventsStreamUsage> {
  const info = await jsm.streams.info(EVENTS_STREAM);
  return { bytes: info.state.bytes, maxBytes: info.config.max_bytes };
}

function streamWarnings(
  usage: EventsStreamUsage | undefined,
  lastRefusal: number | undefined,
  serverVersion: string | undefined,
): string[] {
  const warnings: string[] = [];
  if (lastRefusal !== undefined && Date.now() - lastRefusal < REFUSAL_WARN_MS)
    warnings.push(
      `the events stream was full at ${new Date(lastRefusal).toISOString()}: webhooks got 507 and must be resent ` +
        '(their senders retry); resume paused integrations, fix failing targets, or raise --events-max-bytes',
    );
  if (usage && usage.maxBytes > 0 && usage.bytes >= usage.maxBytes * STREAM_WARN_RATIO)
    warnings.push(
      `the events stream holds ${usage.bytes} of its ${usage.maxBytes} bytes ` +
        `(${Math.floor((usage.bytes / usage.maxBytes) * 100)}%): when full, ingest refuses events with 507`,
    );
  if (warnings.length > 0 && dropsAtStreamLimit(serverVersion))
    warnings.push(
      `nats-server ${serverVersion} deletes the oldest stored events when the events stream reaches its limit, ` +
        'instead of only refusing new ones (nats-io/nats-server#4771, fixed in 2.10.5); each engine refuses events ' +
        'before the limit by its own count, which other engines on the stream can outrun: upgrade nats-server',
    );
  return warnings;
}

/**
 * Integrations a spec change removed while events of theirs were still stored (a parked key, events behind a slow
 * target) or dead-lettered: no worker takes them, and without this nothing on the status would say they are there.
 */
function leftBehind(
  set: { commit: string; integrations: ReadonlyMap<string, unknown> },
  lag: Map<string, number>,
  open: Map<string, number>,
): string[] {
  const names = new Set([...lag.keys(), ...open.keys()].filter((name) => !set.integrations.has(name)));
  const warnings: string[] = [];
  for (const name of [...names].sort()) {
    const [stored, dead] = [lag.get(name) ?? 0, open.get(name) ?? 0];
    if (stored === 0 && dead === 0) continue;
    const what = [
      ...(stored > 0
        ? [`${plural(stored, 'event')} not delivered (a parked key counts once, whatever is queued behind it)`]
        : []),
      ...(dead > 0 ? [`${plural(dead, 'open dead letter')}`] : []),
    ];
    warnings.push(
      `integration ${name} is not in the active spec set (commit ${set.commit}) but still has ${what.join(' and ')}: ` +
        `nothing is lost; add the integration back to deliver ${stored > 0 ? 'them' : 'and replay them'}` +
        `${dead > 0 ? ', or resolve its dead letters' : ''}`,
    );
  }
  return warnings;
}

/**
 * Partitions no live engine claims: for a moment those being handed from one engine to another, and every partition
 * when no engine with workers is left (the last one stopped or died and its claim ran out). A dead engine's
 * partitions are not among them until its claim runs out: it is listed as a member until then.
 */
function unpulled(members: { partitions: number[] }[] | undefined, partitions: number, integrations: number): string[] {
  if (!members || integrations === 0) return [];
  const pulled = new Set(members.flatMap((m) => m.partitions));
  const left = Array.from({ length: partitions }, (_, p) => p).filter((p) => !pulled.has(p));
  if (left.length === 0) return [];
  return [
    `${plural(left.length, 'partition')} (${left.join(', ')}) pulled by no engine: being handed over from one ` +
      'engine to another, or no engine with workers is running (their events wait, nothing is lost)',
  ];
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

// Where it was first written: the CLI's backfill and `status --nats` import it from here.
export { consumerLag } from './consumer-lag.js';

export async function engineStatus(deps: StatusDeps): Promise<EngineStatus> {
  const connected = deps.connected();
  const set = deps.specs.active;
  const none: ConsumerBacklog = { lag: new Map(), missing: new Map() };
  // A read that fails (a broker slow under load, a worker process that does not answer) leaves its figures at 0 and
  // is named in `warnings`: the operator gets the rest of the status, never a bare 500.
  const unread: string[] = [];
  const orElse =
    <T>(what: string, fallback: T, shown = 'shown as 0') =>
    (error: unknown): T => {
      unread.push(`${what}: ${error instanceof Error ? error.message : String(error)} (${shown})`);
      return fallback;
    };
  const [{ lag, missing }, open, waiting, usage] = connected
    ? await Promise.all([
        consumerBacklog(deps.jsm, set.integrations.keys(), deps.partitions()).catch(orElse('lag', none)),
        deps.openDeadLetters().catch(orElse('open dead letters', new Map<string, number>())),
        deps.waiting().catch(orElse('waiting', new Map<string, number>())),
        readEventsStreamUsage(deps.jsm).catch(orElse('the events stream size', undefined, 'left out')),
      ])
    : [none, new Map<string, number>(), new Map<string, number>(), undefined];
  const group =
    connected && deps.partitionMembers
      ? await deps.partitionMembers().catch(orElse('the partition group', undefined, 'left out'))
      : undefined;
  const members = group
    ?.filter((m) => m.live)
    .map((m) => ({
      holder: m.holder,
      partitions: m.pulling,
      self: m.holder === deps.holder,
      // Renewed every third of the TTL: a claim that stopped moving is an engine that died.
      claimUntil: new Date(m.until).toISOString(),
    }));
  const m = deps.metrics;
  const registry = await deps
    .registry(Object.values(STATUS_COUNTERS))
    .catch(orElse("the worker processes' counts", m.registry, "the counts shown are this process's only"));
  const [eventsIn, finished, retried, dead, dups] = await Promise.all([
    totals(registry, STATUS_COUNTERS.eventsIn),
    totals(registry, STATUS_COUNTERS.finished, 'outcome'),
    totals(registry, STATUS_COUNTERS.retried),
    totals(registry, STATUS_COUNTERS.deadLettered),
    totals(registry, STATUS_COUNTERS.duplicates),
  ]);
  const leased = [...set.integrations.values()].filter(hasLeasedSource);
  const perSource = <T>(read: (integration: string) => Promise<T | undefined>) =>
    connected ? Promise.all(leased.map(async (i) => [i.name, await read(i.name).catch(() => undefined)] as const)) : [];
  const [leaders, sources] = await Promise.all([perSource(deps.sourceLeader), perSource(deps.sourceHealth)]).then(
    ([l, h]) => [new Map(l), new Map(h)] as const,
  );
  const anyMissed = [...sources.values()].some((h) => h?.missedChanges);
  const reconciles = anyMissed ? await deps.lastReconciles().catch(() => new Map<string, ReconcileRun>()) : new Map();
  const missed = new Map(
    leased.map((i) => [i.name, missedChangesStatus(i, sources.get(i.name), reconciles.get(i.name))] as const),
  );
  return {
    commit: set.commit,
    nats: { connected },
    ...(usage ? { eventsStream: usage } : {}),
    warnings: [
      // Without NATS the figures below are not read (lag and dead letters show 0): say so before anyone trusts them.
      ...(connected
        ? []
        : [
            'this engine is cut off from NATS: webhooks get 503 and nothing is delivered; lag, dead letters and ' +
              'waiting are not known until it reconnects (docs/operations.md, "the broker (NATS) is down")',
          ]),
      ...streamWarnings(usage, deps.lastStreamRefusal(), deps.serverVersion()),
      ...leftBehind(set, lag, open),
      ...unpulled(members, deps.partitions(), set.integrations.size),
      ...(unread.length > 0 ? [`this answer is partial (ask again): could not read ${unread.join('; ')}`] : []),
    ],
    partitions: deps.partitions(),
    countsSince: deps.startedAt.toISOString(),
    engine: deps.holder,
    ...(members ? { partitionMembers: members } : {}),
    integrations: [...set.integrations.values()].map((i) => ({
      name: i.name,
      ...statusOf(
        deps.problems(i.name),
        waiting.get(i.name) ?? 0,
        deps.paused(i.name),
        sources.get(i.name),
        missed.get(i.name),
        deps.keyChanges?.(i.name),
      ),
      waiting: waiting.get(i.name) ?? 0,
      source: i.source.kind,
      ...leaderOf(leaders.get(i.name), deps.holder),
      ...sourceHealthOf(sources.get(i.name)),
      ...(missed.get(i.name) ? { missedChanges: missed.get(i.name) } : {}),
      ...keyChangesOf(deps.keyChanges?.(i.name)),
      hash: i.hash,
      commit: set.commit,
      inFlight: deps.inFlight(i.name),
      lag: lag.get(i.name) ?? 0,
      ...(missing.has(i.name) ? { missingConsumers: missing.get(i.name) } : {}),
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

function keyChangesOf(drains: KeyChangeStatus[] | undefined): Pick<IntegrationStatus, 'keyChanges'> {
  return drains?.length ? { keyChanges: drains } : {};
}

function leaderOf(lease: LeaseHolder | undefined, holder: string): Pick<IntegrationStatus, 'leader'> {
  return lease ? { leader: { holder: lease.holder, self: lease.holder === holder } } : {};
}

function sourceHealthOf(health: SourceHealthRecord | undefined): Pick<IntegrationStatus, 'sourceHealth'> {
  return health ? { sourceHealth: health } : {};
}

/** Sums the counter `name` of `registry` per integration (or per `integration/<label>`). */
async function totals(registry: Registry, name: string, label?: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const v of (await registry.getSingleMetric(name)?.get())?.values ?? []) {
    const key = label ? `${v.labels.integration}/${v.labels[label]}` : String(v.labels.integration);
    out.set(key, (out.get(key) ?? 0) + v.value);
  }
  return out;
}

function statusOf(
  problems: string[],
  waiting: number,
  paused: PauseInfo | undefined,
  source: SourceHealthRecord | undefined,
  missed: MissedChangesStatus | undefined,
  drains: KeyChangeStatus[] | undefined,
): Pick<IntegrationStatus, 'status' | 'problems' | 'paused'> {
  const listed = problems.length > 0 ? { problems } : {};
  if (paused) return { status: 'paused', paused, ...listed };
  if (problems.length > 0) return { status: 'misconfigured', problems };
  if (source && source.failedRounds > 0) return { status: 'failing' };
  if (missed && !missed.reconciledAt) return { status: 'missed-changes' };
  if (waiting > 0) return { status: 'waiting' };
  // Normal after a key change, and it ends by itself: said, so nobody wonders why the record's newer events wait.
  return drains?.length ? { status: 'draining' } : {};
}
