/**
 * Record writes the way Salesforce makes them: field checks, then the locks, then the change through the record
 * store. Creates get an id, picklist defaults and auto-numbers.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { canonicalReferences, checkFields, objectSchema } from './field-rules.js';
import { syncCountries } from './country-picklists.js';
import { newRecordId } from './record-ids.js';
import { postedLockReply, usageLockReply } from './record-locks.js';
import type { Row } from './record-store.js';
import type { SalesforceState } from './state.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';

export { sfError } from './field-rules.js';

/** Creates a record (201) after validation. */
export function createRecord(state: SalesforceState, sobject: string, sent: Row): EmulatorReply {
  const invalid =
    checkFields(state, sobject, sent) ??
    postedLockReply(state.store, sobject, undefined, sent) ??
    usageLockReply(state.store, sobject, undefined, sent);
  if (invalid) return invalid;
  const synced = withCountries(state, sobject, sent);
  if ('reply' in synced) return synced.reply;
  const row = synced.row;
  const issued = issuedFields(state, sobject);
  state.store.insert(sobject, { ...issued, ...canonicalReferences(state, sobject, row), Id: issued.Id });
  return { status: 201, body: { id: issued.Id, success: true, errors: [] } };
}

/**
 * What the org gives a new record: its id, picklist defaults and auto-numbers. Emulator control inserts of records
 * made "in the org" (the demo's open invoices) take them too, so they never share an id or a number with a record
 * the org issued through the API.
 */
export function issuedFields(state: SalesforceState, sobject: string): Row & { Id: string } {
  // Never the id of a record already there (one a test or the seed inserted with an id of its choosing).
  let Id: string;
  do Id = newRecordId(String(SOBJECT_SCHEMAS[sobject]['x-key-prefix']), ++state.counter);
  while (state.store.objectOf(Id));
  return { ...generated(state, sobject), Id };
}

/** Applies a change to a record; an error reply, or undefined on success. */
export function updateRecord(
  state: SalesforceState,
  sobject: string,
  existing: Row,
  sent: Row,
): EmulatorReply | undefined {
  const invalid =
    checkFields(state, sobject, sent, existing) ??
    postedLockReply(state.store, sobject, existing, sent) ??
    usageLockReply(state.store, sobject, existing, sent);
  if (invalid) return invalid;
  const synced = withCountries(state, sobject, sent, existing);
  if ('reply' in synced) return synced.reply;
  const row = synced.row;
  state.store.update(sobject, String(existing.Id), canonicalReferences(state, sobject, row));
  return undefined;
}

/** The country fields of a write as an org with country picklists saves them (unchanged without). */
function withCountries(state: SalesforceState, sobject: string, row: Row, existing?: Row) {
  if (!state.countryPicklist) return { row };
  return syncCountries(state.countryPicklist, objectSchema(sobject, state).properties, row, existing);
}

/** Deletes a record (204), unless it is locked. */
export function deleteRecord(state: SalesforceState, sobject: string, existing: Row): EmulatorReply {
  const locked =
    postedLockReply(state.store, sobject, existing, undefined) ??
    usageLockReply(state.store, sobject, existing, undefined);
  if (locked) return locked;
  state.store.remove(sobject, String(existing.Id));
  return { status: 204 };
}

/** Picklist defaults and auto-numbers of a new record. */
function generated(state: SalesforceState, sobject: string): Row {
  const out: Row = {};
  for (const [name, def] of Object.entries(objectSchema(sobject, state).properties)) {
    if (def.default !== undefined) out[name] = def.default;
    const format = def['x-auto-number'];
    if (typeof format === 'string') {
      const next = (state.autoNumbers.get(sobject) ?? 0) + 1;
      state.autoNumbers.set(sobject, next);
      out[name] = format.replace(/\{(0+)\}/, (_, zeros: string) => String(next).padStart(zeros.length, '0'));
    }
  }
  return out;
}
