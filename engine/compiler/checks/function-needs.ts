/**
 * The Junction extensions ($lookup, $xref, $localDate, $zoneOffset) each of an integration's `functions` calls, itself
 * or through the other functions it calls: calling the function where an extension is not bound (`key`, `on_error`
 * rules: expression-scopes.ts) fails as calling the extension there would.
 */
import type { ExpressionCalls } from './function-calls.js';
import { isExtension } from './function-table.js';

/** `functions`: each function's name, with its calls when it compiled. */
export function functionNeeds(functions: ReadonlyMap<string, ExpressionCalls | undefined>): Map<string, Set<string>> {
  const direct = new Map<string, { extensions: Set<string>; others: string[] }>();
  for (const [name, calls] of functions) {
    // a function passed as a value (`$map(lines, $price)`) is called too
    const named = [...(calls?.calls ?? []), ...(calls?.variables ?? [])]
      .map((c) => c.name)
      .filter((n) => !calls?.bound.has(n));
    direct.set(name, { extensions: new Set(named.filter(isExtension)), others: named.filter((n) => functions.has(n)) });
  }
  const needs = new Map<string, Set<string>>();
  for (const name of functions.keys()) {
    const extensions = new Set<string>();
    const reached = [name];
    for (let i = 0; i < reached.length; i++) {
      const own = direct.get(reached[i])!;
      for (const e of own.extensions) extensions.add(e);
      for (const other of own.others) if (!reached.includes(other)) reached.push(other);
    }
    needs.set(name, extensions);
  }
  return needs;
}
