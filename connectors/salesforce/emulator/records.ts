/**
 * Record writes with Salesforce's validation: unknown fields, required fields, field types, references, and the
 * seed's business rule — usage entries of a fulfilled contract are locked.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { newRecordId } from './state.js';
import type { Row, SalesforceState } from './state.js';

/** An error reply in Salesforce's array shape. */
export const sfError = (status: number, errorCode: string, message: string, fields: string[] = []): EmulatorReply => ({
  status,
  body: [{ message, errorCode, fields }],
});

/** Unknown fields, types and (on create) required fields, the Salesforce way. */
export function validateFields(sobject: string, row: Row, creating: boolean): EmulatorReply | undefined {
  const schema = SOBJECT_SCHEMAS[sobject] as
    { properties: Record<string, { type: string; format?: string }>; required: string[] } | undefined;
  if (!schema)
    return sfError(
      404,
      'NOT_FOUND',
      `The requested resource does not exist: sObject type '${sobject}' is not supported.`,
    );
  for (const [field, value] of Object.entries(row)) {
    const def = schema.properties[field];
    if (!def) return sfError(400, 'INVALID_FIELD', `No such column '${field}' on sobject of type ${sobject}`, [field]);
    if (value === null) continue;
    if (def.type === 'number' && typeof value !== 'number')
      return sfError(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of double from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:${field.length + 4}]`,
        [field],
      );
    if (def.type === 'boolean' && typeof value !== 'boolean')
      return sfError(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of boolean from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:${field.length + 4}]`,
        [field],
      );
    if (
      def.format === 'date' &&
      (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    )
      return sfError(
        400,
        'JSON_PARSER_ERROR',
        `Cannot deserialize instance of date from VALUE_STRING value ${JSON.stringify(value)} or request may be missing a required field at [line:1, column:${field.length + 4}]`,
        [field],
      );
  }
  if (creating) {
    const missing = schema.required.filter((f) => row[f] === undefined || row[f] === null || row[f] === '');
    if (missing.length)
      return sfError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
  }
  return undefined;
}

/** A contract is fulfilled by its status or its checkbox; from then on its usage entries are locked. */
export function isFulfilled(contract: Row | undefined): contract is Row {
  return contract?.Status === 'Fulfilled' || contract?.Fulfilled__c === true;
}

/** The usage-entry lock: an error reply when the change touches a fulfilled contract. */
export function lockedReply(
  state: SalesforceState,
  sobject: string,
  existing: Row | undefined,
  row: Row,
): EmulatorReply | undefined {
  if (sobject !== 'Usage_Entry__c') return undefined;
  const contractId = (row.Contract__c ?? existing?.Contract__c) as string | undefined;
  const contract = contractId ? state.records.get('Contract')!.get(contractId) : undefined;
  if (contractId && !contract)
    return sfError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${contractId}`, ['Contract__c']);
  if (!isFulfilled(contract)) return undefined;
  if (existing)
    return sfError(
      400,
      'ENTITY_IS_LOCKED',
      `entity is locked: usage entry ${String(existing.Id)} belongs to fulfilled contract ${String(contract.ContractNumber)}`,
    );
  return sfError(
    400,
    'FIELD_INTEGRITY_EXCEPTION',
    `Contract ${String(contract.ContractNumber)} is fulfilled: no new usage can be recorded on it`,
    ['Contract__c'],
  );
}

/** Creates a record (201) after validation. */
export function createRecord(state: SalesforceState, sobject: string, row: Row): EmulatorReply {
  const invalid = validateFields(sobject, row, true) ?? lockedReply(state, sobject, undefined, row);
  if (invalid) return invalid;
  const Id = newRecordId(state, sobject);
  state.records.get(sobject)!.set(Id, { ...row, Id });
  return { status: 201, body: { id: Id, success: true, errors: [] } };
}

/** Merges a change into a record; an error reply, or undefined on success. */
export function updateRecord(
  state: SalesforceState,
  sobject: string,
  existing: Row,
  row: Row,
): EmulatorReply | undefined {
  const invalid = validateFields(sobject, row, false) ?? lockedReply(state, sobject, existing, row);
  if (invalid) return invalid;
  state.records.get(sobject)!.set(String(existing.Id), { ...existing, ...row, Id: existing.Id });
  return undefined;
}
