/**
 * `undefined` written as in JavaScript (`email != undefined`): JSONata has no such value, so it reads a field named
 * `undefined`, which is missing: a comparison with it is always false and a `when` skips every record, silently.
 * Only comparisons are reported: elsewhere (`x ? y : undefined`) reading nothing is the idiom for "no value". A field
 * really named so is written in backticks (`` `undefined` ``) and is not reported.
 */
import { walkAst } from '../expression-references.js';
import { isNode } from '../transform-ast.js';
import type { ExpressionReport } from './expression-report.js';
import { nodeStart } from './function-calls.js';

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);

export function checkUndefined(ast: unknown, source: string, report: ExpressionReport): void {
  walkAst(ast, (node) => {
    if (node.type !== 'binary' || !COMPARISONS.has(String(node.value))) return;
    for (const side of [node.lhs, node.rhs]) {
      const steps = isNode(side) && side.type === 'path' ? (side.steps as unknown[]) : undefined;
      const step = steps?.length === 1 ? steps[0] : undefined;
      if (!isNode(step) || step.type !== 'name' || step.value !== 'undefined') continue;
      const start = nodeStart(step, source);
      if (source[start] === '`') continue;
      report(
        start,
        'error',
        'undefined-name',
        `JSONata has no \`undefined\`: this reads a field named undefined, which is missing, so \`${String(node.value)}\` ` +
          'with it is always false; test a missing field with $exists(field) (or $not($exists(field))), a JSON null ' +
          'with field = null',
      );
    }
  });
}
