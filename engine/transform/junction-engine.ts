/* eslint-disable @typescript-eslint/no-explicit-any */
/** Junction's own JSONata engine: expressions are parsed once and compiled to synchronous JS (generated, closures). */
import type { Node } from './compiled/ast.js';
import { parse } from './compiled/ast-process.js';
import { compileExpression } from './compiled/compiler.js';
import { codegen } from './compiled/codegen-runtime.js';
import { JsonataError, jerr } from './compiled/errors.js';
import { clockOfLastEvaluation, evaluateCompiled, isStackOverflow, readClockOf } from './compiled/evaluate.js';
import type { Ev } from './compiled/runtime.js';
import { deepEvaluate, mayRecurse, warmDeepEvaluation } from './deep-evaluation.js';
import type { CompiledExpression, TransformEngine, TransformGuards } from './transform-engine.js';

function stripAst(node: any): any {
  if (Array.isArray(node)) return node.map(stripAst);
  if (node === null || typeof node !== 'object' || node instanceof RegExp) return node;
  const out: any = {};
  for (const k of Object.keys(node)) if (k !== 'signature' || node[k] === undefined) out[k] = stripAst(node[k]);
  return out;
}

function evaluate(
  source: string,
  ev: Ev,
  input: unknown,
  bindings?: Record<string, unknown>,
  guards?: TransformGuards,
): unknown {
  try {
    return evaluateCompiled(ev, input, bindings, guards);
  } catch (e) {
    // deep recursion (or deeply nested data) outgrew this thread's stack: go on where the stack is larger, with the
    // clock this evaluation ended with
    if (isStackOverflow(e))
      return deepEvaluate(source, input, bindings, guards, readClockOf(clockOfLastEvaluation(), guards));
    throw e;
  }
}

/**
 * The expression compiled again with generated code; the closures it has if that fails (the closures already
 * compiled it, so a failure could only be a flaw of the generator, which must not break a working transform).
 */
function withGeneratedCode(ast: Node, closures: Ev): Ev {
  try {
    return compileExpression(ast, true, true);
  } catch {
    return closures;
  }
}

/**
 * The engine. An expression is compiled to closures first; with `generateCode`, once it has been evaluated
 * `codegen.after` times it is compiled again with generated code (compiled/codegen.ts), so expressions compiled and
 * evaluated rarely (validate, `when` checks) never pay for generating code. `generateCode` false compiles to
 * closures only (as everywhere code generation is unavailable, see compiled/codegen-runtime.ts).
 */
function engine(generateCode: boolean): TransformEngine {
  return {
    name: 'junction',
    compile(source: string): CompiledExpression {
      let ast;
      let ev: Ev;
      try {
        ast = parse(source);
        ev = compileExpression(ast, true, false);
      } catch (e) {
        if (e instanceof JsonataError) throw e;
        // nesting deeper than the parser's stack (thousands of brackets or operators): a limit, not a syntax error
        if (e instanceof RangeError)
          throw jerr('U1005', {
            position: 0,
            message: `the expression is nested too deeply to compile (${e.message})`,
          });
        throw jerr('S0201', { position: 0, token: source });
      }
      if (mayRecurse(ast)) warmDeepEvaluation();
      const parsed = ast;
      let evaluations = generateCode ? 0 : -Infinity;
      return {
        source,
        evaluate: (input, bindings, guards) => {
          if (++evaluations === codegen.after && codegen.enabled) ev = withGeneratedCode(parsed, ev);
          return evaluate(source, ev, input, bindings, guards);
        },
        ast: () => stripAst(ast),
      };
    },
  };
}

/** Generated code for the hot shapes where the host allows code generation, closures for the rest. */
export const junctionEngine: TransformEngine = engine(true);

/** Closures only: what `junctionEngine` is where code generation is unavailable (and its differential twin). */
export const junctionClosureEngine: TransformEngine = engine(false);
