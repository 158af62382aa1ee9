/**
 * How the transform checks read an entity schema: the fields an object schema declares, and the element schema of
 * an array. An object schema with `properties` is closed (its fields are the known ones) unless it sets
 * `additionalProperties` to `true` or to a schema; a schema without `properties` is open and never reported.
 */
import type { JsonSchema } from '../sdk/connector.js';

/** The declared fields of a closed object schema, or undefined when the schema is open or not an object. */
export function declaredFields(schema: JsonSchema | undefined): Map<string, JsonSchema> | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  if (!properties || typeof properties !== 'object') return undefined;
  const extra = schema.additionalProperties;
  if (extra === true || (extra !== undefined && extra !== false && typeof extra === 'object')) return undefined;
  return new Map(Object.entries(properties));
}

/** Fields a create must set: the schema's `required` list. */
export function requiredFields(schema: JsonSchema | undefined): string[] {
  return Array.isArray(schema?.required) ? (schema.required as string[]).filter((f) => typeof f === 'string') : [];
}

/** JSONata maps over arrays, so a path step into an array reads its items. */
export function elementSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!schema) return undefined;
  const type = schema.type;
  const isArray = type === 'array' || (Array.isArray(type) && type.includes('array') && !type.includes('object'));
  if (!isArray) return schema;
  const items = schema.items;
  return items && typeof items === 'object' && !Array.isArray(items) ? (items as JsonSchema) : undefined;
}
