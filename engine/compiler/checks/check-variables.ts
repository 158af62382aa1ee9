/**
 * Variables an expression reads that nothing binds: JSONata gives an unbound `$name` no value, silently, so a typo
 * (`$evnet.id`, `$step.invoice.id`) would drop a field or skip a record at run time instead of failing validation.
 */
import { closestMatch } from '../suggest.js';
import type { ExpressionCalls } from './function-calls.js';
import { boundValueNames, isKnownName } from './function-table.js';
import type { ExpressionReport } from './expression-report.js';

export function checkVariables(expression: ExpressionCalls, report: ExpressionReport): void {
  const reported = new Set<string>();
  for (const { name, start } of expression.variables) {
    if (expression.bound.has(name) || isKnownName(name) || reported.has(name)) continue;
    reported.add(name);
    const hint = closestMatch(name, [...boundValueNames(), ...expression.bound]);
    report(
      start,
      'error',
      'unknown-variable',
      `\`$${name}\` is not bound: it is neither a value Junction binds (${boundValueNames()
        .map((n) => `$${n}`)
        .join(', ')}), a function, nor one this expression binds with :=, so it would have no value` +
        (hint ? `; did you mean \`$${hint}\`?` : ''),
    );
  }
}
