/**
 * Whether a constant written by a step body fits its target field: a string no longer than the field, a number for
 * a numeric field, a value in the field's format. Checked against the field's own JSON Schema (the
 * connector's entity schema), so validate reports `"ORTP": "A01X"` before M3 ever refuses it.
 */
import type { JsonSchema } from '../sdk/connector.js';
import { connectorSchemaValidator } from './schema-registry.js';
import { tokenStart } from './transform-ast.js';
import type { AstNode } from './transform-ast.js';

/** A literal in an expression: its value and where it starts. */
interface Constant {
  value: string | number | boolean;
  start: number;
}

/** The literal at `node` (a string, number or boolean), or undefined for anything computed. */
export function constantAt(node: AstNode, source: string): Constant | undefined {
  const { type, value, position = 0 } = node;
  if (type === 'string' && typeof value === 'string') return { value, start: tokenStart(source, position, value) };
  if (type === 'number' && typeof value === 'number') {
    const text = String(value);
    return { value, start: Math.max(0, position - text.length) };
  }
  if (type === 'value' && typeof value === 'boolean')
    return { value, start: Math.max(0, position - String(value).length) };
  return undefined;
}

/**
 * Why `value` does not fit `field` (its schema), or undefined when it fits. A picklist (`enum`) is the field metadata
 * check's (`invalid-value`), so it is not reported twice.
 */
export function constantProblem(value: Constant['value'], field: JsonSchema): string | undefined {
  if (Array.isArray(field.enum)) return undefined;
  const validate = connectorSchemaValidator(field);
  if (validate(value)) return undefined;
  const error = validate.errors?.[0];
  const params = (error?.params ?? {}) as Record<string, unknown>;
  const example = Array.isArray(field.examples) ? ` (for example ${JSON.stringify(field.examples[0])})` : '';
  switch (error?.keyword) {
    case 'maxLength':
      return `it is ${String(value).length} characters, and the field holds at most ${String(params.limit)}`;
    case 'minLength':
      return `it is shorter than the field's ${String(params.limit)} characters`;
    case 'pattern':
      return `it is not in the field's format${example}`;
    case 'exclusiveMaximum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'minimum':
      return `it has more digits than the field holds${example}`;
    case 'type':
      return `the field takes ${String(params.type)}`;
    default:
      return error?.message ?? 'it does not match the field';
  }
}
