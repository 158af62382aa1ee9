/**
 * A step whose operation takes its URL path as a template param (the generic HTTP connector: `path:
 * /inventory/{sku}`) fills each `{field}` from the record the body writes; a placeholder the body never writes makes
 * every call fail. Reported at the placeholder, when the body's written fields are all known.
 */
import type { ConnectorDef } from '../../sdk/connector.js';
import type { CompiledConnection } from '../compiled-spec.js';
import type { CompileContext } from '../compile-context.js';
import { positionInExpression } from '../compile-expression.js';
import type { ValidatedSpec } from '../parse-specs.js';
import { closestMatch } from '../suggest.js';
import { resultObjects } from '../transform-ast.js';

export function checkPathPlaceholders(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  connections: ReadonlyMap<string, CompiledConnection>,
): void {
  const { spec } = validated;
  validated.value.steps.forEach((step, i) => {
    const template = step.params?.path;
    const type = connections.get(step.connection)?.type;
    const connector: ConnectorDef | undefined = type === undefined ? undefined : ctx.options.connectors.get(type);
    const operation = connector?.operations[step.operation];
    if (typeof template !== 'string' || !operation?.vendorName.includes('{path}')) return;
    const body = ctx.expressions.get(spec)?.find((e) => e.path.join('.') === `steps.${i}.body`)?.expression;
    const objects = body ? resultObjects(body.ast?.(), body.source) : [];
    if (objects.length === 0 || objects.some((o) => o.dynamic)) return;
    for (const match of template.matchAll(/\{(\w+)\}/g)) {
      const field = match[1];
      const missing = objects.find((o) => !o.fields.some((f) => f.name === field));
      if (!missing) continue;
      const hint = closestMatch(
        field,
        missing.fields.map((f) => f.name),
      );
      ctx.diagnostics.push({
        file: spec.file,
        ...positionInExpression({ spec, path: ['steps', i, 'params', 'path'] }, match.index ?? 0),
        severity: 'error',
        code: 'unknown-path-placeholder',
        message: `the path placeholder {${field}} is filled from the record the body writes, which has no \`${field}\`${hint ? `; did you mean {${hint}}?` : ''}: every call would fail`,
      });
    }
  });
}
