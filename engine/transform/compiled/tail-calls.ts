/** Tail-call marking: a function call in tail position of a lambda body becomes a thunk the runtime trampolines. */
import type { Node } from './ast.js';

/** Rewrites the tail positions of `expr` (through conditions and the last expression of blocks) into thunks. */
export function markTailCalls(expr: Node): Node {
  if (expr.type === 'function' && !expr.predicate)
    return { type: 'lambda', thunk: true, arguments: [], position: expr.position, body: expr };
  if (expr.type === 'condition') {
    expr.then = markTailCalls(expr.then);
    if (expr.else !== undefined) expr.else = markTailCalls(expr.else);
  } else if (expr.type === 'block' && expr.expressions.length > 0) {
    const n = expr.expressions.length;
    expr.expressions[n - 1] = markTailCalls(expr.expressions[n - 1]);
  }
  return expr;
}
