/* eslint-disable @typescript-eslint/no-explicit-any */
/** Compiles a processed AST node into a closure `(input, env) => value`, applying JSONata's result normalisation. */
import type { Node } from './ast.js';
import {
  nesting,
  compileApply,
  compileFunction,
  compileLambda,
  compilePartial,
  compileTransform,
} from './compile-call.js';
import {
  scope,
  compileBind,
  compileBinary,
  compileBlock,
  compileCondition,
  compileDescendant,
  compileRegex,
  compileUnary,
  compileVariable,
  compileWildcard,
} from './compile-ops.js';
import { compileGroup } from './compile-group.js';
import { generate } from './codegen.js';
import { codegen } from './codegen-runtime.js';
import { compileFilter, compilePath } from './compile-path.js';
import { jerr } from './errors.js';
import type { Ev } from './runtime.js';
import { isPlainName } from './own-keys.js';
import { isNormalising, lookup, normalise } from './sequence.js';

function compileCore(node: Node): Ev {
  switch (node.type) {
    case 'path':
      return compilePath(node, compile);
    case 'binary':
      return compileBinary(node, compile);
    case 'unary':
      return compileUnary(node, compile);
    case 'name': {
      const key: string = node.value;
      // inherited names (constructor, __proto__, ...) need an own-property check; a function value has no other
      // own keys, so plain property access is safe for every other name
      if (!isPlainName(key)) return (input) => lookup(input, key);
      return (input) =>
        typeof input === 'object' && input !== null
          ? Array.isArray(input)
            ? normalise(lookup(input, key), false)
            : input[key]
          : undefined;
    }
    case 'string':
    case 'number':
    case 'value': {
      const v = node.value;
      return () => v;
    }
    case 'wildcard':
      return compileWildcard();
    case 'descendant':
      return compileDescendant();
    case 'parent': {
      const label: string = node.slot.label;
      return (_i, e) => e.lookup(label);
    }
    case 'condition':
      return compileCondition(node, compile);
    case 'block':
      return compileBlock(node, compile);
    case 'bind':
      return compileBind(node, compile);
    case 'regex':
      return compileRegex(node);
    case 'function':
      return compileFunction(node, compile);
    case 'variable':
      return compileVariable(node);
    case 'lambda':
      return compileLambda(node, compile);
    case 'partial':
      return compilePartial(node, compile);
    case 'apply':
      return compileApply(node, compile);
    case 'transform':
      return compileTransform(node, compile);
    default:
      throw jerr('S0206', { position: node.position, token: node.type });
  }
}

/**
 * Node kinds whose value never needs sequence normalisation (literals, constructors, or already-normalised child
 * values).
 */
const LITERALS = new Set([
  'string',
  'number',
  'value',
  'regex',
  'lambda',
  'transform',
  'condition',
  'block',
  'bind',
  'unary',
]);

const PLAIN_NAME = (node: Node) => node.type === 'name' && isPlainName(node.value);

function collectBound(node: unknown, out: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((n) => collectBound(n, out));
  if (node === null || typeof node !== 'object' || node instanceof RegExp) return true;
  const n = node as Node;
  if (n.type === 'bind') out.add(n.lhs.value);
  if (n.type === 'lambda') for (const a of n.arguments) out.add(a.value);
  if (n.type === 'index' && typeof n.value === 'string') out.add(n.value);
  if (typeof n.focus === 'string') out.add(n.focus);
  if (typeof n.index === 'string') out.add(n.index);
  if (n.type === 'variable' && n.value === 'eval') return false;
  for (const k of Object.keys(n)) {
    if (k === 'slot' || k === 'ancestor' || k === 'seekingParent' || k === 'signature') continue;
    if (!collectBound(n[k], out)) return false;
  }
  return true;
}

/**
 * Compiles a whole expression. Knowing every name it can bind lets free variables skip the scope chain; an expression
 * evaluated inside another one's scope (`$eval`) is not self-contained and always walks the chain. `generateCode`
 * false compiles to closures only (the closure engine, also used where code generation is unavailable).
 */
export function compileExpression(ast: Node, selfContained = true, generateCode = codegen.enabled): Ev {
  const saved = [scope.bound, scope.codegen] as const;
  const bound = new Set<string>();
  scope.bound = selfContained && collectBound(ast, bound) ? bound : null;
  // an expression `$eval` compiles at evaluation time stays closures: no code generated per call
  scope.codegen = generateCode && selfContained;
  try {
    return compile(ast);
  } finally {
    [scope.bound, scope.codegen] = saved;
  }
}

/** The compilers generated code falls back to. */
const COMPILERS = { compile, closure: compileClosure };

/**
 * Compiles a node: to generated code when code generation is on for the expression and the node has a shape it
 * handles (codegen.ts), else to closures.
 */
function compile(node: Node): Ev {
  if (scope.codegen) {
    const ev = generate(node, COMPILERS);
    if (ev !== undefined) return ev;
  }
  return compileClosure(node);
}

function compileClosure(node: Node): Ev {
  nesting.depth++;
  let core: Ev;
  try {
    core = compileCore(node);
  } finally {
    nesting.depth--;
  }
  const preds = node.predicate ? node.predicate.map((p: Node) => compileFilter(p.expr, compile)) : undefined;
  const group = node.type !== 'path' && node.group ? compileGroup(node.group, compile) : undefined;
  const keepArray = !!node.keepArray;
  if (!preds && !group && !keepArray) {
    if (LITERALS.has(node.type) || (node.type === 'binary' && node.value !== '..') || PLAIN_NAME(node)) return core;
    if (isNormalising(core)) return core;
    // variables hold normalised values (except the root context `$`, bound to the wrapped input)
    if (node.type === 'variable' && node.value !== '$' && node.value !== '') return core;
    return (input, env) => {
      const r = core(input, env);
      return Array.isArray(r) && (r as any).sequence === true ? normalise(r, false) : r;
    };
  }
  return (input, env) => {
    let r = core(input, env);
    if (preds) for (const p of preds) r = p(r, env);
    if (group) r = group(r, env);
    return normalise(r, keepArray);
  };
}
