/**
 * The reference JSONata engine with jsonata-js's own guards switched on (timeout, stack depth). The runtime passes
 * TransformGuards to every evaluation; until the project's engine enforces them, the runtime tests use this one so
 * that a runaway transform is stopped and the runtime's handling of it (DLQ, worker healthy) can be tested.
 *
 * jsonata-js's timeout is wall-clock time since the evaluation began, and its evaluation is asynchronous: it waits
 * behind every other event the engine works on, and behind other processes for a CPU. So the default is far above
 * what any test's transform takes: at 300 ms, a loaded machine failed trivial transforms as runaways (the soak
 * dead-lettered 10 of 100,000 events that way), which a test sees as a dead letter it did not expect. A test of a
 * runaway asks for a short timeout itself.
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
  defaults: Required<Pick<TransformGuards, 'timeoutMs' | 'maxDepth'>> = { timeoutMs: 10_000, maxDepth: 300 },
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
