/**
 * An sObject describe (`GET /services/data/vXX.X/sobjects/{sobject}/describe`, REST API Developer Guide "sObject
 * Describe"; Field keys as in its example) as the entity schema that `junction schema pull` writes: the mapping table
 * of sobject-schema.ts read backwards, so a pulled field carries the metadata a built-in one does.
 */
import type { EntityOverlay, JsonSchema } from '../../../engine/sdk/index.js';
import { RECORD_ID_PATTERN } from './sobject-schema.js';

/** The Field keys of a describe that the schema keeps. */
export interface DescribeField {
  name: string;
  label: string;
  type: string;
  length?: number;
  createable?: boolean;
  updateable?: boolean;
  nillable?: boolean;
  defaultedOnCreate?: boolean;
  calculated?: boolean;
  autoNumber?: boolean;
  externalId?: boolean;
  idLookup?: boolean;
  caseSensitive?: boolean;
  restrictedPicklist?: boolean;
  picklistValues?: { value: string; active?: boolean; defaultValue?: boolean }[];
  referenceTo?: string[];
  inlineHelpText?: string | null;
}

const NUMBER_TYPES = new Set(['double', 'currency', 'percent']);
const COMPOUND_TYPES = new Set(['address', 'location']);

/** One describe field as a field schema. */
export function describedField(f: DescribeField): JsonSchema {
  const out: JsonSchema = {
    type: typeOf(f.type),
    title: f.label,
    description: f.inlineHelpText || `${f.label} (${f.type})`,
  };
  if (f.type === 'date') out.format = 'date';
  if (f.type === 'datetime') out.format = 'date-time';
  if (out.type === 'string' && f.type !== 'id' && typeof f.length === 'number' && f.length > 0)
    out.maxLength = f.length;
  // Id identifies the record in the URL and is never written (the built-in schemas' convention).
  if (f.type === 'id') Object.assign(out, { pattern: RECORD_ID_PATTERN, 'x-id-lookup': true, 'x-updateable': false });
  else if (!f.createable && !f.updateable) out.readOnly = true;
  else if (f.createable && !f.updateable) out['x-updateable'] = false;
  if (f.calculated) out['x-calculated'] = true;
  if (f.autoNumber) out['x-auto-number'] = true;
  if (f.externalId) out['x-external-id'] = true;
  if (f.idLookup && f.type !== 'id') out['x-id-lookup'] = true;
  if (f.externalId && f.caseSensitive) out['x-case-sensitive'] = true;
  const values = (f.picklistValues ?? []).filter((v) => v.active !== false).map((v) => v.value);
  if (values.length) out[f.restrictedPicklist ? 'enum' : 'x-picklist-values'] = values;
  const byDefault = (f.picklistValues ?? []).find((v) => v.defaultValue)?.value;
  if (byDefault !== undefined) out.default = byDefault;
  if (f.referenceTo?.length) Object.assign(out, { pattern: RECORD_ID_PATTERN, 'x-reference-to': f.referenceTo });
  return out;
}

function typeOf(type: string): string {
  if (NUMBER_TYPES.has(type)) return 'number';
  if (type === 'int') return 'integer';
  if (type === 'boolean') return 'boolean';
  if (COMPOUND_TYPES.has(type)) return 'object';
  return 'string';
}

/** A describe result as an overlay: every field, and those a create must set (not nillable, not defaulted). */
export function describeOverlay(describe: { fields?: DescribeField[] }, pulledFrom: string): EntityOverlay {
  const fields = [...(describe.fields ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  return {
    pulled_from: [pulledFrom],
    fields: Object.fromEntries(fields.map((f) => [f.name, describedField(f)])),
    required: fields
      .filter((f) => f.createable && f.nillable === false && !f.defaultedOnCreate && f.type !== 'boolean')
      .map((f) => f.name),
  };
}
