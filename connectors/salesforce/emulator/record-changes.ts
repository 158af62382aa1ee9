/**
 * Every write to the emulator's org, seen in one place: each object's table is a Map whose `set` and `delete` stamp
 * the system fields Salesforce maintains (CreatedDate, LastModifiedDate, SystemModstamp: dateTimes in UTC, second
 * precision, written `2026-12-04T10:00:00.000+0000`) and report the change. Polling reads SystemModstamp; Change
 * Data Capture (pubsub-emulator.ts) turns the reports into change events. REST writes, composite and test controls
 * all go through these tables, so nothing escapes.
 */
import type { Row, SalesforceState } from './state.js';

/** One committed change of one record. */
export interface RecordChange {
  sobject: string;
  type: 'CREATE' | 'UPDATE' | 'DELETE';
  id: string;
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

/**
 * Replaces each table of `state` with one that stamps and reports; existing rows (the seed) are stamped without a
 * report. `now` is the emulator's clock.
 */
export function observeRecords(state: SalesforceState, now: () => number, report: (change: RecordChange) => void) {
  for (const [sobject, table] of state.records) {
    const observed = new ObservedTable(sobject, now, report);
    for (const [id, row] of table) observed.seed(id, row);
    state.records.set(sobject, observed);
  }
}

class ObservedTable extends Map<string, Row> {
  constructor(
    private readonly sobject: string,
    private readonly now: () => number,
    private readonly report: (change: RecordChange) => void,
  ) {
    super();
  }

  seed(id: string, row: Row): void {
    const stamp = salesforceDateTime(this.now());
    super.set(id, { ...row, CreatedDate: stamp, LastModifiedDate: stamp, SystemModstamp: stamp });
  }

  override set(id: string, row: Row): this {
    // Map's constructor calls set() before our fields exist; nothing to observe then.
    if (!this.report) return super.set(id, row);
    const at = this.now();
    const stamp = salesforceDateTime(at);
    const before = super.get(id);
    const record: Row = {
      ...row,
      CreatedDate: before?.CreatedDate ?? stamp,
      LastModifiedDate: stamp,
      SystemModstamp: stamp,
    };
    super.set(id, record);
    const diff = before ? Object.keys(record).filter((k) => !SYSTEM_FIELDS.includes(k as never)) : [];
    const changed = before ? [...diff.filter((k) => !sameValue(before[k], record[k])), 'LastModifiedDate'] : [];
    this.report({ sobject: this.sobject, type: before ? 'UPDATE' : 'CREATE', id, record, changed, at });
    return this;
  }

  override delete(id: string): boolean {
    const before = super.get(id);
    const deleted = super.delete(id);
    if (before && this.report)
      this.report({ sobject: this.sobject, type: 'DELETE', id, record: before, changed: [], at: this.now() });
    return deleted;
  }
}

const sameValue = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
