/**
 * What the record store (record-store.ts) reports and stamps: each committed change of one record, and the system
 * fields Salesforce maintains on every write (CreatedDate, LastModifiedDate, SystemModstamp: dateTimes in UTC, second
 * precision, written `2026-12-04T10:00:00.000+0000`). Polling reads SystemModstamp; Change Data Capture turns the
 * reports into change events.
 */
import type { Row } from './record-store.js';

/** The change types of gap events that name their record (Salesforce CDC guide, "Gap Events"). */
export type GapType = 'GAP_CREATE' | 'GAP_UPDATE' | 'GAP_DELETE' | 'GAP_UNDELETE';

/** One committed change of one record. */
export interface RecordChange {
  sobject: string;
  /**
   * GAP_OVERFLOW: the changes of a transaction beyond 100,000; GAP_CREATE, GAP_UPDATE, GAP_DELETE: a change Salesforce
   * could not describe (an event over 1 MB, an internal error, a change made in the database). Both header only
   * (`headerOnly`).
   */
  type: 'CREATE' | 'UPDATE' | 'DELETE' | GapType | 'GAP_OVERFLOW';
  id: string;
  /**
   * The event's `recordIds` when they are not `[id]`: `["000000000000000AAA"]` (the empty id) for an overflow event,
   * `["001*"]` (the object's key prefix and a wildcard) for a field type conversion that nulled a field in every
   * record.
   */
  recordIds?: string[];
  /** Only the header is sent, no record field (overflow events, field type conversions). */
  headerOnly?: boolean;
  /** The record after the change (before it, for a delete). */
  record: Row;
  /** Fields whose value changed (updates; LastModifiedDate included, as Salesforce reports it). */
  changed: string[];
  /** When it was committed (epoch ms). */
  at: number;
}

export const SYSTEM_FIELDS = ['CreatedDate', 'LastModifiedDate', 'SystemModstamp'] as const;

/** Formats epoch ms the way Salesforce REST writes a dateTime (the emulator's clock keeps whole seconds). */
export const salesforceDateTime = (ms: number) =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('Z', '+0000');

/** The fields of an update whose value changed, plus LastModifiedDate. */
export function changedFields(before: Row, after: Row): string[] {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const fields = Object.keys(after).filter((k) => !SYSTEM_FIELDS.includes(k as never) && !same(before[k], after[k]));
  return [...fields, 'LastModifiedDate'];
}
