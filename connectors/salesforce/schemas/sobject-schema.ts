/**
 * Builders for sObject entity schemas (JSON Schema draft-07). `required` lists what Salesforce demands on create;
 * `x-key-prefix` is the object's record id prefix; `x-external-id` marks fields that upserts may match on.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';

/** A field schema with its description (editors show it). */
export const field = (
  type: 'string' | 'number' | 'boolean',
  description: string,
  extra: Record<string, unknown> = {},
): JsonSchema => ({ type, description, ...extra });
/** A lookup (reference) to another record, by its 15/18-character id. */
export const reference = (to: string): JsonSchema => ({
  type: 'string',
  description: `Id of the ${to} record`,
  pattern: '^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$',
});
/** A date field: `YYYY-MM-DD`. */
export const date = (description: string): JsonSchema => ({ type: 'string', format: 'date', description });
/** A picklist field with its values. */
export const picklist = (values: string[], description: string): JsonSchema => ({
  type: 'string',
  enum: values,
  description,
});
/** An external id field: unique, and usable by `sobjects.upsert`. */
export const externalId = (description: string): JsonSchema => ({ type: 'string', description, 'x-external-id': true });

/** The entity schema of one sObject. */
export function sobject(
  name: string,
  description: string,
  prefix: string,
  required: string[],
  properties: Record<string, JsonSchema>,
): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: name,
    description,
    type: 'object',
    'x-key-prefix': prefix,
    required,
    properties: {
      Id: { type: 'string', description: 'Salesforce record id (read-only; identifies the record on update)' },
      ...properties,
    },
  };
}
