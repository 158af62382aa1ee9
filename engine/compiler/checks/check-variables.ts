/**
 * Variables an expression reads that nothing binds: JSONata gives an unbound `$name` no value, silently, so a typo
 * (`$evnet.id`, `$step.invoice.id`) would drop a field or skip a record at run time instead of failing validation.
 */
import { closestMatch } from '../suggest.js';
import { STEP_VALUES } from './expression-scopes.js';
import type { ExpressionScope } from './expression-scopes.js';
import type { ExpressionCalls } from './function-calls.js';
import { boundValueNames, isKnownName } from './function-table.js';
import type { ExpressionReport } from './expression-report.js';

/**
 * `scope`: where the expression sees fewer bindings than in an event (expression-scopes.ts); `stepValues`: which of
 * $index, $body and $result it sees (expression-scopes.ts stepValues); undefined: all three (an expression alone);
 * `functions`: the names of the integration's `functions`.
 */
export function checkVariables(
  expression: ExpressionCalls,
  report: ExpressionReport,
  scope: ExpressionScope | undefined,
  stepValues?: ReadonlySet<string>,
  functions: ReadonlySet<string> = new Set(),
): void {
  const reported = new Set<string>();
  for (const { name, start } of expression.variables) {
    if (expression.bound.has(name) || functions.has(name) || reported.has(name)) continue;
    // `$steps` where no step has run is the step-order check's to report, but in a function.
    const outOfScope =
      scope &&
      boundValueNames().includes(name) &&
      !scope.values.includes(name) &&
      (name !== 'steps' || scope.reportsSteps);
    if (outOfScope) {
      reported.add(name);
      report(start, 'error', 'unknown-variable', `\`$${name}\` is not bound in ${scope.where}, which is ${scope.sees}`);
      continue;
    }
    if (stepValues && name in STEP_VALUES && !stepValues.has(name)) {
      reported.add(name);
      report(
        start,
        'error',
        'unknown-variable',
        `\`$${name}\` is not bound here: Junction binds it ${STEP_VALUES[name]}`,
      );
      continue;
    }
    if (isKnownName(name)) continue;
    reported.add(name);
    const hint = closestMatch(name, [...boundValueNames(), ...expression.bound]);
    report(
      start,
      'error',
      'unknown-variable',
      `\`$${name}\` is not bound: it is neither a value Junction binds (${boundValueNames()
        .map((n) => `$${n}`)
        .join(
          ', ',
        )}), a function, one of the integration's \`functions\`, nor one this expression binds with :=, so it would have no value` +
        (expression.compared.has(name)
          ? `; \`$${name} = …\` compares: assign with \`$${name} := …\``
          : hint
            ? `; did you mean \`$${hint}\`?`
            : ''),
    );
  }
}
