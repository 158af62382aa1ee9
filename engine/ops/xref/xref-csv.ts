/** Cross-references out as CSV (`junction xref export`): RFC 4180, which `junction xref import` reads back. */
import type { XrefEntry } from '../../runtime/stores/xref-store.js';

export function writeXrefCsv(entries: readonly XrefEntry[], withMap: boolean): string {
  const header = withMap ? ['map', 'source_id', 'target_id'] : ['source_id', 'target_id'];
  const lines = entries.map((e) => (withMap ? [e.map, e.sourceId, e.targetId] : [e.sourceId, e.targetId]));
  return [header, ...lines].map((cells) => cells.map(csvCell).join(',')).join('\n') + '\n';
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
