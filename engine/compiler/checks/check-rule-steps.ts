/**
 * The step names an `on_error` rule compares `step` with (`step = "invoice"`, `step != "…"`, `step in ["…"]`): a
 * failure's `step` is always one of the integration's step ids, so a name no step has (a typo, a renamed step) never
 * matches, and the rule silently stops applying.
 */
import { walkAst } from '../expression-references.js';
import { closestMatch } from '../suggest.js';
import { isNode } from '../transform-ast.js';
import type { AstNode } from '../transform-ast.js';
import type { ExpressionReport } from './expression-report.js';
import { nodeStart } from './function-calls.js';

export function checkRuleSteps(ast: unknown, source: string, stepIds: readonly string[], report: ExpressionReport) {
  walkAst(ast, (node) => {
    if (node.type !== 'binary' || !['=', '!=', 'in'].includes(String(node.value))) return;
    const compared = isStep(node.lhs) ? node.rhs : node.value !== 'in' && isStep(node.rhs) ? node.lhs : undefined;
    if (!isNode(compared)) return;
    const names = compared.type === 'unary' && compared.value === '[' ? compared.expressions : [compared];
    for (const name of (names as unknown[]).filter(isNode)) {
      if (name.type !== 'string' || typeof name.value !== 'string' || stepIds.includes(name.value)) continue;
      const hint = closestMatch(name.value, stepIds);
      report(
        nodeStart(name, source),
        'error',
        'unknown-step',
        `no step is named ${JSON.stringify(name.value)}, so \`step\` never equals it and the rule cannot apply as written${hint ? `; did you mean \`${hint}\`?` : `; the steps are ${stepIds.map((s) => `\`${s}\``).join(', ')}`}`,
      );
    }
  });
}

/** The path `step`, the failure's step id. */
function isStep(node: unknown): boolean {
  if (!isNode(node) || node.type !== 'path') return false;
  const steps = node.steps as AstNode[] | undefined;
  return steps?.length === 1 && steps[0].type === 'name' && steps[0].value === 'step';
}
