/**
 * Stage 3 for Alert specs: durations to ms, the one condition to a tagged value, and the integrations it watches
 * checked against those defined (a typo would otherwise be an alert that never fires).
 */
import type { AlertCondition, CompiledAlert } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { parseDuration } from './duration.js';
import type { Condition } from './generated/spec-types.js';
import type { ValidatedSpec } from './parse-specs.js';
import { closestMatch } from './suggest.js';

export function compileAlert(
  ctx: CompileContext,
  { spec, value }: ValidatedSpec<'Alert'>,
  integrationNames: ReadonlySet<string>,
): CompiledAlert | undefined {
  let known = true;
  value.integrations?.forEach((name, i) => {
    if (integrationNames.has(name)) return;
    known = false;
    const hint = closestMatch(name, [...integrationNames]);
    ctx.error(
      spec,
      ['integrations', i],
      'unknown-integration',
      `no integration named ${JSON.stringify(name)} to watch${hint ? `; did you mean \`${hint}\`?` : ''}`,
    );
  });
  if (!known) return undefined;
  return {
    name: value.name,
    description: value.description,
    severity: value.severity,
    integrations: value.integrations,
    condition: compileCondition(value.condition),
    forMs: parseDuration(value.for),
    repeatMs: parseDuration(value.repeat_every),
    notify: value.notify,
    file: spec.file,
  };
}

/** The schema admits exactly one condition. */
function compileCondition(c: Condition): AlertCondition {
  if (c.dlq_growth) return { kind: 'dlq_growth', moreThan: c.dlq_growth.more_than, withinMs: ms(c.dlq_growth.within) };
  if (c.lag) return { kind: 'lag', moreThan: c.lag.more_than };
  if (c.error_rate) {
    const e = c.error_rate;
    return {
      kind: 'error_rate',
      ...(e.code ? { code: e.code } : {}),
      moreThan: e.more_than,
      withinMs: ms(e.within),
      minAttempts: e.min_attempts,
    };
  }
  if (c.auth_failures)
    return { kind: 'auth_failures', moreThan: c.auth_failures.more_than, withinMs: ms(c.auth_failures.within) };
  if (c.source_failing) return { kind: 'source_failing', rounds: c.source_failing.rounds };
  if (c.source_stalled)
    return {
      kind: 'source_stalled',
      intervals: c.source_stalled.intervals,
      streamIntervalMs: ms(c.source_stalled.stream_interval),
    };
  if (c.missed_changes) return { kind: 'missed_changes' };
  return c.workers_behind ? { kind: 'workers_behind' } : { kind: 'rejected_commits' };
}

const ms = parseDuration;
