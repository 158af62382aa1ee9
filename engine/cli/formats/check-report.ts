/** `junction check` output: a table for people (problems first), one JSON document for tools. */
import type { CheckRow } from '../../ops/check/run-checks.js';
import { formatTable } from './table.js';

export function formatCheckRows(rows: readonly CheckRow[], format: 'stylish' | 'json'): string {
  const problems = rows.filter((r) => r.status === 'problem').length;
  if (format === 'json') return JSON.stringify({ ok: problems === 0, problems, rows }) + '\n';
  const rank = (r: CheckRow) => (r.status === 'problem' ? 0 : 1);
  const sorted = [...rows].sort((a, b) => rank(a) - rank(b));
  return formatTable(sorted.map((r) => [r.kind, r.name, r.check, r.status, r.message]));
}

/** The one-line verdict for stderr. */
export function checkVerdict(rows: readonly CheckRow[]): string {
  const problems = rows.filter((r) => r.status === 'problem');
  if (problems.length === 0) return '✓ no problems\n';
  const count = (kind: CheckRow['kind']) => new Set(problems.filter((r) => r.kind === kind).map((r) => r.name)).size;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `✗ ${plural(problems.length, 'problem')} in ${plural(count('connection'), 'connection')} and ${plural(count('integration'), 'integration')}\n`;
}
