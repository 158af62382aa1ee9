/**
 * The latest reconcile report per integration, kept in the control bucket (`reconcile.<integration>`) by
 * `junction reconcile` and by the engine's schedule, without the source records: what the dashboard shows
 * (`GET /api/reconcile`) and what the `junction_reconcile_records` metrics count.
 */
import type { KV } from '@nats-io/kv';
import type { RecordComparison } from '../../ops/reconcile/compare-record.js';
import type { ReconcileReport } from '../../ops/reconcile/run-reconcile.js';
import { listLiveEntries } from '../broker/kv-listing.js';

export type StoredReconcileReport = Omit<ReconcileReport, 'problems'> & {
  problems: Omit<RecordComparison, 'record'>[];
};

/** At most this many problems are kept per report (the counts are always whole). */
const KEPT = 200;

/** The report without the source records (and, with `limit`, at most that many problems). */
export function withoutRecords(report: ReconcileReport, limit = Infinity): StoredReconcileReport {
  return { ...report, problems: report.problems.slice(0, limit).map(({ record: _record, ...rest }) => rest) };
}

export async function storeReconcileReport(control: KV, report: ReconcileReport): Promise<void> {
  await control.put(`reconcile.${report.integration}`, JSON.stringify(withoutRecords(report, KEPT)));
}

export async function reconcileReports(control: KV): Promise<StoredReconcileReport[]> {
  const entries = await listLiveEntries(control, 'reconcile.*');
  return entries.map((e) => e.json<StoredReconcileReport>()).sort((a, b) => a.integration.localeCompare(b.integration));
}
