/**
 * Picture strings written as literals, checked when the spec is validated instead of on the first event: number
 * pictures (`$formatNumber`, `$formatInteger`, `$parseInteger`) and date/time pictures (`$fromMillis`, `$toMillis`,
 * `$now`). Each is analysed by the engine's own picture code, so the diagnostic is the error the runtime would
 * raise (D3080…D3093 for numbers, D3130…D3137 for dates).
 */
import { formatDateTime } from '../../transform/compiled/functions/datetime-picture.js';
import { parseDateTime } from '../../transform/compiled/functions/datetime-parse.js';
import { formatNumber } from '../../transform/compiled/functions/format-number.js';
import { analyseInteger } from '../../transform/compiled/functions/format-integer.js';
import { isNode } from '../transform-ast.js';
import type { ExpressionCalls } from './function-calls.js';
import { nodeStart } from './function-calls.js';
import type { ExpressionReport } from './expression-report.js';

/** Which argument holds the picture, and how the runtime reads it. */
const PICTURES: Record<string, { arg: number; check: (picture: string) => unknown; optionsArg?: number }> = {
  // decimal-format options (a third argument) change the picture's characters: then it is not checked
  formatNumber: { arg: 1, check: (p) => formatNumber(0, p), optionsArg: 2 },
  formatInteger: { arg: 1, check: (p) => analyseInteger(p) },
  parseInteger: { arg: 1, check: (p) => analyseInteger(p) },
  fromMillis: { arg: 1, check: (p) => formatDateTime(0, p) },
  now: { arg: 0, check: (p) => formatDateTime(0, p) },
  // an empty timestamp matches nothing, so only the picture is analysed
  toMillis: { arg: 1, check: (p) => parseDateTime('', p) },
};

export function checkPictures({ calls, bound }: ExpressionCalls, source: string, report: ExpressionReport): void {
  for (const call of calls) {
    const rule = PICTURES[call.name];
    if (!rule || bound.has(call.name) || call.partial) continue;
    if (rule.optionsArg !== undefined && call.args[rule.optionsArg] !== undefined) continue;
    const picture = call.args[rule.arg];
    if (!isNode(picture) || picture.type !== 'string' || typeof picture.value !== 'string') continue;
    try {
      rule.check(picture.value);
    } catch (error) {
      const e = error as { code?: string; message?: string };
      report(
        nodeStart(picture, source),
        'error',
        'invalid-picture',
        `the picture ${JSON.stringify(picture.value)} of \`$${call.name}\` is invalid: JSONata ${e.code} ${e.message}`,
      );
    }
  }
}
