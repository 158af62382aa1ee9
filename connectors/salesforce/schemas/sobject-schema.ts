/**
 * Builders for sObject entity schemas (JSON Schema draft-07) carrying the field metadata Salesforce's describe gives
 * (`createable`, `updateable`, `calculated`, `externalId`, `idLookup`, `picklistValues`, `restrictedPicklist`,
 * `referenceTo`, `length`, `label`). Standard keywords where they exist, documented `x-` extensions otherwise, so the
 * emulator, `junction validate` and later static checks read one declaration:
 *
 * | describe | schema |
 * |---|---|
 * | `label` | `title` |
 * | `createable: false, updateable: false` (formula, roll-up, auto-number, system) | `readOnly: true` |
 * | `calculated: true` (formula, roll-up) | `x-calculated: true` |
 * | `autoNumber: true` | `x-auto-number: <display format>` |
 * | `updateable: false` but createable | `x-updateable: false` |
 * | `externalId: true` / `idLookup: true` (the fields an upsert may match on) | `x-external-id` / `x-id-lookup` |
 * | `caseSensitive: true` on an external id | `x-case-sensitive: true` |
 * | restricted picklist values | `enum` |
 * | unrestricted picklist values | `x-picklist-values` |
 * | `referenceTo` | `x-reference-to` (with an id `pattern`) |
 * | the referenced object's `childRelationships[].relationshipName` for this field | `x-child-relationship` |
 * | `length` | `maxLength` |
 * | `nillable: false` and not defaulted on create | the object's `required` |
| an address's `…CountryCode` picklist (only with country picklists on) | `x-country-code-of: <text field>` |
 *
 * Object level: `x-key-prefix` (the record id prefix) and `x-posted-lock` (FinancialForce posting, see below).
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';

/** Salesforce record ids: 15 case-sensitive characters, or 18 with the case-check suffix. */
export const RECORD_ID_PATTERN = '^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$';

/** A field schema with its label (`title`) and description (editors show both). */
export const field = (
  type: 'string' | 'number' | 'integer' | 'boolean',
  label: string,
  description: string,
  extra: Record<string, unknown> = {},
): JsonSchema => ({ type, title: label, description, ...extra });

/** A text field of at most `length` characters (null: a long text whose limit we do not model). */
export const text = (label: string, description: string, length: number | null = 255): JsonSchema =>
  field('string', label, description, length === null ? {} : { maxLength: length });

/**
 * A lookup or master-detail (reference) to another object, by its 15/18-character record id; `childRelationship`
 * is the name the parent's SOQL subqueries use for these children (`Contacts`).
 */
export const reference = (
  to: string,
  label: string,
  description = `Id of the ${to} record`,
  childRelationship?: string,
): JsonSchema =>
  field('string', label, description, {
    pattern: RECORD_ID_PATTERN,
    'x-reference-to': [to],
    ...(childRelationship ? { 'x-child-relationship': childRelationship } : {}),
  });

/** A dateTime field: `2026-12-01T00:00:00.000+0000`. */
export const dateTime = (label: string, description: string): JsonSchema =>
  field('string', label, description, { format: 'date-time' });

/** A date field: `YYYY-MM-DD`. */
export const date = (label: string, description: string): JsonSchema =>
  field('string', label, description, { format: 'date' });

/** A restricted picklist: any other value is refused (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST). */
export const picklist = (values: string[], label: string, description: string): JsonSchema =>
  field('string', label, description, { enum: values });

/** An unrestricted picklist: the values are suggestions, other text is accepted. */
export const openPicklist = (values: string[], label: string, description: string): JsonSchema =>
  field('string', label, description, { 'x-picklist-values': values });

/**
 * The ISO code picklist of a standard address's country (`BillingCountryCode` of `BillingCountry`): the field exists
 * only in an org with State and Country/Territory Picklists on (API guide "Address Compound Fields").
 */
export const countryCode = (label: string, countryField: string): JsonSchema =>
  field('string', label, `ISO country code of ${countryField} (only with state and country/territory picklists)`, {
    'x-country-code-of': countryField,
  });

/** An external id field: unique, and a field `sobjects.upsert` may match on. */
export const externalId = (label: string, description: string, length = 255): JsonSchema =>
  field('string', label, description, { maxLength: length, 'x-external-id': true });

/** A formula or roll-up summary: computed by Salesforce, never written (INVALID_FIELD_FOR_INSERT_UPDATE). */
export const formula = (type: 'string' | 'number', label: string, description: string): JsonSchema =>
  field(type, label, description, { readOnly: true, 'x-calculated': true });

/** An auto-number: assigned by Salesforce on create from its display format (`SIN{000000}`), never written. */
export const autoNumber = (label: string, description: string, format: string): JsonSchema =>
  field('string', label, description, { readOnly: true, 'x-auto-number': format });

/** A field set on create only (`updateable: false`). */
export const createOnly = (schema: JsonSchema): JsonSchema => ({ ...schema, 'x-updateable': false });

/**
 * FinancialForce posting: once the document's status (or its head's, for lines reached `via` a reference) is one of
 * `statuses`, only the `amendable` fields of that status can change, and lines cannot be added or removed.
 */
export interface PostedLock {
  /** The status field on this object (heads). */
  status_field?: string;
  /** The reference to the head whose status decides (lines). */
  via?: string;
  /** Locked statuses, each with the fields that stay amendable. */
  statuses: Record<string, string[]>;
}

/** Audit fields every object has, stamped by Salesforce on each write (SystemModstamp also by automated changes). */
const SYSTEM_FIELDS: Record<string, JsonSchema> = {
  CreatedDate: field('string', 'Created Date', 'When the record was created', { format: 'date-time', readOnly: true }),
  LastModifiedDate: field('string', 'Last Modified Date', 'When a user last changed the record', {
    format: 'date-time',
    readOnly: true,
  }),
  SystemModstamp: field('string', 'System Modstamp', 'When a user or an automated process last changed the record', {
    format: 'date-time',
    readOnly: true,
  }),
};

/** The entity schema of one sObject. */
export function sobject(
  name: string,
  description: string,
  prefix: string,
  required: string[],
  properties: Record<string, JsonSchema>,
  extensions: { postedLock?: PostedLock } = {},
): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: name,
    description,
    type: 'object',
    'x-key-prefix': prefix,
    ...(extensions.postedLock ? { 'x-posted-lock': extensions.postedLock } : {}),
    required,
    properties: {
      Id: field('string', 'Record ID', 'Salesforce record id (identifies the record on update; never written)', {
        pattern: RECORD_ID_PATTERN,
        'x-id-lookup': true,
        'x-updateable': false,
      }),
      ...properties,
      ...SYSTEM_FIELDS,
    },
  };
}
