/** `junction backfill` output: the progress line (count, rate, ETA) and the dry run's per-record plan. */
import type { DryRunResult } from '../../plan/dry-run.js';
import type { BackfillProgress } from '../../ops/backfill/run-backfill.js';
import { perSecond, progressMeter } from './progress-meter.js';

/** `[######------]  250/500  83/s  ETA 3s  (stored …)` (without a total: `250 records  83/s  (stored …)`). */
export function progressLine(p: BackfillProgress, elapsedMs: number): string {
  const done = p.stored + p.duplicates + p.filtered;
  const rate = perSecond(done, elapsedMs);
  const counts = `stored ${p.stored}, already stored ${p.duplicates}${p.filtered ? `, filtered out ${p.filtered}` : ''}`;
  if (p.pending === undefined) return `${progressMeter(done, undefined, rate)}  (${counts})`;
  return `${progressMeter(p.listed, p.listed + p.pending, rate)}  (${counts})`;
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
