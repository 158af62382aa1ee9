/**
 * M3 record schemas from the catalog: the input fields of each MI transaction with their type, length and mandatory
 * flag (so validate reports unknown and missing fields and constants that cannot fit), and what it returns.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import type { M3FieldType, M3Input } from '../catalog/catalog-types.js';
import type { M3Transaction } from './transactions.js';

export { M3_ROLES, M3_TRANSACTIONS } from './transactions.js';
export type { M3Transaction } from './transactions.js';

/** Company and division come from the connection's options when the body leaves them out. */
const FROM_OPTIONS = new Set(['CONO', 'DIVI']);

/** The JSON Schema of one input field: M3 receives text, so numbers are accepted for every type. */
export function m3FieldSchema(type: M3FieldType, length: number | null, label: string): JsonSchema {
  if (type === 'N')
    return {
      type: ['number', 'string'],
      description: `${label} (numeric${length ? `, up to ${length} digits` : ''})`,
      pattern: `^-?\\d{0,${length ?? 30}}(\\.\\d+)?$`,
      ...(length ? { exclusiveMaximum: 10 ** length, exclusiveMinimum: -(10 ** length) } : {}),
      examples: ['12.5'],
    };
  if (type === 'D')
    return {
      type: ['string', 'number'],
      description: `${label} (date, YYYYMMDD)`,
      pattern: '^\\d{8}$',
      examples: ['20261120'],
    };
  return {
    type: ['string', 'number'],
    description: `${label}${length ? ` (up to ${length} characters)` : ''}`,
    ...(length ? { maxLength: length } : {}),
  };
}

/** The mandatory inputs a body must set: company and division come from the connection's options. */
export function m3RequiredInputs(inputs: readonly M3Input[]): string[] {
  return inputs.filter(([name, , , mandatory]) => mandatory && !FROM_OPTIONS.has(name)).map(([name]) => name);
}

/** Schema of the record a step sends: M3's field names; the mandatory ones required (company from the options). */
export function m3InputSchema(tx: M3Transaction): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${tx.name} input (${tx.object})`,
    description: tx.description,
    type: 'object',
    additionalProperties: false,
    required: m3RequiredInputs(tx.inputs),
    properties: Object.fromEntries(
      tx.inputs.map(([name, type, length, , label]) => [name, m3FieldSchema(type, length, label)]),
    ),
  };
}

/** Schema of the step result: the first result record (or `{records}` for list transactions). M3 returns text. */
export function m3OutputSchema(tx: M3Transaction): JsonSchema {
  const record = {
    type: 'object',
    properties: Object.fromEntries(
      tx.outputs.map(([name, , , label]) => [name, { type: 'string', description: label }]),
    ),
  };
  return tx.kind === 'query' ? { type: 'object', properties: { records: { type: 'array', items: record } } } : record;
}
