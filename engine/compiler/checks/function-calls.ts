/**
 * The function calls of an expression, read from its AST (the jsonata-js `ast()` shape): `$name(args)` and
 * `value ~> $name(args)` / `value ~> $name` (the value becomes the first argument), with the names the expression
 * binds itself (`$f := …`, lambda parameters, `@$x` and `#$i` bindings), so that a call of one is never mistaken
 * for a call of an unknown function.
 */
import { walkAst } from '../expression-references.js';
import { isNode, tokenStart } from '../transform-ast.js';
import type { AstNode } from '../transform-ast.js';

export interface FunctionCall {
  name: string;
  /** Offset of the `$` of the function name in the expression source. */
  start: number;
  /** The arguments as the function receives them (for `~>`, the piped value first). */
  args: AstNode[];
  /** The call passes `?` placeholders (a partial application): its arguments are not all known. */
  partial: boolean;
}

export interface ExpressionCalls {
  calls: FunctionCall[];
  /** The variables the expression reads as values (`$x`, `$x.field`), not as the function of a call. */
  variables: { name: string; start: number }[];
  /** Names the expression binds itself. */
  bound: Set<string>;
  /** The value of each variable the expression assigns exactly once with `:=` and binds no other way. */
  assigned: Map<string, unknown>;
  /** Variables on the left of `=` (`$total = price`): where nothing binds them, `:=` was meant. */
  compared: Set<string>;
}

export function functionCalls(ast: unknown, source: string): ExpressionCalls {
  const calls: FunctionCall[] = [];
  const bound = new Set<string>();
  const assignments = new Map<string, unknown[]>();
  const piped = new Set<unknown>();
  const procedures = new Set<unknown>();
  const read: AstNode[] = [];
  const compared = new Set<string>();
  const call = (procedure: unknown, args: AstNode[], partial: boolean) => {
    if (!isNode(procedure) || procedure.type !== 'variable' || typeof procedure.value !== 'string') return;
    procedures.add(procedure);
    const name = procedure.value;
    if (name === '') return;
    calls.push({ name, start: nodeStart(procedure, source), args, partial });
  };
  walkAst(ast, (node) => {
    if (node.type === 'variable') read.push(node);
    if (node.type === 'binary' && node.value === '=' && isNode(node.lhs) && node.lhs.type === 'variable')
      compared.add(String(node.lhs.value));
    if (node.type === 'bind' && isNode(node.lhs) && typeof node.lhs.value === 'string') {
      bound.add(node.lhs.value);
      assignments.set(node.lhs.value, [...(assignments.get(node.lhs.value) ?? []), node.rhs]);
    }
    const other: unknown[] = [node.focus, node.index];
    if (node.type === 'lambda')
      for (const arg of (node.arguments as unknown[]) ?? []) other.push(isNode(arg) && arg.value);
    for (const name of other)
      if (typeof name === 'string') {
        bound.add(name);
        assignments.set(name, [undefined, undefined]);
      }
    if (node.type === 'apply' && node.value === '~>' && isNode(node.rhs) && isNode(node.lhs)) {
      const rhs = node.rhs;
      if (rhs.type === 'variable') call(rhs, [node.lhs], false);
      if (rhs.type === 'function' || rhs.type === 'partial') {
        piped.add(rhs);
        call(rhs.procedure, [node.lhs, ...argumentsOf(rhs)], rhs.type === 'partial');
      }
    }
    if ((node.type === 'function' || node.type === 'partial') && !piped.has(node))
      call(node.procedure, argumentsOf(node), node.type === 'partial');
  });
  const assigned = new Map([...assignments].filter(([, values]) => values.length === 1).map(([n, [v]]) => [n, v]));
  // `$` (the context) and `$$` (the input) are no names; a call's function is checked as a call.
  const variables = read
    .filter((v) => typeof v.value === 'string' && v.value !== '' && v.value !== '$' && !procedures.has(v))
    .map((v) => ({ name: String(v.value), start: nodeStart(v, source) }));
  return { calls, variables, bound, assigned, compared };
}

function argumentsOf(node: AstNode): AstNode[] {
  return ((node.arguments as unknown[]) ?? []).filter(isNode);
}

/** Offset of the first character of `node` in the expression source (AST positions stand just past a token). */
export function nodeStart(node: AstNode, source: string): number {
  const end = node.position ?? 0;
  switch (node.type) {
    case 'string':
    case 'name':
      return tokenStart(source, end, String(node.value));
    case 'number':
    case 'value':
      return Math.max(0, end - String(node.value).length);
    case 'variable':
      return Math.max(0, end - String(node.value).length - 1);
    case 'path':
      return isNode((node.steps as unknown[])?.[0]) ? nodeStart((node.steps as AstNode[])[0], source) : end;
    case 'function':
    case 'partial':
      return isNode(node.procedure) ? nodeStart(node.procedure, source) : end;
    case 'binary':
    case 'apply':
      return isNode(node.lhs) ? nodeStart(node.lhs, source) : end;
    case 'condition':
      return isNode(node.condition) ? nodeStart(node.condition, source) : end;
    default:
      return Math.max(0, end - 1);
  }
}
