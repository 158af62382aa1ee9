/** Field builders for Magento entity schemas (JSON Schema draft-07, with the descriptions editors show). */
import type { JsonSchema } from '../../../engine/sdk/index.js';

/** A string field. */
export const str = (description: string): JsonSchema => ({ type: 'string', description });
/** A number field. */
export const num = (description: string): JsonSchema => ({ type: 'number', description });
/** An integer field. */
export const int = (description: string): JsonSchema => ({ type: 'integer', description });
/** A boolean field. */
export const bool = (description: string): JsonSchema => ({ type: 'boolean', description });

/** An entity schema with the draft-07 header. */
export function entity(
  title: string,
  description: string,
  required: string[],
  properties: Record<string, JsonSchema>,
): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    description,
    type: 'object',
    required,
    properties,
  };
}
