/** `junction reconcile` output: a table for people, markdown for a ticket or PR, JSON for tools. */
import type { ReconcileProgress, ReconcileReport } from '../../ops/reconcile/run-reconcile.js';
import type { RECONCILE_FORMATS } from '../commands/reconcile.js';
import { perSecond, progressMeter } from './progress-meter.js';
import { formatTable } from './table.js';
import { withoutRecords } from '../../runtime/control/reconcile-reports.js';

export type ReconcileFormat = (typeof RECONCILE_FORMATS)[number];

function reconcileSummary(r: ReconcileReport): string {
  const scope = r.scope === 'all' ? `all ${r.listed} records` : `a sample of ${r.checked} of ${r.listed} records`;
  return `reconcile ${r.integration} (${scope}): ${countsText(r.counts)}`;
}

function countsText(c: ReconcileReport['counts']): string {
  return `${c.match} match, ${c.differs} differ, ${c.missing} missing, ${c.skipped} skipped, ${c.error} errors`;
}

/**
 * The progress line on stderr. Comparing: `[####----]  40/100  13/s  ETA 5s  (38 match, …)`, or with every record
 * `40 records  13/s  (38 match, …)`; drawing a sample: `1200 records  400/s  (listing, then 100 are compared)`.
 * `elapsedMs` counts from the phase's start (a sample's comparisons from the end of the listing), so the ETA is the
 * comparisons'.
 */
export function reconcileProgressLine(p: ReconcileProgress, sample: number | undefined, elapsedMs: number): string {
  if (sample !== undefined && p.total === undefined)
    return `${progressMeter(p.listed, undefined, perSecond(p.listed, elapsedMs))}  (listing, then ${sample} are compared)`;
  return `${progressMeter(p.checked, p.total, perSecond(p.checked, elapsedMs))}  (${countsText(p.counts)})`;
}

/** One row per target record that is missing or differs, one per differing field. */
function rows(r: ReconcileReport): string[][] {
  const out: string[][] = [];
  for (const p of r.problems) {
    if (p.outcome === 'error' || (p.outcome === 'missing' && p.steps.length === 0))
      out.push([p.outcome, p.key, '', p.error ?? '']);
    for (const s of p.steps) {
      if (s.status === 'missing') out.push(['missing', p.key, s.target, '']);
      for (const d of s.differences ?? [])
        out.push([
          'differs',
          p.key,
          s.target,
          `${d.field}: ${show(d.expected)} expected, target has ${show(d.actual)}`,
        ]);
    }
  }
  return out;
}

export function formatReconcile(r: ReconcileReport, format: ReconcileFormat): string {
  if (format === 'json') return JSON.stringify(withoutRecords(r), null, 2) + '\n';
  if (format === 'markdown') {
    const lines = [`### ${reconcileSummary(r)}`, ''];
    const table = rows(r);
    if (table.length) {
      lines.push('| | key | target record | difference |', '|---|---|---|---|');
      for (const row of table) lines.push(`| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
    }
    return lines.join('\n') + '\n';
  }
  return `${reconcileSummary(r)}\n${formatTable(rows(r))}`;
}

const show = (value: unknown) => (value === null || value === undefined ? 'nothing' : JSON.stringify(value));
