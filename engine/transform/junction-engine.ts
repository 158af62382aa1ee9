/* eslint-disable @typescript-eslint/no-explicit-any */
/** Junction's own JSONata engine: expressions are parsed once and compiled to synchronous JS closures. */
import { parse } from './compiled/ast-process.js';
import { compileExpression } from './compiled/compiler.js';
import { JsonataError, jerr } from './compiled/errors.js';
import { LIBRARY } from './compiled/library.js';
import { Frame, state } from './compiled/runtime.js';
import { seq } from './compiled/sequence.js';
import type { CompiledExpression, TransformEngine, TransformGuards } from './transform-engine.js';

function stripAst(node: any): any {
  if (Array.isArray(node)) return node.map(stripAst);
  if (node === null || typeof node !== 'object' || node instanceof RegExp) return node;
  const out: any = {};
  for (const k of Object.keys(node)) if (k !== 'signature' || node[k] === undefined) out[k] = stripAst(node[k]);
  return out;
}

const ROOT = new Frame(undefined, LIBRARY as Map<string, any>);

function evaluateCompiled(
  ev: (input: any, env: any) => any,
  input: unknown,
  bindings?: Record<string, unknown>,
  guards?: TransformGuards,
): unknown {
  const env = new Frame(ROOT);
  if (bindings) for (const k of Object.keys(bindings)) env.bind(k, bindings[k]);
  let ctx: any = input;
  if (Array.isArray(ctx) && !(ctx as any).sequence) {
    ctx = seq(ctx);
    ctx.outerWrapper = true;
  }
  env.bind('$', ctx);
  const saved = { ...state };
  const now = Date.now();
  state.depth = 0;
  state.maxDepth = guards?.maxDepth ?? 500;
  state.deadline = now + (guards?.timeoutMs ?? 1000);
  state.maxOutput = guards?.maxOutputLength ?? 10_000_000;
  state.now = now;
  try {
    const result = ev(ctx, env);
    if ((typeof result === 'string' || Array.isArray(result)) && result.length > state.maxOutput)
      throw jerr('U1003', { value: result.length });
    return result;
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw jerr('U1001', {});
    throw e;
  } finally {
    Object.assign(state, saved);
  }
}

export const junctionEngine: TransformEngine = {
  name: 'junction',
  compile(source: string): CompiledExpression {
    let ast;
    let ev;
    try {
      ast = parse(source);
      ev = compileExpression(ast);
    } catch (e) {
      if (e instanceof JsonataError) throw e;
      throw jerr('S0201', { position: 0, token: source });
    }
    return {
      source,
      evaluate: (input, bindings, guards) => evaluateCompiled(ev, input, bindings, guards),
      ast: () => stripAst(ast),
    };
  },
};
