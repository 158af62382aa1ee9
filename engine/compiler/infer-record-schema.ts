/**
 * The schema of a source's records as far as recorded events show it: the union of the fields the events carry,
 * object by object and array element by array element. A field that never appears is then unknown to the checks; a
 * value seen only as null, as an empty object or array, or as different kinds in different events stays open (no
 * `properties`), so nothing is reported below it.
 */
import type { JsonSchema } from '../sdk/connector.js';

type Kind = 'object' | 'array' | 'scalar' | 'null';

/** Merges the shapes of `samples` into one schema; undefined when there is no sample. */
export function inferRecordSchema(samples: readonly unknown[]): JsonSchema | undefined {
  return samples.length === 0 ? undefined : merged(samples);
}

function merged(values: readonly unknown[]): JsonSchema {
  const kinds = new Set(values.map(kindOf).filter((k) => k !== 'null'));
  if (kinds.size !== 1) return {};
  const [kind] = kinds;
  if (kind === 'object') {
    const objects = values.filter((v) => kindOf(v) === 'object') as Record<string, unknown>[];
    const names = [...new Set(objects.flatMap((o) => Object.keys(o)))];
    if (names.length === 0) return {}; // only empty objects (`event: {}`): they show nothing of the fields
    const properties = Object.fromEntries(
      names.map((name) => [name, merged(objects.filter((o) => Object.hasOwn(o, name)).map((o) => o[name]))]),
    );
    return { type: 'object', properties, additionalProperties: false };
  }
  if (kind === 'array') {
    const items = values.filter(Array.isArray).flat();
    return items.length === 0 ? { type: 'array' } : { type: 'array', items: merged(items) };
  }
  return {};
}

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : 'scalar';
}
