/**
 * What `$xref` and `$lookup` calls name by literal: a cross-reference map that no step of any integration writes
 * (a warning, like `requires`: `junction xref import` may fill it), and a constant key that the lookup table does
 * not have (an error without a default, where the call always returns nothing; a warning with one).
 */
import type { CompiledLookup } from '../compiled-spec.js';
import { closestMatch } from '../suggest.js';
import { isNode } from '../transform-ast.js';
import type { ExpressionCalls } from './function-calls.js';
import { nodeStart } from './function-calls.js';
import type { ExpressionReport } from './expression-report.js';

interface ReferenceScope {
  lookups: ReadonlyMap<string, CompiledLookup>;
  /** Every cross-reference map some step writes (`xref.map`). */
  xrefMaps: ReadonlySet<string>;
}

export function checkConstantReferences(
  { calls, bound }: ExpressionCalls,
  source: string,
  scope: ReferenceScope,
  report: ExpressionReport,
): void {
  for (const call of calls) {
    if (bound.has(call.name) || (call.name !== 'xref' && call.name !== 'lookup')) continue;
    const [first, second] = call.args;
    if (!isNode(first) || first.type !== 'string' || typeof first.value !== 'string') continue;
    if (call.name === 'xref' && !scope.xrefMaps.has(first.value)) {
      const hint = closestMatch(first.value, [...scope.xrefMaps]);
      report(
        nodeStart(first, source),
        'warning',
        'unknown-xref-map',
        `no step writes the cross-reference map \`${first.value}\`${hint ? `; did you mean \`${hint}\`?` : ''}: $xref returns nothing until it is filled with \`junction xref import\``,
      );
    }
    const table = call.name === 'lookup' ? scope.lookups.get(first.value) : undefined;
    if (!table || !isNode(second) || (second.type !== 'string' && second.type !== 'number')) continue;
    const key = String(second.value);
    if (table.entries.has(key)) continue;
    const hint = closestMatch(key, [...table.entries.keys()]);
    const fallback = table.defaultValue === undefined;
    report(
      nodeStart(second, source),
      fallback ? 'error' : 'warning',
      'unknown-lookup-key',
      `the lookup \`${table.name}\` has no key ${JSON.stringify(key)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}: ${fallback ? 'the call always returns nothing' : `the call always returns its default ${JSON.stringify(table.defaultValue)}`}`,
    );
  }
}
