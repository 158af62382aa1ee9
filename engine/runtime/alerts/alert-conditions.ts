/**
 * Whether an alert's condition holds, and for what (an integration, a worker, a commit), from the latest signals of
 * the cluster and the samples kept for the windows. Pure: the evaluator gathers the signals and keeps the history.
 */
import type { AlertCondition, CompiledAlert } from '../../compiler/compiled-spec.js';
import { SUCCESS_REFRESH_MS } from '../sources/source-health.js';
import type { SourceHealthRecord } from '../sources/source-health.js';
import type { MissedChangesStatus } from '../observe/missed-changes.js';
import type { AttemptCounts } from './attempt-counts.js';

/** One look at the cluster. */
export interface AlertSignals {
  at: number;
  /** The active set's integrations. */
  integrations: readonly string[];
  openDeadLetters: ReadonlyMap<string, number>;
  lag: ReadonlyMap<string, number>;
  /** Cluster totals since the evaluator started (attempt-counts.ts). */
  counts: AttemptCounts;
  /** How each stream or schedule source fares, as its leader stored it (sources/source-health.ts). */
  sources?: ReadonlyMap<string, SourceHealthRecord>;
  /** The active set's stream and schedule sources: a schedule's interval, none for a stream (read with `sources`). */
  leasedSources?: ReadonlyMap<string, { everyMs?: number }>;
  /**
   * Changes each stream or schedule source's vendor reported it cannot deliver as events, with the command that
   * recovers them and whether a whole reconcile has finished since (observe/missed-changes.ts, as the status shows).
   */
  missedChanges?: ReadonlyMap<string, MissedChangesStatus>;
  /** Git sync, when the engines run with --repo. */
  sync?: {
    active_commit: string | null;
    workers: readonly { id: string; commit: string }[];
    rejected: readonly { commit: string; diagnostics: readonly { message: string }[] }[];
  };
}

/** The condition holds for `subject`. */
export interface AlertInstance {
  subject: string;
  value: number;
  summary: string;
  /**
   * What holds, where one subject can hold again for a new cause without ever stopping (a newer missed-changes
   * report): another occurrence starts over as pending, so it fires (and is told) anew.
   */
  occurrence?: string;
}

/** `history`: earlier signals, oldest first (the current ones excluded). */
export function evaluateCondition(
  alert: CompiledAlert,
  now: AlertSignals,
  history: readonly AlertSignals[],
): AlertInstance[] {
  const c = alert.condition;
  const watched = now.integrations.filter((i) => !alert.integrations || alert.integrations.includes(i));
  const since = (withinMs: number) => history.filter((s) => s.at >= now.at - withinMs);
  const out: AlertInstance[] = [];
  const hold = (subject: string, value: number, summary: string, occurrence?: string) =>
    out.push({ subject, value, summary, ...(occurrence ? { occurrence } : {}) });
  switch (c.kind) {
    case 'dlq_growth':
      for (const i of watched) {
        const open = now.openDeadLetters.get(i) ?? 0;
        const lowest = Math.min(open, ...since(c.withinMs).map((s) => s.openDeadLetters.get(i) ?? 0));
        const growth = open - lowest;
        if (growth > c.moreThan)
          hold(i, growth, `open dead letters grew by ${growth} within ${duration(c.withinMs)} to ${open}${over(c)}`);
      }
      break;
    case 'lag':
      for (const i of watched) {
        const lag = now.lag.get(i) ?? 0;
        if (lag > c.moreThan) hold(i, lag, `${lag} events stored and not yet delivered${over(c)}`);
      }
      break;
    case 'error_rate':
    case 'auth_failures': {
      const base = since(c.withinMs)[0]?.counts ?? {};
      const delta = (key: string) => (now.counts[key] ?? 0) - (base[key] ?? 0);
      for (const i of watched) {
        if (c.kind === 'auth_failures') {
          const refused = delta(`${i}/auth`);
          if (refused > c.moreThan)
            hold(i, refused, `${refused} attempts refused for authentication within ${duration(c.withinMs)}${over(c)}`);
          continue;
        }
        const attempts = delta(i);
        const failed = c.code ? delta(`${i}/${c.code}`) : failures(now.counts, base, i);
        const rate = attempts > 0 ? failed / attempts : 0;
        if (attempts >= c.minAttempts && rate > c.moreThan)
          hold(
            i,
            rate,
            `${percent(rate)} of ${attempts} attempts failed${c.code ? ` with ${c.code}` : ''} within ` +
              `${duration(c.withinMs)} (more than ${percent(c.moreThan)})`,
          );
      }
      break;
    }
    case 'source_failing':
      for (const i of watched) {
        const health = now.sources?.get(i);
        if (!health || health.failedRounds < c.rounds) continue;
        const last = health.lastFailure;
        hold(
          i,
          health.failedRounds,
          `its source failed ${health.failedRounds} rounds in a row (${c.rounds} or more)` +
            (last ? `, the last at ${last.at}: ${last.message}` : ''),
        );
      }
      break;
    case 'source_stalled':
      for (const i of watched) {
        const source = now.leasedSources?.get(i);
        if (!source) continue;
        const lastSuccess = now.sources?.get(i)?.lastSuccessAt;
        // Never completed a round: counted from the first look of this evaluator that saw the source.
        const from = lastSuccess
          ? Date.parse(lastSuccess)
          : (history.find((s) => s.leasedSources?.has(i))?.at ?? now.at);
        const quiet = now.at - from;
        if (quiet <= stalledAfterMs(c, source)) continue;
        const interval = source.everyMs ?? c.streamIntervalMs;
        const failure = now.sources?.get(i)?.lastFailure;
        hold(
          i,
          Math.round(quiet / 1000),
          `its ${source.everyMs === undefined ? 'stream' : 'schedule'} source completed no round for ` +
            `${duration(Math.round(quiet / 1000) * 1000)} (more than ${c.intervals} × ${duration(interval)}): ` +
            (lastSuccess ? `the last at ${lastSuccess}` : `none yet (watched since ${new Date(from).toISOString()})`) +
            (failure ? `; the last failure at ${failure.at}: ${failure.message}` : ''),
        );
      }
      break;
    case 'missed_changes':
      for (const i of watched) {
        const missed = now.missedChanges?.get(i);
        if (!missed || missed.reconciledAt) continue;
        // One occurrence per report: the source keeps only the last, and a newer one is news to the receivers.
        hold(
          i,
          1,
          `its source's vendor reported changes it cannot deliver as events (at ${missed.at}): ${missed.message}; ` +
            `to recover them: ${missed.recover}`,
          missed.at,
        );
      }
      break;
    case 'workers_behind': {
      const active = now.sync?.active_commit;
      for (const w of now.sync?.workers ?? [])
        if (active && w.commit !== active)
          hold(`worker ${w.id}`, 1, `runs commit ${w.commit.slice(0, 12)}, not the active ${active.slice(0, 12)}`);
      break;
    }
    case 'rejected_commits':
      for (const r of now.sync?.rejected ?? [])
        hold(
          `commit ${r.commit.slice(0, 12)}`,
          r.diagnostics.length,
          `rejected with ${r.diagnostics.length} problem${r.diagnostics.length === 1 ? '' : 's'}` +
            (r.diagnostics[0] ? `, the first: ${r.diagnostics[0].message}` : ''),
        );
  }
  return out;
}

/**
 * What a subject that stopped holding is told, when the condition knows why: a missed-changes report that a whole
 * reconcile has covered says when. Otherwise (undefined) it is told the summary it fired with.
 */
export function resolvedSummary(
  alert: CompiledAlert,
  subject: string,
  fired: { occurrence?: string },
  now: AlertSignals,
): string | undefined {
  if (alert.condition.kind !== 'missed_changes') return undefined;
  const missed = now.missedChanges?.get(subject);
  if (!missed?.reconciledAt || missed.at !== fired.occurrence) return undefined;
  return (
    `a whole reconcile (--all) finished at ${missed.reconciledAt}, after the report of changes missed at ` +
    `${missed.at}: what it found and re-sent is in its report (the dashboard's Reconciliation)`
  );
}

/**
 * How long a source may go without a completed round before `source_stalled` holds: its intervals, plus the minute
 * by which its leader's stored success time may lag (it is refreshed at most once a minute while rounds succeed).
 */
export function stalledAfterMs(
  c: Extract<AlertCondition, { kind: 'source_stalled' }>,
  source: { everyMs?: number },
): number {
  return c.intervals * (source.everyMs ?? c.streamIntervalMs) + SUCCESS_REFRESH_MS;
}

/** Failures of `integration` with any code between `base` and `now`. */
function failures(now: AttemptCounts, base: AttemptCounts, integration: string): number {
  let n = 0;
  for (const [key, value] of Object.entries(now)) if (key.startsWith(`${integration}/`)) n += value - (base[key] ?? 0);
  return n;
}

function over(c: AlertCondition & { moreThan: number }): string {
  return ` (more than ${c.moreThan})`;
}

function percent(rate: number): string {
  return `${Math.round(rate * 1000) / 10}%`;
}

/** 600000 -> `10m`, as written in specs. */
function duration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
