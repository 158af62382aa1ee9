/**
 * Records that cannot change: FinancialForce posted documents (the schema's `x-posted-lock`), and the service app's
 * rule that a fulfilled contract's usage entries are locked, whichever contract the change names.
 */
import type { EmulatorReply } from '../../../engine/sdk/index.js';
import type { PostedLock } from '../schemas/sobject-schema.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { sfError } from './field-rules.js';
import { canonicalId } from './record-ids.js';
import type { RecordStore, Row } from './record-store.js';

/**
 * A posted FinancialForce document (or a line of one) accepts changes to its amendable fields only, and no new or
 * deleted lines. Certinia documents the rule (Amend Document) but not the API's error, so the code and text here are
 * the emulator's own: FIELD_CUSTOM_VALIDATION_EXCEPTION, which is how a managed package's validation surfaces.
 */
export function postedLockReply(
  store: RecordStore,
  sobject: string,
  existing: Row | undefined,
  row: Row | undefined,
): EmulatorReply | undefined {
  const lock = lockOf(sobject);
  if (!lock) return undefined;
  if (
    lock.status_field &&
    row &&
    lock.statuses[String(row[lock.status_field])] &&
    row[lock.status_field] !== existing?.[lock.status_field]
  )
    return sfError(
      400,
      'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      `[emulator] ${lock.status_field} becomes ${String(row[lock.status_field])} by posting in FinancialForce (Post, background posting, the Apex API), not by an update`,
      [lock.status_field],
    );
  const headObject = lock.via ? referenceTarget(sobject, lock.via) : sobject;
  const head = lock.via ? store.get(headObject!, { ...existing, ...row }[lock.via]) : existing;
  const statusField = headObject && lockOf(headObject)?.status_field;
  const status = head && statusField ? String(head[statusField]) : undefined;
  const amendable = status === undefined ? undefined : lock.statuses[status];
  if (!amendable) return undefined;
  const what = lock.via ? `a line of a ${status} document` : `a ${status} document`;
  if (!existing || !row)
    return sfError(400, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', `[emulator] ${what} cannot be added or removed`);
  const changed = Object.keys(row).filter((f) => !amendable.includes(f) && !sameValue(row[f], existing[f]));
  if (changed.length === 0) return undefined;
  return sfError(
    400,
    'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    `[emulator] ${what} can only be amended in ${amendable.length ? amendable.join(', ') : 'no field'}; not ${changed.join(', ')}`,
    changed,
  );
}

/** A value written again unchanged is no amendment: a lookup id in its 15-character form is the stored 18. */
const sameValue = (sent: unknown, stored: unknown) =>
  sent === stored || (canonicalId(sent) !== undefined && canonicalId(sent) === canonicalId(stored));

const lockOf = (sobject: string) => SOBJECT_SCHEMAS[sobject]?.['x-posted-lock'] as PostedLock | undefined;

/** The status field that posting sets to Complete on a FinancialForce document head; undefined for other objects. */
export const postingStatusField = (sobject: string): string | undefined => lockOf(sobject)?.status_field;

function referenceTarget(sobject: string, field: string): string | undefined {
  const properties = SOBJECT_SCHEMAS[sobject].properties as Record<string, { 'x-reference-to'?: string[] }>;
  return properties[field]?.['x-reference-to']?.[0];
}

/** A contract is fulfilled by its status or its checkbox; from then on its usage entries are locked. */
export function isFulfilled(contract: Row | undefined): contract is Row {
  return contract?.Status === 'Fulfilled' || contract?.Fulfilled__c === true;
}

/**
 * The usage-entry lock: an entry on a fulfilled contract cannot change (not even to move it to another contract),
 * and no entry can be put on a fulfilled contract.
 */
export function usageLockReply(
  store: RecordStore,
  sobject: string,
  existing: Row | undefined,
  row: Row | undefined,
): EmulatorReply | undefined {
  if (sobject !== 'Usage_Entry__c') return undefined;
  const current = existing && store.get('Contract', existing.Contract__c);
  if (existing && isFulfilled(current))
    return sfError(
      400,
      'ENTITY_IS_LOCKED',
      `entity is locked: usage entry ${String(existing.Id)} belongs to fulfilled contract ${String(current.ContractNumber)}`,
    );
  const target = row?.Contract__c === undefined ? undefined : store.get('Contract', row.Contract__c);
  if (!isFulfilled(target)) return undefined;
  return sfError(
    400,
    'FIELD_INTEGRITY_EXCEPTION',
    `Contract ${String(target.ContractNumber)} is fulfilled: no new usage can be recorded on it`,
    ['Contract__c'],
  );
}
