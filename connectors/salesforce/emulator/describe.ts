/**
 * `GET /services/data/vXX.X/sobjects/{sobject}/describe`, built from the org's field metadata (the connector's schemas
 * plus the custom fields the org added): the top-level keys and Field keys of the REST API Developer Guide's "sObject
 * Describe" example (name, label, keyPrefix, custom, createable, updateable, fields[] with type, length, createable,
 * updateable, nillable, calculated, autoNumber, externalId, idLookup, picklistValues, restrictedPicklist, referenceTo).
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { objectSchema, sfError } from './field-rules.js';
import type { SalesforceState } from './state.js';

type Field = ReturnType<typeof objectSchema>['properties'][string];

/** The describe of one object, or 404 NOT_FOUND for an object the org does not have. */
export function describeReply(state: SalesforceState, sobject: string, version: string): EmulatorReply {
  const base = SOBJECT_SCHEMAS[sobject];
  if (!base || !state.store.has(sobject)) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  const { properties, required } = objectSchema(sobject, state);
  return {
    status: 200,
    body: {
      name: sobject,
      label: String(base.title),
      keyPrefix: base['x-key-prefix'],
      custom: sobject.endsWith('__c'),
      createable: true,
      updateable: true,
      customSetting: false,
      urls: {
        sobject: `/services/data/${version}/sobjects/${sobject}`,
        describe: `/services/data/${version}/sobjects/${sobject}/describe`,
      },
      childRelationships: [],
      fields: Object.entries(properties).map(([name, def]) => describeField(name, def, required.includes(name))),
    },
  };
}

function describeField(name: string, def: Field, required: boolean) {
  const type = fieldType(name, def);
  const values = def.enum ?? (def['x-picklist-values'] as string[] | undefined) ?? [];
  const writable = !def.readOnly && name !== 'Id';
  const references = def['x-reference-to'] ?? [];
  return {
    name,
    label: def.title ?? name,
    type,
    length: type === 'id' ? 18 : (def.maxLength ?? { picklist: 255, textarea: 32768 }[type] ?? 0),
    custom: name.endsWith('__c'),
    createable: writable,
    updateable: writable && def['x-updateable'] !== false,
    // Required fields and checkboxes are not nillable (checkboxes default to false).
    nillable: !required && type !== 'boolean' && type !== 'id',
    defaultedOnCreate: def.default !== undefined || type === 'boolean' || !!def['x-auto-number'],
    calculated: def['x-calculated'] === true,
    autoNumber: !!def['x-auto-number'],
    externalId: def['x-external-id'] === true,
    idLookup: def['x-external-id'] === true || def['x-id-lookup'] === true,
    caseSensitive: def['x-case-sensitive'] === true,
    restrictedPicklist: !!def.enum,
    picklistValues: values.map((value) => ({
      active: true,
      defaultValue: value === def.default,
      label: value,
      validFor: null,
      value,
    })),
    referenceTo: references,
    relationshipName: references.length ? relationshipName(name) : null,
    inlineHelpText: null,
    soapType: soapType(type),
  };
}

function fieldType(name: string, def: Field): string {
  if (name === 'Id') return 'id';
  if (def['x-reference-to']) return 'reference';
  if (def.enum || def['x-picklist-values']) return 'picklist';
  if (def.format === 'date') return 'date';
  if (def.format === 'date-time') return 'datetime';
  if (def.type === 'number') return 'double';
  if (def.type === 'integer') return 'int';
  if (def.type === 'boolean') return 'boolean';
  return def.maxLength === undefined && !def['x-auto-number'] ? 'textarea' : 'string';
}

/** `AccountId` -> `Account`, `c2g__Account__c` -> `c2g__Account__r`. */
const relationshipName = (name: string) =>
  name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');

const soapType = (type: string) =>
  ({ id: 'tns:ID', reference: 'tns:ID', double: 'xsd:double', int: 'xsd:int', boolean: 'xsd:boolean' })[type] ??
  (type === 'date' ? 'xsd:date' : type === 'datetime' ? 'xsd:dateTime' : 'xsd:string');
