/**
 * A stream source's `when` against the event kinds its vendor sends in place of others (Salesforce: a gap event,
 * `GAP_UPDATE`, for an `UPDATE` it could not describe). A `when` that takes `UPDATE` by its literal name but never
 * names `GAP_UPDATE` skips every gap update silently, so `validate` warns at the literal. To keep false alarms out,
 * the check speaks only when every use of the kind in the `when` is a plain test for listed names
 * (`kind in ["CREATE", …]`, `kind = "UPDATE"`), none of them negated; any other use of the kind (`!=`, `$not`,
 * `$contains(kind, "GAP")`, a variable) may well take the stand-ins, and is not second-guessed.
 */
import type { CompiledConnection, CompiledIntegration } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { positionInExpression } from './compile-expression.js';
import type { ValidatedSpec } from './parse-specs.js';
import { isNode } from './transform-ast.js';

type Node = Record<string, unknown> & { type: string };

export function checkStandInEvents(
  ctx: CompileContext,
  integrations: readonly { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[],
  connections: ReadonlyMap<string, CompiledConnection>,
): void {
  for (const { compiled, validated } of integrations) {
    const source = compiled.source;
    if (source.kind !== 'stream' || !compiled.when) continue;
    const type = connections.get(source.connection)?.type;
    const standIns = type && ctx.options.connectors.get(type)?.streams?.[source.stream]?.standIns;
    const ast = compiled.when.ast?.();
    if (!standIns || !ast) continue;
    const named = namedKinds(ast, standIns.field);
    if (!named) continue;
    const missing = Object.entries(standIns.pairs).filter(([kind, standIn]) => named.has(kind) && !named.has(standIn));
    if (!missing.length) continue;
    const text = compiled.when.source;
    const first = named.get(missing[0][0])!;
    const site = { spec: validated.spec, path: ['when'] };
    const takes = missing.map(([kind]) => kind).join(', ');
    const skipped = missing.map(([, standIn]) => standIn).join(', ');
    ctx.diagnostics.push({
      file: validated.spec.file,
      ...positionInExpression(site, Math.max(0, Math.min(first, text.length - 1))),
      severity: 'warning',
      code: 'stand-in-events-skipped',
      message:
        `\`when\` takes ${takes} but not ${skipped}: ${standIns.why}, and this flow skips those events without a ` +
        `trace. Add ${skipped} where ${takes} ${missing.length === 1 ? 'is' : 'are'} listed (they read ` +
        '`gap_fields`, the fields an ordinary event carries itself), or test for them apart if they need other ' +
        'handling',
    });
  }
}

/**
 * The kinds the `when` names, each with the offset of its first literal, when every use of the kind field is a
 * positive test for literal names; undefined when any use is something else.
 */
function namedKinds(ast: unknown, field: readonly string[]): Map<string, number> | undefined {
  const named = new Map<string, number>();
  let plain = true;
  const isField = (node: unknown) =>
    isNode(node) &&
    node.type === 'path' &&
    Array.isArray(node.steps) &&
    node.steps.length === field.length &&
    (node.steps as Node[]).every((s, i) => s.type === 'name' && s.value === field[i]);
  const literals = (node: unknown): Node[] | undefined => {
    if (isNode(node) && node.type === 'string') return [node as Node];
    if (isNode(node) && node.type === 'unary' && node.value === '[' && Array.isArray(node.expressions)) {
      const items = node.expressions as unknown[];
      return items.every((e) => isNode(e) && e.type === 'string') ? (items as Node[]) : undefined;
    }
    return undefined;
  };
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!isNode(node)) return;
    if (isField(node)) {
      // Reached outside a plain test (an argument, a variable's value, `!=`): it may take any kind.
      plain = false;
      return;
    }
    if (node.type === 'function' && (node.procedure as Node | undefined)?.value === 'not') {
      // A negated test takes every kind it does not name, stand-ins included.
      if (JSON.stringify(node).includes(`"${field.at(-1)}"`)) plain = false;
      return;
    }
    if (node.type === 'binary' && (node.value === 'in' || node.value === '=')) {
      const list = isField(node.lhs)
        ? literals(node.rhs)
        : node.value === '=' && isField(node.rhs)
          ? literals(node.lhs)
          : undefined;
      if (list) {
        for (const literal of list) {
          const name = String(literal.value);
          const start = Number(literal.position) - name.length - 2;
          if (!named.has(name)) named.set(name, start);
        }
        return;
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'position') visit(value);
  };
  visit(ast);
  return plain && named.size ? named : undefined;
}
