/**
 * How the transform checks read an entity schema: the fields an object schema declares, and the element schema of
 * an array. An object schema with `properties` is closed (its fields are the known ones) unless it sets
 * `additionalProperties` to `true` or to a schema; a schema without `properties` is open and never reported.
 * Local `$ref`s (`#/definitions/…`, `#/$defs/…`, any JSON pointer into the same document) are followed: a schema
 * handed in without a known document is its own document root, and every schema read out of it remembers that root.
 */
import type { JsonSchema } from '../sdk/connector.js';

/** The document each schema read through these functions belongs to (where its local `$ref`s point). */
const documentOf = new WeakMap<JsonSchema, JsonSchema>();
/** What each `$ref` schema resolved to (so a field keeps one resolved schema). */
const resolvedRefs = new WeakMap<JsonSchema, JsonSchema>();

function isSchema(value: unknown): value is JsonSchema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The value at a local JSON pointer (`#/a/b`, with `~1` and `~0` escapes), or undefined. */
function pointerTarget(root: JsonSchema, ref: string): JsonSchema | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined; // remote and anchor refs are not followed: the schema stays open
  let current: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isSchema(current) || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return isSchema(current) ? current : undefined;
}

/**
 * `schema` with its `$ref` followed (through chains of refs) in its document; sibling keywords stay, the outer ones
 * winning. A chain that comes back to itself, or a ref that points nowhere, gives undefined: nothing is known.
 */
function resolveSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  if (!isSchema(schema)) return undefined;
  const root = documentOf.get(schema) ?? schema;
  documentOf.set(schema, root);
  if (typeof schema.$ref !== 'string') return schema;
  const known = resolvedRefs.get(schema);
  if (known) return known;
  const seen = new Set<JsonSchema>([schema]);
  let siblings: JsonSchema = {};
  let current = schema;
  while (typeof current.$ref === 'string') {
    const { $ref: ref, ...own } = current;
    siblings = { ...own, ...siblings };
    const target = pointerTarget(root, ref as string);
    if (!target || seen.has(target)) return undefined;
    seen.add(target);
    current = target;
  }
  const resolved = Object.keys(siblings).length > 0 ? { ...current, ...siblings } : current;
  if (!documentOf.has(resolved)) documentOf.set(resolved, root);
  resolvedRefs.set(schema, resolved);
  return resolved;
}

/** A schema read out of `parent` (a property or items), resolved in the same document. */
function child(parent: JsonSchema, value: unknown): JsonSchema | undefined {
  if (!isSchema(value)) return undefined;
  if (!documentOf.has(value)) documentOf.set(value, documentOf.get(parent) ?? parent);
  return resolveSchema(value);
}

/** The declared fields of a closed object schema, or undefined when the schema is open or not an object. */
export function declaredFields(schema: JsonSchema | undefined): Map<string, JsonSchema> | undefined {
  const resolved = resolveSchema(schema);
  if (!resolved) return undefined;
  const properties = resolved.properties as Record<string, JsonSchema> | undefined;
  if (!properties || typeof properties !== 'object') return undefined;
  const extra = resolved.additionalProperties;
  if (extra === true || (extra !== undefined && extra !== false && typeof extra === 'object')) return undefined;
  // a field whose ref points nowhere is still a field, of which nothing more is known
  return new Map(Object.entries(properties).map(([name, field]) => [name, child(resolved, field) ?? {}]));
}

/** Fields a create must set: the schema's `required` list. */
export function requiredFields(schema: JsonSchema | undefined): string[] {
  const resolved = resolveSchema(schema);
  return Array.isArray(resolved?.required) ? (resolved.required as string[]).filter((f) => typeof f === 'string') : [];
}

/** JSONata maps over arrays, so a path step into an array reads its items. */
export function elementSchema(schema: JsonSchema | undefined): JsonSchema | undefined {
  const resolved = resolveSchema(schema);
  if (!resolved) return undefined;
  const type = resolved.type;
  const isArray = type === 'array' || (Array.isArray(type) && type.includes('array') && !type.includes('object'));
  if (!isArray) return resolved;
  return child(resolved, resolved.items);
}
