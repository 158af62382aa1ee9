/**
 * Evaluates one spec expression with the bindings of its scope (expression-bindings.ts). A resolved lookup's first
 * read only notes its key: the keys asked for are resolved through the connection, then the expression runs again.
 */
import type { CompiledExpression, TransformGuards } from '../transform/transform-engine.js';
import { expressionBindings } from './expression-bindings.js';
import type { BindingScope } from './expression-bindings.js';

/** A module function rather than a per-event closure (tsx names every closure it binds: a defineProperty each). */
export async function evaluate(
  scope: BindingScope,
  guards: TransformGuards | undefined,
  expr: CompiledExpression,
  input: unknown,
  extra?: Record<string, unknown>,
): Promise<unknown> {
  const resolver = scope.resolver;
  // A resolved lookup's first read only notes its key: resolve what was asked for, then evaluate again with it.
  for (let round = 0; ; round++) {
    let value: unknown;
    try {
      // Without extra bindings every evaluation of the scope sees the same ones: built once (nothing writes to them).
      const bindings =
        extra === undefined ? (scope.bindings ??= expressionBindings(scope)) : expressionBindings(scope, extra);
      value = await expr.evaluate(input, bindings, guards);
    } catch (error) {
      if (!resolver?.hasPending) throw error;
    }
    if (!resolver?.hasPending) return value;
    if (round === MAX_RESOLVE_ROUNDS) throw new Error('resolved lookups keep asking for new keys');
    await resolver.resolvePending((e, record, key) =>
      Promise.resolve(e.evaluate(record, expressionBindings(scope, { ...extra, key }), guards)),
    );
  }
}

/** Resolved lookups whose keys come from other resolved lookups need one round each. */
const MAX_RESOLVE_ROUNDS = 4;
