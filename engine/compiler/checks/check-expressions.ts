/**
 * The static checks of every JSONata expression in the integrations, run after compilation: unknown functions and
 * arguments against signatures, picture strings, the map, table and key names calls give as literals, constant time
 * zone names, and the step names `on_error` rules compare `step` with. Each diagnostic points at the offending token
 * inside the YAML scalar (plain, quoted or block).
 */
import type { CompiledConnection, CompiledLookup } from '../compiled-spec.js';
import type { CompileContext } from '../compile-context.js';
import { positionInExpression } from '../compile-expression.js';
import type { ValidatedSpec } from '../parse-specs.js';
import { checkConstantReferences } from './check-constant-references.js';
import { checkFunctions } from './check-functions.js';
import { checkPathPlaceholders } from './check-path-placeholders.js';
import { checkPictures } from './check-pictures.js';
import { checkRuleSteps } from './check-rule-steps.js';
import { checkTimeZones } from './check-time-zones.js';
import { checkUndefined } from './check-undefined.js';
import { checkVariables } from './check-variables.js';
import { expressionScope, functionScope, stepValues } from './expression-scopes.js';
import { functionNeeds } from './function-needs.js';
import type { ExpressionReport } from './expression-report.js';
import { functionCalls } from './function-calls.js';

export function checkExpressions(
  ctx: CompileContext,
  integrations: readonly ValidatedSpec<'Integration'>[],
  lookups: ReadonlyMap<string, CompiledLookup>,
  connections: ReadonlyMap<string, CompiledConnection>,
): void {
  const xrefMaps = new Set(integrations.flatMap((i) => i.value.steps.flatMap((s) => s.xref?.map ?? [])));
  for (const validated of integrations) {
    const { spec } = validated;
    checkPathPlaceholders(ctx, validated, connections);
    const expressions = ctx.expressions.get(spec) ?? [];
    const functions = functionNeeds(
      new Map(
        Object.entries(validated.value.functions ?? {}).map(([name]) => {
          const found = expressions.find((e) => e.path[0] === 'functions' && e.path[1] === name)?.expression;
          const ast = found?.ast?.();
          return [name, ast ? functionCalls(ast, found!.source) : undefined];
        }),
      ),
    );
    const functionNames = new Set(functions.keys());
    for (const { path, expression } of expressions) {
      const ast = expression.ast?.();
      if (!ast) continue;
      const report: ExpressionReport = (offset, severity, code, message) =>
        ctx.diagnostics.push({
          file: spec.file,
          ...positionInExpression({ spec, path }, offset),
          severity,
          code,
          message,
        });
      const calls = functionCalls(ast, expression.source);
      const scope = expressionScope(path);
      checkFunctions(calls, expression.source, report, scope, functions);
      const variableScope = path[0] === 'functions' ? functionScope(String(path[1])) : scope;
      checkVariables(calls, report, variableScope, stepValues(path, validated.value.steps), functionNames);
      checkPictures(calls, expression.source, report);
      checkUndefined(ast, expression.source, report);
      checkConstantReferences(calls, expression.source, { lookups, xrefMaps }, report);
      checkTimeZones(calls, expression.source, lookups, report);
      if (path[0] === 'on_error' && path[2] === 'match')
        checkRuleSteps(
          ast,
          expression.source,
          validated.value.steps.map((s) => s.id),
          report,
        );
    }
  }
}
