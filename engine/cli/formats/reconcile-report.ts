/** `junction reconcile` output: a table for people, markdown for a ticket or PR, JSON for tools. */
import type { ReconcileReport } from '../../ops/reconcile/run-reconcile.js';
import type { RECONCILE_FORMATS } from '../commands/reconcile.js';
import { formatTable } from './table.js';
import { withoutRecords } from '../../runtime/control/reconcile-reports.js';

export type ReconcileFormat = (typeof RECONCILE_FORMATS)[number];

export function reconcileSummary(r: ReconcileReport): string {
  const scope = r.scope === 'all' ? `all ${r.listed} records` : `a sample of ${r.checked} of ${r.listed} records`;
  const c = r.counts;
  return `reconcile ${r.integration} (${scope}): ${c.match} match, ${c.differs} differ, ${c.missing} missing, ${c.skipped} skipped, ${c.error} errors`;
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
