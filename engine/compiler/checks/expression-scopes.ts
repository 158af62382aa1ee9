/**
 * Which of Junction's `$` names an expression sees, by where it stands. Most expressions run inside an event with
 * every binding (engine/execute/expression-bindings.ts); a few are evaluated elsewhere with fewer, and a name missing
 * there has no value (a variable) or is no function (T1006 on every event) at run time.
 */
import type { JsonPath } from '../source-position.js';

export interface ExpressionScope {
  /** Where the expression stands, as a message names it. */
  where: string;
  /** Why it sees so little, and what it does see. */
  sees: string;
  /** The values Junction binds there. */
  values: readonly string[];
  /** $steps is reported here too (elsewhere the step-order check of compile-integration.ts reports it). */
  reportsSteps?: boolean;
}

const IDENTITY = (field: string): ExpressionScope => ({
  where: `\`${field}\``,
  sees: 'computed as the event arrives, before any step, with only $event bound',
  values: ['event'],
});
const RECORD = (field: string): ExpressionScope => ({
  where: `\`${field}\``,
  sees: 'evaluated over the record or answer alone, with no $ bindings (no $lookup or $xref either)',
  values: [],
});

/**
 * A function of the integration's `functions`: called from expressions that see different values, it takes those
 * it needs as arguments. (It calls the extensions where its caller can: checks/function-needs.ts.)
 */
export function functionScope(name: string): ExpressionScope {
  return {
    where: `function \`$${name}\``,
    sees: 'called from expressions that see different values: pass it what it needs as an argument',
    values: [],
    reportsSteps: true,
  };
}

/** The restricted scope at `path`, or undefined where an expression sees every binding. */
export function expressionScope(path: JsonPath): ExpressionScope | undefined {
  const at = path.join('.');
  if (at === 'key' || at === 'dedup_id') return IDENTITY(at);
  if (path[0] === 'on_error' && path[2] === 'match')
    return {
      where: `\`on_error[${path[1]}].match\``,
      sees: 'evaluated over the failure alone (code, status, vendor_code, message, step, sent_before), with no $ bindings',
      values: [],
    };
  if (['source.schedule.cursor', 'read.list.cursor', 'read.list.records', 'read.get.record'].includes(at))
    return RECORD(at);
  return undefined;
}

/** The values Junction binds only in some places of a step (engine/execute/execute-event.ts, call-step.ts). */
export const STEP_VALUES: Readonly<Record<string, string>> = {
  index:
    "only in a `for_each` step's `body`, `requires`, `find` and `xref`, and in the `abandon` of a step that a " +
    '`for_each` step restarts from (`restart_from`: the index of the element that restarts)',
  body: "only in a step's `find` and `abandon` (what the step sent)",
  result: "only in a step's `xref` `source_id` and `target_id` (the step's answer)",
};

/**
 * Which of STEP_VALUES the expression at `path` sees. `abandon` runs in the step that restarts from its step
 * (call-step.ts, abandonEntry), with that step's bindings: its `$index` is bound only when a `for_each` step restarts
 * from it. `xref.match` is evaluated over the source record alone.
 */
export function stepValues(
  path: JsonPath,
  steps: readonly { id?: string; for_each?: string; restart_from?: string }[],
): Set<string> {
  const seen = new Set<string>();
  if (path[0] !== 'steps' || typeof path[1] !== 'number') return seen;
  const part = path[2];
  const xrefId = part === 'xref' && (path[3] === 'source_id' || path[3] === 'target_id') && path.length === 4;
  if (part === 'find' || part === 'abandon') seen.add('body');
  if (xrefId) seen.add('result');
  const indexed = part === 'body' || part === 'requires' || part === 'find' || xrefId;
  if (indexed && steps[path[1]]?.for_each !== undefined) seen.add('index');
  const id = steps[path[1]]?.id;
  if (part === 'abandon' && steps.some((s) => s.restart_from === id && s.for_each !== undefined)) seen.add('index');
  return seen;
}
