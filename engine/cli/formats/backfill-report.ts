/** `junction backfill` output: the progress line (count, rate, ETA) and the dry run's per-record plan. */
import type { DryRunResult } from '../../plan/dry-run.js';
import type { BackfillProgress } from '../../ops/backfill/run-backfill.js';

/** `[######------]  250/500  83/s  ETA 3s` (without a total: `250 stored  83/s`). */
export function progressLine(p: BackfillProgress, elapsedMs: number): string {
  const done = p.stored + p.duplicates + p.filtered;
  const rate = elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const counts = `stored ${p.stored}, already stored ${p.duplicates}${p.filtered ? `, filtered out ${p.filtered}` : ''}`;
  if (p.pending === undefined) return `${done} records  ${rate.toFixed(0)}/s  (${counts})`;
  const total = p.listed + p.pending;
  const width = 24;
  const filled = total === 0 ? width : Math.round((p.listed / total) * width);
  const eta = rate > 0 ? `ETA ${Math.ceil(p.pending / rate)}s` : 'ETA –';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${p.listed}/${total}  ${rate.toFixed(0)}/s  ${eta}  (${counts})`;
}

/** One listed record's dry-run plan: its outcome and each request it would send. */
export function formatRecordPlan(key: string, plan: DryRunResult): string {
  const outcome =
    plan.outcome === 'failed'
      ? `would ${plan.failure?.action === 'retry' ? 'wait/retry' : 'fail'}: ${plan.failure?.code}: ${plan.failure?.message}`
      : plan.outcome === 'skipped'
        ? `skipped (${plan.skippedReason ?? 'when'})`
        : `would be ${plan.outcome === 'delivered' ? 'written' : plan.outcome}`;
  const lines = [`record ${key}  ${outcome}`];
  for (const r of plan.requests) {
    lines.push(`  ${r.method} ${r.path}`);
    if (r.body !== undefined) lines.push(`    ${JSON.stringify(r.body)}`);
  }
  return lines.join('\n') + '\n';
}
