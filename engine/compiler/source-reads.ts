/**
 * Fields an expression reads, checked against the schema of its input: a typed walk over the JSONata AST. Path
 * steps narrow the schema (`payment.method`, `items[qty > 0].sku`), predicates read the element, `$event` is the
 * source record and `$x := …` carries its schema. Wherever the schema is unknown (higher-order functions, wildcards,
 * open schemas), the walk knows nothing and reports nothing: it never invents a problem.
 */
import type { JsonSchema } from '../sdk/connector.js';
import { declaredFields, elementSchema } from './schema-fields.js';
import { isNode, tokenStart } from './transform-ast.js';
import type { AstNode } from './transform-ast.js';

type Schema = JsonSchema | undefined;

/** A read of a field that the schema in scope does not declare. */
interface UnknownRead {
  name: string;
  /** Offset of the name's first character in the expression source. */
  start: number;
  /** The fields the schema does declare there. */
  known: string[];
}

/** What the walk found. */
interface ReadCheck {
  unknown: UnknownRead[];
  /** Schema of the expression's value, when it can be told. */
  result: Schema;
}

/** Walks `ast` with `context` as the schema of `$` and `event` as the schema of `$event`. */
export function checkSourceReads(ast: unknown, source: string, context: Schema, event: Schema): ReadCheck {
  const unknown: UnknownRead[] = [];
  const walker = new ReadWalker(source, event, unknown);
  const result = walker.walk(ast, context, new Map());
  return { unknown, result };
}

type Scope = Map<string, Schema>;

class ReadWalker {
  constructor(
    private readonly source: string,
    private readonly event: Schema,
    private readonly unknown: UnknownRead[],
  ) {}

  walk(node: unknown, ctx: Schema, scope: Scope): Schema {
    if (!isNode(node)) return undefined;
    switch (node.type) {
      case 'path':
        return this.path(node, ctx, scope);
      case 'name':
        return this.stages(node, this.name(node, ctx), scope);
      case 'variable':
        return this.stages(node, this.variable(node, ctx, scope), scope);
      case 'bind': {
        const value = this.walk(node.rhs, ctx, scope);
        if (isNode(node.lhs) && typeof node.lhs.value === 'string') scope.set(node.lhs.value, value);
        return value;
      }
      case 'block': {
        const inner: Scope = new Map(scope);
        let last: Schema;
        for (const e of (node.expressions as unknown[]) ?? []) last = this.walk(e, ctx, inner);
        return this.stages(node, last, scope);
      }
      case 'string':
      case 'number':
      case 'value':
      case 'regex':
        return undefined;
      case 'lambda':
      case 'transform':
        return undefined; // their bodies run in a context this walk does not know
      default:
        this.children(node, ctx, scope);
        return undefined;
    }
  }

  /** Every child node, in the current context (operators, function arguments, constructors, conditions). */
  private children(node: AstNode, ctx: Schema, scope: Scope): void {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'position' || key === 'type' || (key === 'value' && typeof value !== 'object')) continue;
      for (const child of Array.isArray(value) ? value.flat() : [value])
        if (isNode(child)) this.walk(child, ctx, scope);
    }
  }

  private path(node: AstNode, ctx: Schema, scope: Scope): Schema {
    let current = ctx;
    for (const [i, step] of ((node.steps as AstNode[]) ?? []).entries()) {
      if (!isNode(step)) return undefined;
      if (step.focus || step.index || step.tuple) return undefined; // positional/focus bindings: out of scope
      const element = i === 0 ? current : elementSchema(current);
      if (step.type === 'name') current = this.stages(step, this.name(step, element), scope);
      else if (step.type === 'variable')
        current = this.stages(step, i === 0 ? this.variable(step, ctx, scope) : undefined, scope);
      else current = this.stages(step, this.walk(step, element, scope), scope);
    }
    return current;
  }

  /** Predicates (`[expr]`) read the element of the value they filter; the value keeps its schema. */
  private stages(node: AstNode, value: Schema, scope: Scope): Schema {
    for (const stage of [...((node.stages as AstNode[]) ?? []), ...((node.predicate as AstNode[]) ?? [])]) {
      if (isNode(stage) && stage.type === 'filter') this.walk(stage.expr, elementSchema(value), scope);
    }
    return value;
  }

  private name(node: AstNode, ctx: Schema): Schema {
    const name = String(node.value);
    const fields = declaredFields(elementSchema(ctx));
    // `undefined` is no keyword: it reads a field nobody has, the idiom for "no value" (`x ? y : undefined`)
    if (!fields || name === 'undefined') return undefined;
    const schema = fields.get(name);
    if (!schema)
      this.unknown.push({ name, start: tokenStart(this.source, node.position ?? 0, name), known: [...fields.keys()] });
    return schema;
  }

  private variable(node: AstNode, ctx: Schema, scope: Scope): Schema {
    if (node.value === '') return ctx;
    if (node.value === 'event') return this.event;
    return typeof node.value === 'string' ? scope.get(node.value) : undefined;
  }
}
