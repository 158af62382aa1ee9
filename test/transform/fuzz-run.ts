/**
 * Runs generated cases (fuzz-generator.ts) on Junction's engine and jsonata-js and groups the disagreements by
 * grammar area. Used by `npm run fuzz:jsonata` (100k+ cases) and by the seeded CI sample.
 */
import type { LoadedCase, Outcome } from './corpus/corpus-cases.js';
import { runJunction, runReference, sameOutcome, show } from './corpus/corpus-cases.js';
import { deviationFor } from './corpus/deviations.js';
import { Gen, genCase, prng } from './fuzz-generator.js';

interface FuzzReport {
  cases: number;
  agreed: number;
  /** Disagreements per area: the count and the first few examples. */
  byArea: Map<string, { count: number; examples: string[] }>;
}

/**
 * jsonata-js's garbled $formatNumber output: NaN/Infinity ("-NaN.00"), an unrenormalised mantissa ("10.00e1"), also
 * upper-cased or inside a list or object.
 */
const GARBLED_NUMBER = /NaN|(^|\D)10\.\d*[eE]/;

/**
 * Known deviations the generator can produce that the expression alone tells (docs/jsonata-engine.md,
 * "Deviations"). jsonata-js is not run on these: on some it never returns (`$formatNumber(n / 0, "0.00e0")` loops
 * renormalising an infinite mantissa), and nothing can stop a synchronous evaluation in this process.
 */
function documentedExpression(expr: string): boolean {
  // NaN or an infinity formatted, whatever is done with the text afterwards
  if (expr.includes('$formatNumber') && /[%/] 0\b/.test(expr)) return true;
  // an update object with a `__proto__` key: an own key for Junction, a new prototype for jsonata-js
  // and $fromMillis with a negative half-hour offset: jsonata-js shifts the time by an hour
  return deviationFor(expr) !== undefined || /\| \{"__proto__": \{"p": 1\}\}/.test(expr) || expr.includes('"-0530"');
}

/** A known deviation seen in jsonata-js's result: its garbled $formatNumber text. */
function documentedResult(expr: string, ref: Outcome): boolean {
  return expr.includes('$formatNumber') && 'value' in ref && GARBLED_NUMBER.test(JSON.stringify(ref.value) ?? '');
}

export async function fuzz(count: number, seed: number, onProgress?: (done: number) => void): Promise<FuzzReport> {
  const g = new Gen(prng(seed));
  const report: FuzzReport = { cases: count, agreed: 0, byArea: new Map() };
  for (let i = 0; i < count; i++) {
    const { area, expr, data } = genCase(g);
    const c: LoadedCase = { id: `${seed}#${i}`, expr, input: data };
    // jsonata-js is not run on a deviation the expression tells (it may never return)
    if (documentedExpression(expr)) report.agreed++;
    else {
      const ours = runJunction(c);
      const ref = await runReference(c);
      if (sameOutcome(ours, ref) || documentedResult(expr, ref)) report.agreed++;
      else {
        const entry = report.byArea.get(area) ?? { count: 0, examples: [] };
        entry.count++;
        if (entry.examples.length < 5)
          entry.examples.push(
            `#${i} ${expr}\n      data: ${JSON.stringify(data)}\n      jsonata-js: ${show(ref)}\n      junction:   ${show(ours)}`,
          );
        report.byArea.set(area, entry);
      }
    }
    if (onProgress && (i + 1) % 10_000 === 0) onProgress(i + 1);
  }
  return report;
}

export function formatReport(r: FuzzReport): string {
  const lines: string[] = [];
  for (const [area, { count, examples }] of [...r.byArea].sort((a, b) => b[1].count - a[1].count)) {
    lines.push(`== ${area}: ${count} disagreement(s)`);
    for (const e of examples) lines.push(`  ${e}`);
  }
  lines.push(`${r.agreed} passed, ${r.cases - r.agreed} failed`);
  return lines.join('\n');
}
