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
