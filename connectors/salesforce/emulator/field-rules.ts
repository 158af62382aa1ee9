/**
 * Salesforce's checks of the fields a create or update sends, in the order the error bodies are checked here:
 * unknown fields, fields the user cannot write (formula, roll-up, auto-number, create-only on update), value types,
 * text length, restricted picklists, lookup ids, then required fields. The field metadata comes from the connector's
 * sObject schemas (`readOnly`, `x-updateable`, `enum`, `maxLength`, `x-reference-to`, `required`).
 */
import type { EmulatorReply, JsonSchema } from '../../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { countryCodeFields } from './country-picklists.js';
import { canonicalId } from './record-ids.js';
import type { RecordStore, Row } from './record-store.js';
import type { SalesforceState } from './state.js';

type FieldSchema = JsonSchema & {
  type: string;
  title?: string;
  format?: string;
  enum?: string[];
  maxLength?: number;
  readOnly?: boolean;
  'x-updateable'?: boolean;
  'x-reference-to'?: string[];
  'x-country-code-of'?: string;
};

/** An error reply in Salesforce's array shape. */
export const sfError = (status: number, errorCode: string, message: string, fields: string[] = []): EmulatorReply => ({
  status,
  body: [{ message, errorCode, fields }],
});

/**
 * The schema of an sObject the org has, with its field map: the connector's, less the standard fields the org lacks,
 * plus the custom fields the org added.
 */
export function objectSchema(
  sobject: string,
  state?: Pick<SalesforceState, 'customFields' | 'absentFields' | 'countryPicklist'>,
): { properties: Record<string, FieldSchema>; required: string[] } {
  const schema = SOBJECT_SCHEMAS[sobject] as unknown as { properties: Record<string, FieldSchema>; required: string[] };
  const custom = state?.customFields.get(sobject) as Record<string, FieldSchema> | undefined;
  // An org without country picklists has no `…CountryCode` fields.
  const absent = [
    ...(state?.absentFields.get(sobject) ?? []),
    ...(state?.countryPicklist ? [] : countryCodeFields(schema.properties).map(([code]) => code)),
  ];
  if (!custom && absent.length === 0) return schema;
  const standard = Object.entries(schema.properties).filter(([name]) => !absent.includes(name));
  return { ...schema, properties: { ...Object.fromEntries(standard), ...custom } };
}

/** The first problem with the fields of a create (`existing` undefined) or an update, as Salesforce answers it. */
export function checkFields(
  state: SalesforceState,
  sobject: string,
  row: Row,
  existing?: Row,
): EmulatorReply | undefined {
  const store = state.store;
  const { properties, required } = objectSchema(sobject, state);
  for (const name of Object.keys(row))
    if (!properties[name])
      return sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type ${sobject}`, [name]);
  const notWritable = Object.keys(row).filter(
    (name) => name !== 'Id' && (properties[name].readOnly || (existing && properties[name]['x-updateable'] === false)),
  );
  if (notWritable.length)
    return sfError(
      400,
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${notWritable.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      notWritable,
    );
  for (const [name, value] of Object.entries(row)) {
    if (value === null || name === 'Id') continue;
    const problem = checkValue(store, name, properties[name], value);
    if (problem) return problem;
  }
  const after = { ...existing, ...row };
  const missing = required.filter((f) => after[f] === undefined || after[f] === null || after[f] === '');
  if (missing.length)
    return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  return undefined;
}

function checkValue(store: RecordStore, name: string, def: FieldSchema, value: unknown): EmulatorReply | undefined {
  const label = def.title ?? name;
  const parseError = (type: string) =>
    sfError(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${type} from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:${name.length + 4}]`,
      [name],
    );
  if ((def.type === 'number' || def.type === 'integer') && typeof value !== 'number') return parseError('double');
  if (def.type === 'boolean' && typeof value !== 'boolean') return parseError('boolean');
  if (def.format === 'date' && (!/^\d{4}-\d{2}-\d{2}$/.test(String(value)) || Number.isNaN(Date.parse(String(value)))))
    return parseError('date');
  if (def.maxLength !== undefined && String(value).length > def.maxLength)
    return sfError(
      400,
      'STRING_TOO_LONG',
      `${label}: data value too large: ${String(value)} (max length=${def.maxLength})`,
      [name],
    );
  if (def.enum && !def.enum.includes(String(value)))
    return sfError(
      400,
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${label}: bad value for restricted picklist field: ${String(value)}`,
      [name],
    );
  if (def['x-reference-to']) return checkReference(store, name, label, def['x-reference-to'], value);
  return undefined;
}

/**
 * A lookup id: not an id at all is MALFORMED_ID; an existing record of another object FIELD_INTEGRITY_EXCEPTION; an
 * id of the right object that does not exist INVALID_CROSS_REFERENCE_KEY. Objects the emulator does not hold
 * (dimensions, companies) are checked for the id format only.
 */
function checkReference(
  store: RecordStore,
  name: string,
  label: string,
  targets: string[],
  value: unknown,
): EmulatorReply | undefined {
  const id = canonicalId(value);
  const wrongType = sfError(400, 'MALFORMED_ID', `${label}: id value of incorrect type: ${String(value)}`, [name]);
  if (!id) return wrongType;
  const known = targets.filter((t) => store.has(t));
  if (known.length === 0 || known.some((t) => store.get(t, id))) return undefined;
  if (store.objectOf(id))
    return sfError(400, 'FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${String(value)}`, [name]);
  return sfError(400, 'INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [name]);
}

/** Lookup values as Salesforce stores and returns them: the 18-character form of whichever form was sent. */
export function canonicalReferences(state: SalesforceState, sobject: string, row: Row): Row {
  const { properties } = objectSchema(sobject, state);
  return Object.fromEntries(
    Object.entries(row).map(([name, value]) => [
      name,
      properties[name]?.['x-reference-to'] && value !== null ? (canonicalId(value) ?? value) : value,
    ]),
  );
}
