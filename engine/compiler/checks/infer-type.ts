/**
 * What an expression's value can be, told from its AST alone: literals, operators (`&` makes a string, arithmetic
 * a number, comparisons a boolean), array and object constructors, conditions, blocks with their `$x := …`
 * bindings, and calls of library functions (the return type in their signature). Types are JSONata signature
 * symbols: s string, n number, b boolean, l null, a array, o object, f function. Anything else (a path into data
 * without a schema, a user function) is unknown, and a check never reports what it does not know.
 */
import type { JsonSchema } from '../../sdk/connector.js';
import { isNode } from '../transform-ast.js';
import type { AstNode } from '../transform-ast.js';
import { librarySignature } from './function-table.js';

export type TypeSymbol = 's' | 'n' | 'b' | 'l' | 'a' | 'o' | 'f';

export interface Inferred {
  /** The types the value can have (undefined: unknown). An absent value (undefined) is always possible too. */
  symbols?: ReadonlySet<TypeSymbol>;
  /** Every value it can have, when it can only be literals (strings, numbers). */
  constants?: readonly unknown[];
  /** For arrays built by a constructor: the type of each element. */
  elements?: readonly Inferred[];
}

/** Schema of a path's value, where the caller knows one (the source record's schema). */
type PathSchema = (path: AstNode) => JsonSchema | undefined;

const UNKNOWN: Inferred = {};

/** How messages name each type. */
export const TYPE_NAMES: Record<TypeSymbol, string> = {
  s: 'a string',
  n: 'a number',
  b: 'a boolean',
  l: 'null',
  a: 'an array',
  o: 'an object',
  f: 'a function',
};
const of = (symbol: TypeSymbol, constants?: unknown[]): Inferred => ({ symbols: new Set([symbol]), constants });

const BINARY: Record<string, TypeSymbol> = {
  '+': 'n',
  '-': 'n',
  '*': 'n',
  '/': 'n',
  '%': 'n',
  '&': 's',
  '=': 'b',
  '!=': 'b',
  '<': 'b',
  '<=': 'b',
  '>': 'b',
  '>=': 'b',
  and: 'b',
  or: 'b',
  in: 'b',
};

/** What inference knows of the expression around a node. */
export interface InferContext {
  /** Names the expression binds itself: calls of them are not library calls. */
  bound: ReadonlySet<string>;
  /** The value of each variable the expression assigns exactly once (`$x := …`) and binds no other way. */
  assigned?: ReadonlyMap<string, unknown>;
  /** Schema of a path's value, where the caller knows one. */
  pathSchema?: PathSchema;
}

/** Infers the type of `node`. */
export function inferType(node: unknown, context: InferContext, following: ReadonlySet<string> = new Set()): Inferred {
  const infer = (n: unknown) => inferType(n, context, following);
  if (!isNode(node)) return UNKNOWN;
  switch (node.type) {
    case 'string':
      return of('s', [node.value]);
    case 'number':
      return of('n', [node.value]);
    case 'value':
      return node.value === null ? of('l') : typeof node.value === 'boolean' ? of('b') : UNKNOWN;
    case 'regex':
    case 'lambda':
    case 'partial':
      return of('f');
    case 'unary':
      if (node.value === '-') return of('n');
      if (node.value === '{') return of('o');
      if (node.value === '[') return { symbols: new Set(['a']), elements: arrayElements(node, infer) };
      return UNKNOWN;
    case 'binary':
      return typeof node.value === 'string' && BINARY[node.value] ? of(BINARY[node.value]) : UNKNOWN;
    case 'condition':
      return union(infer(node.then), node.else === undefined ? undefined : infer(node.else));
    case 'block':
      return infer(((node.expressions as unknown[]) ?? []).at(-1));
    case 'bind':
      return infer(node.rhs);
    case 'variable': {
      const name = typeof node.value === 'string' ? node.value : '';
      const value = context.assigned?.get(name);
      if (value === undefined || following.has(name)) return UNKNOWN;
      return inferType(value, context, new Set([...following, name]));
    }
    case 'function':
      return returnType(node.procedure, context.bound);
    case 'apply':
      return node.value === '~>' && isNode(node.rhs)
        ? returnType(node.rhs.type === 'variable' ? node.rhs : node.rhs.procedure, context.bound)
        : UNKNOWN;
    case 'path':
      return schemaType(context.pathSchema?.(node));
    default:
      return UNKNOWN;
  }
}

function arrayElements(node: AstNode, infer: (n: unknown) => Inferred): Inferred[] {
  return ((node.expressions as unknown[]) ?? []).map((e) =>
    isNode(e) && e.type === 'binary' && e.value === '..' ? of('n') : infer(e),
  );
}

/** Both branches' types; unknown when either is (an absent else branch adds only `undefined`). */
function union(a: Inferred, b: Inferred | undefined): Inferred {
  if (!b) return a;
  if (!a.symbols || !b.symbols) return UNKNOWN;
  const constants = a.constants && b.constants ? [...a.constants, ...b.constants] : undefined;
  return { symbols: new Set([...a.symbols, ...b.symbols]), constants };
}

/** A library function's return type, from its signature; only scalars (a sequence of one may come back bare). */
function returnType(procedure: unknown, bound: ReadonlySet<string>): Inferred {
  if (!isNode(procedure) || procedure.type !== 'variable' || typeof procedure.value !== 'string') return UNKNOWN;
  if (bound.has(procedure.value)) return UNKNOWN;
  const returns = librarySignature(procedure.value)?.split(':')[1]?.[0];
  return returns === 's' || returns === 'n' || returns === 'b' ? of(returns) : UNKNOWN;
}

const SCHEMA_TYPES: Record<string, TypeSymbol> = {
  string: 's',
  number: 'n',
  integer: 'n',
  boolean: 'b',
  null: 'l',
  object: 'o',
  array: 'a',
};

/** The type a JSON schema declares, as symbols (unknown when it declares none). */
export function schemaType(schema: JsonSchema | undefined): Inferred {
  const type = schema?.type;
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type : undefined;
  const symbols = names?.map((t) => SCHEMA_TYPES[String(t)]);
  if (!symbols || symbols.length === 0 || symbols.some((s) => s === undefined)) return UNKNOWN;
  return { symbols: new Set(symbols) };
}
