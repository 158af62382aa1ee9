/**
 * Small readers over a JSONata AST (the jsonata-js `ast()` shape) for the transform checks: which object a body
 * produces, with each written field and where its key stands in the expression source.
 */

/** One node of a jsonata-js AST. `position` is the offset just past the node's token. */
export interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  [key: string]: unknown;
}

/** A field written by an object constructor: `{ "Name": value }`. */
interface WrittenField {
  name: string;
  /** Offset of the key's first character in the expression source. */
  start: number;
  value: AstNode;
}

/** An object constructor that is (one of) the expression's results. */
export interface ObjectWrite {
  /** Offset of the `{`. */
  start: number;
  fields: WrittenField[];
  /** Some keys are computed, so the written field list is incomplete. */
  dynamic: boolean;
}

/** True for an AST node (an object with a string `type`). */
export function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && typeof (value as AstNode).type === 'string';
}

/**
 * The object constructors an expression can return: the last expression of a block, both branches of a condition.
 * Anything else (a path, a function call) yields nothing: the check then knows nothing, and reports nothing.
 */
export function resultObjects(node: unknown, source: string): ObjectWrite[] {
  if (!isNode(node)) return [];
  if (node.type === 'block' && Array.isArray(node.expressions)) return resultObjects(node.expressions.at(-1), source);
  if (node.type === 'condition') return [...resultObjects(node.then, source), ...resultObjects(node.else, source)];
  const object = objectConstructor(node, source);
  return object ? [object] : [];
}

/** The object constructor at `node` (a plain `{…}`, not one applied to a path), or undefined. */
export function objectConstructor(node: unknown, source: string): ObjectWrite | undefined {
  if (!isNode(node) || node.type !== 'unary' || node.value !== '{' || !Array.isArray(node.lhs)) return undefined;
  const fields: WrittenField[] = [];
  let dynamic = false;
  for (const pair of node.lhs as [AstNode, AstNode][]) {
    const [key, value] = pair;
    if (key?.type === 'string' && typeof key.value === 'string')
      fields.push({ name: key.value, start: tokenStart(source, key.position ?? 0, key.value), value });
    else dynamic = true;
  }
  return { start: Math.max(0, (node.position ?? 1) - 1), fields, dynamic };
}

/**
 * Where a token ends at `end` starts: `end - token.length` for a bare name, or the opening quote (or backtick) when
 * the token was quoted, found by scanning back so escapes inside the string do not shift it.
 */
export function tokenStart(source: string, end: number, token: string): number {
  if (source.slice(end - token.length, end) === token) return Math.max(0, end - token.length);
  const quote = source[end - 1];
  if (quote === '"' || quote === "'" || quote === '`') {
    for (let i = end - 2; i >= 0; i--) if (source[i] === quote && source[i - 1] !== '\\') return i;
  }
  return Math.max(0, end - token.length);
}
