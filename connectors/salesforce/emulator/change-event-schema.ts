/**
 * The emulator's change event schemas and payloads: for each object, an Avro record `<Object>ChangeEvent` in
 * namespace `com.sforce.eventbus` whose first field is `ChangeEventHeader`, then every field of the object as an
 * optional (`["null", T]`) field, dates and dateTimes as epoch numbers with a `doc` naming their Salesforce type
 * (the shape of Salesforce's event schemas; the header's exact Avro types are not published, so these are ours).
 * SystemModstamp and IsDeleted are not in change events, as Salesforce documents.
 */
import { createHash, randomUUID } from 'node:crypto';
import { avroType, encodeBitmapFields } from '../pubsub/change-event.js';
import type { RecordChange } from './record-changes.js';

type Row = Record<string, unknown>;
interface FieldSchema {
  type?: string;
  format?: string;
}

const HEADER = {
  type: 'record',
  name: 'ChangeEventHeader',
  fields: [
    { name: 'entityName', type: 'string' },
    { name: 'recordIds', type: { type: 'array', items: 'string' } },
    { name: 'changeType', type: 'string' },
    { name: 'changeOrigin', type: 'string' },
    { name: 'transactionKey', type: 'string' },
    { name: 'sequenceNumber', type: 'int' },
    { name: 'commitTimestamp', type: 'long' },
    { name: 'commitNumber', type: 'long' },
    { name: 'commitUser', type: 'string' },
    { name: 'nulledFields', type: { type: 'array', items: 'string' } },
    { name: 'diffFields', type: { type: 'array', items: 'string' } },
    { name: 'changedFields', type: { type: 'array', items: 'string' } },
  ],
};

/** An object's change event schema, its JSON and its id (a fingerprint of the JSON). */
export interface EventSchema {
  json: string;
  id: string;
  fields: { name: string; type: unknown; doc?: string }[];
}

/** The change event channel of an object: `Account` -> `/data/AccountChangeEvent`, `X__c` -> `/data/X__ChangeEvent`. */
export const channelOf = (sobject: string) =>
  `/data/${sobject.endsWith('__c') ? `${sobject.slice(0, -3)}__ChangeEvent` : `${sobject}ChangeEvent`}`;

export function eventSchema(sobject: string, properties: Record<string, FieldSchema>): EventSchema {
  const fields: EventSchema['fields'] = [{ name: 'ChangeEventHeader', type: HEADER }];
  const all: Record<string, FieldSchema> = {
    ...properties,
    CreatedDate: { format: 'date-time' },
    LastModifiedDate: { format: 'date-time' },
  };
  for (const [name, def] of Object.entries(all)) {
    if (name === 'Id') continue;
    const [type, doc] =
      def.format === 'date-time'
        ? ['long', `${name}:DateTime`]
        : def.format === 'date'
          ? ['long', `${name}:Date`]
          : def.type === 'number'
            ? ['double', undefined]
            : def.type === 'boolean'
              ? ['boolean', undefined]
              : ['string', undefined];
    fields.push({ name, type: ['null', type], ...(doc ? { doc } : {}), default: null } as EventSchema['fields'][0]);
  }
  const json = JSON.stringify({
    type: 'record',
    name: `${channelOf(sobject).slice('/data/'.length)}`,
    namespace: 'com.sforce.eventbus',
    fields,
  });
  return { json, id: createHash('sha256').update(json).digest('base64url').slice(0, 22), fields };
}

let commitNumber = 0;

/** The Avro payload of one committed change, as Salesforce would publish it on the Pub/Sub API. */
export function changePayload(schema: EventSchema, change: RecordChange): Buffer {
  const known = new Set(schema.fields.map((f) => f.name));
  const changed = change.changed.filter((f) => known.has(f));
  const nulled = changed.filter((f) => change.record[f] === null || change.record[f] === undefined);
  const record: Row = {
    ChangeEventHeader: {
      entityName: change.sobject,
      recordIds: change.recordIds ?? [change.id],
      changeType: change.type,
      changeOrigin: 'com/salesforce/api/rest/60.0',
      transactionKey: randomUUID(),
      sequenceNumber: 1,
      commitTimestamp: change.at,
      commitNumber: ++commitNumber,
      commitUser: '005000000000001AAA',
      nulledFields: encodeBitmapFields(JSON.parse(schema.json) as never, nulled),
      diffFields: [],
      changedFields: encodeBitmapFields(JSON.parse(schema.json) as never, changed),
    },
  };
  for (const field of schema.fields.slice(1)) {
    const sent =
      !change.headerOnly && (change.type === 'CREATE' || (change.type === 'UPDATE' && changed.includes(field.name)));
    const value = sent ? change.record[field.name] : null;
    record[field.name] = value === undefined || value === null ? null : avroValue(field, value);
  }
  return avroType(schema.json).toBuffer(record);
}

function avroValue(field: EventSchema['fields'][0], value: unknown): unknown {
  const type = (field.type as string[])[1];
  if (type === 'long') return Date.parse(String(value).replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (type === 'double') return Number(value);
  if (type === 'boolean') return Boolean(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
