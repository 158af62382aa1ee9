/**
 * Evaluates the active set's Alert specs every `alertIntervalMs`. Every process publishes its attempt counts; one
 * process at a time (a lease in the control bucket, held through each round: control/lease-turn.ts) looks at the
 * cluster, moves each alert's subjects through pending -> firing -> resolved, and notifies: once when a subject fires,
 * again every `repeat_every` while it keeps firing, and once when it resolves. A silenced alert notifies nothing. The
 * state lives in KV (alert-state.ts), so the next holder carries on where the last one stopped.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { CompiledAlert, CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import type { LeaseClock } from '../control/broker-clock.js';
import { LeaseTurn } from '../control/lease-turn.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { evaluateCondition, resolvedSummary, stalledAfterMs } from './alert-conditions.js';
import type { AlertInstance, AlertSignals } from './alert-conditions.js';
import { sendNotification } from './alert-notifiers.js';
import type { AlertNotification } from './alert-notifiers.js';
import { readAlertStates, readSilences, writeAlertState, writeLoadedAlerts } from './alert-state.js';
import type { AlertState, InstanceState } from './alert-state.js';
import { ClusterCounts, processCounts, publishCounts, removeCounts } from './attempt-counts.js';
import { hasLeasedSource, readSourcesHealth } from '../sources/source-health.js';
import type { SourceHealthRecord } from '../sources/source-health.js';
import { reconcileReports } from '../control/reconcile-reports.js';
import { missedChangesStatus } from '../observe/missed-changes.js';
import type { MissedChangesStatus } from '../observe/missed-changes.js';

interface AlertEvaluatorDeps {
  specs: SpecRegistry;
  control: KV;
  metrics: RuntimeMetrics;
  openDeadLetters: () => Promise<Map<string, number>>;
  lag: (integrations: Iterable<string>) => Promise<Map<string, number>>;
  /** Git sync's status (active commit, workers, rejected commits), when attached. */
  sync: () => Promise<AlertSignals['sync'] | undefined>;
  env: NodeJS.ProcessEnv;
  security?: ConnectionSecurity;
  log: Logger;
  /** This process, as lease holder and counts publisher. */
  holder: string;
  /** The broker's clock, as this process estimates it: the lease's `until` is by it. */
  clock: LeaseClock;
  intervalMs: number;
}

const LEASE_KEY = 'alert-lease';

export class AlertEvaluator {
  readonly #counts: ClusterCounts;
  #history: AlertSignals[] = [];
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  /** The loaded alerts this process last published (alert-state.ts `alert-names`), as JSON. */
  #published: string | undefined;
  readonly #rounds: Counter;

  constructor(private readonly deps: AlertEvaluatorDeps) {
    this.#counts = new ClusterCounts(deps.control);
    // Who watches the watcher: a cluster whose sum of this counter stops growing evaluates no alerts.
    this.#rounds = new Counter({
      name: 'junction_alert_rounds_total',
      help: 'Alert evaluation rounds this process ran as the holder of the alert lease.',
      registers: [deps.metrics.registry],
    });
  }

  /**
   * Publishes the active set's Alert names when they changed since this process last did (a swap): every evaluating
   * engine publishes the names of the set it runs, so the record follows the cluster's active commit.
   */
  async publishLoaded(): Promise<void> {
    const { active } = this.deps.specs;
    const loaded = { names: [...(active.alerts?.keys() ?? [])].sort(), commit: active.commit };
    const json = JSON.stringify(loaded);
    if (json === this.#published) return;
    await writeLoadedAlerts(this.deps.control, loaded);
    this.#published = json;
  }

  start(): void {
    this.#timer = setInterval(() => {
      this.#tick ??= this.tick()
        .catch((error: Error) => this.deps.log.warn({ err: error }, 'alert evaluation failed'))
        .finally(() => (this.#tick = undefined));
    }, this.deps.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#tick;
    await removeCounts(this.deps.control, this.deps.holder);
  }

  /**
   * One round: publish this process's counts; evaluate when this process holds the lease. `now` is the broker's clock
   * (as this engine estimates it), as are the state's times: another holder wrote them, and with each engine's own
   * clock one whose clock ran ahead fired a pending alert before its `for` (and repeated before `repeat_every`).
   */
  async tick(now = this.deps.clock.now()): Promise<void> {
    await this.publishLoaded();
    const alerts = [...(this.deps.specs.active.alerts?.values() ?? [])];
    if (alerts.length === 0) return;
    const { control, holder, clock, intervalMs } = this.deps;
    await publishCounts(control, holder, await processCounts(this.deps.metrics));
    // A turn, not a bare lease: a round that outlasts it (slow receivers) or a holder paused past it must not notify
    // beside the engine that took over.
    const turn = await LeaseTurn.take({ kv: control, key: LEASE_KEY, holder, ttlMs: intervalMs * 3, clock });
    if (!turn) {
      this.#history = []; // another process evaluates; a stale history must not count once this one takes over
      return;
    }
    try {
      const signals = await this.#signals(now);
      const [states, silences] = await Promise.all([readAlertStates(control), readSilences(control, now)]);
      for (const alert of alerts) {
        const before = states.get(alert.name) ?? {};
        const instances = evaluateCondition(alert, signals, this.#history);
        const after = await this.#advance(alert, before, instances, signals, silences.has(alert.name), turn);
        // Lost meanwhile: the new holder carries on from the state it reads; this round's would overwrite it.
        if (!turn.held()) return;
        if (JSON.stringify(after) !== JSON.stringify(before)) await writeAlertState(control, alert.name, after);
      }
      const longest = Math.max(...alerts.map((a) => historyMs(a, signals)));
      this.#history = [...this.#history, signals].filter((s) => s.at >= now - longest - intervalMs);
      this.#rounds.inc();
    } finally {
      turn.end();
    }
  }

  async #signals(now: number): Promise<AlertSignals> {
    const integrations = [...this.deps.specs.active.integrations.keys()];
    // Sources' health is one KV listing a round: read only when an alert watches it.
    const watching = (...kinds: string[]) =>
      [...(this.deps.specs.active.alerts?.values() ?? [])].some((a) => kinds.includes(a.condition.kind));
    const watchesMissed = watching('missed_changes');
    const watchesSources = watchesMissed || watching('source_failing', 'source_stalled');
    const [counts, openDeadLetters, lag, sync, sources] = await Promise.all([
      this.#counts.update(),
      this.deps.openDeadLetters(),
      this.deps.lag(integrations),
      this.deps.sync(),
      watchesSources ? readSourcesHealth(this.deps.control, this.deps.specs.active.integrations.values()) : undefined,
    ]);
    const missedChanges = watchesMissed && sources ? await this.#missedChanges(sources) : undefined;
    return {
      at: now,
      integrations,
      openDeadLetters,
      lag,
      counts,
      ...(sources ? { sources, leasedSources: leasedSources(this.deps.specs.active.integrations.values()) } : {}),
      ...(missedChanges ? { missedChanges } : {}),
      ...(sync ? { sync } : {}),
    };
  }

  /**
   * Each open or reconciled missed-changes report, as the status shows it (the same recover command); the reconcile
   * reports are read only when a source has one.
   */
  async #missedChanges(
    sources: ReadonlyMap<string, SourceHealthRecord>,
  ): Promise<Map<string, MissedChangesStatus> | undefined> {
    if (![...sources.values()].some((h) => h.missedChanges)) return undefined;
    const reconciles = new Map((await reconcileReports(this.deps.control)).map((r) => [r.integration, r]));
    const out = new Map<string, MissedChangesStatus>();
    for (const i of this.deps.specs.active.integrations.values()) {
      const missed = missedChangesStatus(i, sources.get(i.name), reconciles.get(i.name));
      if (missed) out.set(i.name, missed);
    }
    return out;
  }

  /** The alert's next state; notifies on the way. A notification that reached no receiver is tried next round. */
  async #advance(
    alert: CompiledAlert,
    state: AlertState,
    instances: AlertInstance[],
    signals: AlertSignals,
    silenced: boolean,
    turn: LeaseTurn,
  ): Promise<AlertState> {
    const now = signals.at;
    const at = new Date(now).toISOString();
    const next: AlertState = {};
    for (const i of instances) {
      const known = state[i.subject];
      // Another occurrence of a subject that kept holding (a newer report) is pending anew, so it is told anew.
      const same = known && known.occurrence === i.occurrence;
      const s: InstanceState = {
        ...(same ? known : { since: at }),
        value: i.value,
        summary: i.summary,
        ...(i.occurrence ? { occurrence: i.occurrence } : {}),
      };
      if (!s.firingAt && now - Date.parse(s.since) >= alert.forMs) s.firingAt = at;
      const due = !s.notifiedAt || now - Date.parse(s.notifiedAt) >= alert.repeatMs;
      if (s.firingAt && due && !silenced && (await this.#notify(alert, 'firing', i.subject, s, at, turn)))
        s.notifiedAt = at;
      next[i.subject] = s;
    }
    for (const [subject, s] of Object.entries(state)) {
      if (next[subject]) continue;
      // It stopped holding: receivers that were told it fires hear that it resolved (unless silenced).
      if (!s.notifiedAt || silenced) continue;
      const told = { ...s, summary: resolvedSummary(alert, subject, s, signals) ?? s.summary };
      if (!(await this.#notify(alert, 'resolved', subject, told, at, turn))) next[subject] = s;
    }
    return next;
  }

  async #notify(
    alert: CompiledAlert,
    status: AlertNotification['status'],
    subject: string,
    s: InstanceState,
    at: string,
    turn: LeaseTurn,
  ): Promise<boolean> {
    // Only while this engine still holds the lease: otherwise the new holder notifies (once).
    if (!(await turn.confirm())) return false;
    const n: AlertNotification = {
      alert: alert.name,
      status,
      severity: alert.severity,
      subject,
      summary: s.summary,
      ...(alert.description ? { description: alert.description } : {}),
      value: s.value,
      started_at: s.firingAt ?? s.since,
      at,
    };
    const ctx = { env: this.deps.env, security: this.deps.security, spec: alert.name };
    const results = await Promise.allSettled(alert.notify.map((r) => sendNotification(r, n, ctx)));
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        this.deps.log.warn(
          { alert: alert.name, receiver: Object.keys(alert.notify[i])[0], err: r.reason as Error },
          `alert notification failed: ${(r.reason as Error)?.message}`,
        );
    });
    const sent = results.some((r) => r.status === 'fulfilled');
    if (sent) this.deps.log.info({ alert: alert.name, status, subject }, `alert ${status}: ${s.summary}`);
    return sent;
  }
}

/** Each stream or schedule source of the active set, with a schedule's interval. */
function leasedSources(integrations: Iterable<CompiledIntegration>): Map<string, { everyMs?: number }> {
  return new Map(
    [...integrations]
      .filter(hasLeasedSource)
      .map((i) => [i.name, i.source.kind === 'schedule' ? { everyMs: i.source.everyMs } : {}]),
  );
}

/**
 * How far back the samples `alert` looks at go: its window, or for `source_stalled` the longest stall of a source
 * (a source that never completed a round is stalled once the first sample that saw it is that old).
 */
function historyMs(alert: CompiledAlert, signals: AlertSignals): number {
  const c = alert.condition;
  if ('withinMs' in c) return c.withinMs;
  if (c.kind !== 'source_stalled') return 0;
  return Math.max(0, ...[...(signals.leasedSources?.values() ?? [])].map((source) => stalledAfterMs(c, source)));
}
