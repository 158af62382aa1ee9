/**
 * Reads what an expression refers to from its AST (the jsonata-js `ast()` shape): the earlier steps it reads
 * (`$steps.<id>`), and the lookups and cross-reference maps it names by literal (`$lookup("warehouses", …)`).
 */

import type { AstNode } from './transform-ast.js';

interface NamedReference {
  name: string;
  /** Offset just past the name in the expression source. */
  position: number;
}

interface ExpressionReferences {
  steps: NamedReference[];
  lookups: NamedReference[];
  xrefs: NamedReference[];
}

export function expressionReferences(ast: unknown): ExpressionReferences {
  const refs: ExpressionReferences = { steps: [], lookups: [], xrefs: [] };
  walkAst(ast, (node) => {
    if (node.type === 'path' && Array.isArray(node.steps)) {
      const [first, second] = node.steps as AstNode[];
      if (first?.type === 'variable' && first.value === 'steps' && second?.type === 'name') {
        refs.steps.push({ name: String(second.value), position: second.position ?? 0 });
      }
    }
    if (node.type === 'function' && (node.procedure as AstNode | undefined)?.type === 'variable') {
      const fn = (node.procedure as AstNode).value;
      const first = (node.arguments as AstNode[] | undefined)?.[0];
      if (first?.type === 'string' && (fn === 'lookup' || fn === 'xref')) {
        (fn === 'lookup' ? refs.lookups : refs.xrefs).push({
          name: String(first.value),
          position: first.position ?? 0,
        });
      }
    }
  });
  return refs;
}

/** Visits every node of a JSONata AST, depth first. */
export function walkAst(value: unknown, visit: (node: AstNode) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walkAst(item, visit);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const node = value as AstNode;
  if (typeof node.type === 'string') visit(node);
  for (const key of Object.keys(node)) {
    if (key !== 'value' || typeof node.value === 'object') walkAst(node[key], visit);
  }
}
