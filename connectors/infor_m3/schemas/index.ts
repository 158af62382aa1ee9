/**
 * M3 record schemas, derived from the transaction table: the input fields of each MI transaction and what it returns.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import type { M3Transaction } from './transactions.js';

export { M3_TRANSACTIONS } from './transactions.js';
export type { M3Transaction } from './transactions.js';

/** Schema of the record a step sends: M3's field names, values as strings or numbers (M3 receives text). */
export function m3InputSchema(tx: M3Transaction): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${tx.name} input (${tx.object})`,
    description: tx.description,
    type: 'object',
    additionalProperties: false,
    required: tx.required,
    properties: Object.fromEntries(
      Object.entries(tx.fields).map(([field, description]) => [
        field,
        {
          type: ['string', 'number'],
          description: tx.numeric?.includes(field) ? `${description} (numeric)` : description,
        },
      ]),
    ),
  };
}

/** Schema of the step result: the first result record (or `{records}` for list transactions). M3 returns text. */
export function m3OutputSchema(tx: M3Transaction): JsonSchema {
  const record = {
    type: 'object',
    properties: Object.fromEntries((tx.returns ?? []).map((f) => [f, { type: 'string' }])),
  };
  return tx.kind === 'query' ? { type: 'object', properties: { records: { type: 'array', items: record } } } : record;
}
