/**
 * Cross-references in and out as CSV: an import reads two named columns of an existing mapping (the old iPaaS's
 * export, a spreadsheet), refusing rows it cannot trust; an export writes RFC 4180 CSV.
 */
import { parseCsv } from '../../compiler/csv.js';
import type { XrefEntry } from '../../runtime/stores/xref-store.js';

interface CsvImport {
  entries: XrefEntry[];
  /** Rows that cannot be imported, with their 1-based line and why. */
  rejected: { line: number; reason: string }[];
}

export function readXrefCsv(
  text: string,
  map: string,
  columns: { source: string; target: string },
): CsvImport | { error: string } {
  const rows = parseCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length === 0) return { error: 'the file is empty' };
  const header = rows[0].map((h) => h.trim());
  const source = header.indexOf(columns.source);
  const target = header.indexOf(columns.target);
  const missing = [columns.source, columns.target].filter((c, i) => [source, target][i] < 0);
  if (missing.length > 0)
    return {
      error: `no column ${missing.map((m) => JSON.stringify(m)).join(' or ')} in the header (${header.join(', ')}); name them with --source-column and --target-column`,
    };
  const entries: XrefEntry[] = [];
  const rejected: CsvImport['rejected'] = [];
  const seen = new Map<string, { targetId: string; line: number }>();
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const sourceId = (row[source] ?? '').trim();
    const targetId = (row[target] ?? '').trim();
    if (!sourceId || !targetId)
      return void rejected.push({ line, reason: `empty ${!sourceId ? columns.source : columns.target}` });
    const before = seen.get(sourceId);
    if (before && before.targetId !== targetId)
      return void rejected.push({
        line,
        reason: `${sourceId} maps to ${targetId} here and to ${before.targetId} on line ${before.line}`,
      });
    if (before) return;
    seen.set(sourceId, { targetId, line });
    entries.push({ map, sourceId, targetId });
  });
  // A source id mapped twice differently is ambiguous: neither row is imported.
  const ambiguous = new Set(rejected.filter((r) => / maps to /.test(r.reason)).map((r) => r.reason.split(' ')[0]));
  return { entries: entries.filter((e) => !ambiguous.has(e.sourceId)), rejected };
}

export function writeXrefCsv(entries: readonly XrefEntry[], withMap: boolean): string {
  const header = withMap ? ['map', 'source_id', 'target_id'] : ['source_id', 'target_id'];
  const lines = entries.map((e) => (withMap ? [e.map, e.sourceId, e.targetId] : [e.sourceId, e.targetId]));
  return [header, ...lines].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
