/**
 * The type of each value a step body writes, inferred from the expression (infer-type.ts), against the field's type
 * in the operation's input schema: a string sent to a number, integer or boolean field (and the reverse), a
 * fraction sent to an integer field, and constants (from conditions and bindings) outside a picklist's values.
 * A value of unknown type, or a field without a declared type, is never reported.
 */
import type { JsonSchema } from '../../sdk/connector.js';
import type { CompiledExpression } from '../../transform/transform-engine.js';
import type { DiagnosticCode } from '../diagnostics.js';
import { constantAt } from '../constant-fit.js';
import { declaredFields } from '../schema-fields.js';
import { isNode } from '../transform-ast.js';
import type { AstNode } from '../transform-ast.js';
import { walkAst } from '../expression-references.js';
import { functionCalls, nodeStart } from './function-calls.js';
import { inferType, schemaType, TYPE_NAMES } from './infer-type.js';
import type { InferContext, TypeSymbol } from './infer-type.js';

type Report = (offset: number, code: DiagnosticCode, message: string) => void;

const CONVERT: Partial<Record<TypeSymbol, string>> = { s: '$string(…)', n: '$number(…)', b: '$boolean(…)' };

/**
 * What inference knows of a body: the names it binds, and the schema of the paths it reads where the record in
 * scope has one (`$` is `context`, `$event` is `event`). A path is typed only when no step of it maps over an array.
 */
export function bodyTypes(
  body: CompiledExpression,
  context: JsonSchema | undefined,
  event: JsonSchema | undefined,
): InferContext {
  const { bound, assigned } = functionCalls(body.ast?.(), body.source);
  return { bound, assigned, pathSchema: (path) => pathSchema(path, context, event) };
}

function pathSchema(path: AstNode, context: JsonSchema | undefined, event: JsonSchema | undefined) {
  let current = context;
  const steps = (path.steps as AstNode[] | undefined) ?? [];
  for (const [i, step] of steps.entries()) {
    if (!isNode(step) || step.stages || step.predicate || step.focus || step.index || step.group) return undefined;
    if (i === 0 && step.type === 'variable' && step.value === 'event') {
      current = event;
      continue;
    }
    if (step.type !== 'name' || typeof step.value !== 'string') return undefined;
    if (i > 0 && current?.type !== 'object') return undefined; // a step over an array maps: its value is a list
    current = declaredFields(current)?.get(step.value);
    if (!current) return undefined;
  }
  return current;
}

/** Checks the value written to `path` (a field of schema `field`). */
export function checkFieldType(
  path: string,
  field: JsonSchema | undefined,
  value: AstNode,
  types: InferContext,
  source: string,
  report: Report,
): void {
  // a literal is value-does-not-fit's (constant-fit.ts), checked against the whole field schema
  if (!field || constantAt(value, source)) return;
  const inferred = inferType(value, types);
  const at = nodeStart(value, source);
  const declared = schemaType(field).symbols;
  const written = inferred.symbols && [...inferred.symbols].filter((s) => s !== 'l');
  if (declared && written && written.length > 0 && !written.some((s) => declared.has(s))) {
    const want = field.type === 'integer' ? 'an integer' : [...declared].map((s) => TYPE_NAMES[s]).join(' or ');
    const convert = declared.size === 1 ? CONVERT[[...declared][0]] : undefined;
    report(
      at,
      'invalid-field-type',
      `\`${path}\` takes ${want}, but the body writes ${written.map((s) => TYPE_NAMES[s]).join(' or ')}${convert ? `; convert it with ${convert}` : ''}`,
    );
    return;
  }
  const constants = inferred.constants ?? [];
  const fraction = constants.find((c) => typeof c === 'number' && !Number.isInteger(c));
  if (field.type === 'integer' && fraction !== undefined)
    report(at, 'invalid-field-type', `\`${path}\` takes an integer, but the body can write ${fraction}`);
  if (!Array.isArray(field.enum)) return;
  for (const c of constants)
    if (typeof c === 'string' && !field.enum.includes(c))
      report(
        literalStart(value, c, source) ?? at,
        'invalid-value',
        `the body can write ${JSON.stringify(c)} to \`${path}\`, which is not a value of its picklist: ${field.enum.map((v) => JSON.stringify(v)).join(', ')}`,
      );
}

/** Where the string literal `text` stands inside `value`, to point at the constant itself. */
function literalStart(value: AstNode, text: string, source: string): number | undefined {
  let found: number | undefined;
  walkAst(value, (node) => {
    if (found === undefined && node.type === 'string' && node.value === text) found = nodeStart(node, source);
  });
  return found;
}
