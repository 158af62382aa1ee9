/**
 * Change Data Capture events as the Pub/Sub API sends them, and back: an Avro record whose first field is
 * `ChangeEventHeader`, then every field of the object. On an UPDATE, unchanged fields are null too, so which ones
 * changed comes from the header's `changedFields` (and `nulledFields`, `diffFields`), sent as bitmaps over the
 * schema's field positions: `0x…` for top-level fields, `N-0x…` for the fields of the compound field at position N
 * (Salesforce "Event Deserialization Considerations"; the decoding follows the vendor samples' EventParser and
 * ChangeEventHeaderUtility). Junction's event is one record: its Id, the fields that changed (set, or null when
 * nulled), and the header with the field names decoded.
 */
import avro from 'avsc';

type Row = Record<string, unknown>;
interface AvroField {
  name: string;
  type: unknown;
  doc?: string;
}
interface AvroRecord {
  type: 'record';
  name: string;
  fields: AvroField[];
}

/** The decoded header, as Junction's event carries it (`when: ChangeEventHeader.changeType = "UPDATE"`). */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin?: string;
  transactionKey?: string;
  sequenceNumber?: number;
  commitTimestamp?: number;
  commitNumber?: number;
  commitUser?: string;
  changedFields: string[];
  nulledFields: string[];
  diffFields: string[];
}

const types = new Map<string, avro.Type>();

/** The Avro type of a schema (cached by its JSON). */
export function avroType(schemaJson: string): avro.Type {
  let type = types.get(schemaJson);
  if (!type) {
    type = avro.Type.forSchema(JSON.parse(schemaJson) as avro.Schema);
    types.set(schemaJson, type);
  }
  return type;
}

/** The nested record schema of a field (`Address`, or `["null", Address]`), if it is a compound field. */
function recordOf(type: unknown): AvroRecord | undefined {
  const options = Array.isArray(type) ? type : [type];
  return options.find(
    (t): t is AvroRecord => typeof t === 'object' && t !== null && (t as AvroRecord).type === 'record',
  );
}

/** Field names from bitmap entries: `Name`, or `BillingAddress.City` for a compound field's part. */
export function decodeBitmapFields(schema: AvroRecord, bitmaps: readonly string[]): string[] {
  const names: string[] = [];
  for (const entry of bitmaps) {
    const nested = /^(\d+)-0x([0-9A-Fa-f]+)$/.exec(entry);
    if (nested) {
      const parent = schema.fields[Number(nested[1])];
      const inner = parent && recordOf(parent.type);
      if (inner)
        for (const i of bitsOf(nested[2])) if (inner.fields[i]) names.push(`${parent.name}.${inner.fields[i].name}`);
      continue;
    }
    const top = /^0x([0-9A-Fa-f]+)$/.exec(entry);
    if (top) for (const i of bitsOf(top[1])) if (schema.fields[i]) names.push(schema.fields[i].name);
  }
  return names;
}

/** Bitmap entries for field names (uppercase hex, whole bytes, top level first), as Salesforce writes them. */
export function encodeBitmapFields(schema: AvroRecord, names: readonly string[]): string[] {
  const top = new Set<number>();
  const nested = new Map<number, Set<number>>();
  for (const name of names) {
    const [parent, child] = name.split('.');
    const index = schema.fields.findIndex((f) => f.name === parent);
    if (index < 0) continue;
    const inner = child === undefined ? undefined : recordOf(schema.fields[index].type);
    const childIndex = inner ? inner.fields.findIndex((f) => f.name === child) : -1;
    if (childIndex < 0) top.add(index);
    else nested.set(index, (nested.get(index) ?? new Set()).add(childIndex));
  }
  const out = top.size ? [`0x${hexOf(top)}`] : [];
  for (const [index, bits] of [...nested].sort((a, b) => a[0] - b[0])) out.push(`${index}-0x${hexOf(bits)}`);
  return out;
}

function bitsOf(hex: string): number[] {
  const value = BigInt(`0x${hex}`);
  const bits: number[] = [];
  for (let i = 0; value >> BigInt(i) > 0n; i++) if ((value >> BigInt(i)) & 1n) bits.push(i);
  return bits;
}

function hexOf(bits: Set<number>): string {
  let value = 0n;
  for (const bit of bits) value |= 1n << BigInt(bit);
  const hex = value.toString(16).toUpperCase();
  return hex.length % 2 ? `0${hex}` : hex;
}

/**
 * Junction's events for one decoded change event: one per record id, each with `Id`, the changed fields (all set
 * fields on CREATE and UNDELETE; none on DELETE and gap events) and the decoded header.
 */
export function changeEvents(schemaJson: string, payload: Buffer): Row[] {
  const schema = JSON.parse(schemaJson) as AvroRecord;
  const record = avroType(schemaJson).fromBuffer(payload) as Row;
  const raw = record.ChangeEventHeader as Row & {
    changedFields: string[];
    nulledFields: string[];
    diffFields: string[];
  };
  const header: ChangeEventHeader = {
    ...(raw as unknown as ChangeEventHeader),
    changedFields: decodeBitmapFields(schema, raw.changedFields ?? []),
    nulledFields: decodeBitmapFields(schema, raw.nulledFields ?? []),
    diffFields: decodeBitmapFields(schema, raw.diffFields ?? []),
  };
  // Pub/Sub sends dates and dateTimes as epoch numbers; the schema's `doc` names the Salesforce type.
  for (const f of schema.fields) {
    const value = record[f.name];
    if (typeof value !== 'number') continue;
    if (f.doc?.endsWith(':DateTime')) record[f.name] = new Date(value).toISOString().replace('Z', '+0000');
    else if (f.doc?.endsWith(':Date')) record[f.name] = new Date(value).toISOString().slice(0, 10);
  }
  const fields: Row = {};
  if (header.changeType === 'CREATE' || header.changeType === 'UNDELETE') {
    for (const f of schema.fields.slice(1))
      if (record[f.name] !== null && record[f.name] !== undefined) fields[f.name] = record[f.name];
  } else if (header.changeType === 'UPDATE') {
    for (const name of [...header.changedFields, ...header.nulledFields]) {
      const [parent, child] = name.split('.');
      if (child === undefined) fields[parent] = record[parent] ?? null;
      else fields[parent] = { ...(fields[parent] as Row), [child]: (record[parent] as Row | null)?.[child] ?? null };
    }
  }
  return header.recordIds.map((Id) => ({ ...fields, Id, ChangeEventHeader: header }));
}
