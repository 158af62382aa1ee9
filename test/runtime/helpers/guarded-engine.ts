/**
 * The reference JSONata engine with jsonata-js's own guards switched on (timeout, stack depth). The runtime passes
 * TransformGuards to every evaluation; until the project's engine enforces them, the runtime tests use this one so
 * that a runaway transform is stopped and the runtime's handling of it (DLQ, worker healthy) can be tested.
 */
import jsonata from 'jsonata';
import type {
  CompiledExpression,
  TransformEngine,
  TransformGuards,
} from '../../../engine/transform/transform-engine.js';
import { referenceEngine } from '../../../engine/transform/reference-engine.js';

type GuardedFactory = (source: string, options: { timeout: number; stack: number }) => jsonata.Expression;

export function guardedReferenceEngine(
  defaults: Required<Pick<TransformGuards, 'timeoutMs' | 'maxDepth'>> = { timeoutMs: 300, maxDepth: 300 },
): TransformEngine {
  return {
    name: 'reference',
    compile(source: string): CompiledExpression {
      const checked = referenceEngine.compile(source); // syntax errors as TransformError, and the AST
      const guarded = (jsonata as unknown as GuardedFactory)(source, {
        timeout: defaults.timeoutMs,
        stack: defaults.maxDepth,
      });
      return { source, evaluate: (input, bindings) => guarded.evaluate(input, bindings), ast: checked.ast };
    },
  };
}
