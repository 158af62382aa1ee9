/**
 * Runs inside the deep-evaluation worker (deep-evaluation.ts): compiles an expression (cached) and evaluates it with
 * the caller's clock, so `$now()` and the deadline are those of the evaluation that overflowed the caller's stack.
 */
import { parse } from './compiled/ast-process.js';
import { compileExpression } from './compiled/compiler.js';
import type { Clock } from './compiled/evaluate.js';
import { evaluateCompiled, isStackOverflow, stackOverflowError } from './compiled/evaluate.js';
import type { Ev } from './compiled/runtime.js';
import type { TransformGuards } from './transform-engine.js';

const compiled = new Map<string, Ev>();

export function evaluateInWorker(
  source: string,
  input: unknown,
  bindings: Record<string, unknown>,
  guards: TransformGuards | undefined,
  clock: Clock,
): unknown {
  let ev = compiled.get(source);
  if (ev === undefined) {
    ev = compileExpression(parse(source));
    if (compiled.size > 200) compiled.clear();
    compiled.set(source, ev);
  }
  try {
    return evaluateCompiled(ev, input, bindings, guards, clock);
  } catch (e) {
    if (isStackOverflow(e)) throw stackOverflowError();
    throw e;
  }
}
