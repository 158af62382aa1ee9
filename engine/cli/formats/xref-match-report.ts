/**
 * `junction xref match` output: one row per link written (or, with --dry-run, to be written) and per record it did
 * not link and why, then the counts; or the whole report as JSON for tools.
 */
import type { MatchReport } from '../../ops/xref/match-xrefs.js';
import { formatTable } from './table.js';

export function formatMatch(r: MatchReport, format: 'table' | 'json', dryRun: boolean): string {
  if (format === 'json') return JSON.stringify({ dryRun, ...r }, null, 2) + '\n';
  const keyOf = new Map(r.pairs.map((p) => [p.sourceId, p.key]));
  const rows: string[][] = [
    ...r.write.created.map((e) => ['linked', e.sourceId, e.targetId, keyOf.get(e.sourceId) ?? '']),
    ...r.write.changed.map((e) => [
      'relinked',
      e.sourceId,
      e.targetId,
      `${keyOf.get(e.sourceId) ?? ''} (was ${e.previous})`,
    ]),
    ...r.write.conflicts.map((e) => [
      'conflict',
      e.sourceId,
      e.targetId,
      `${keyOf.get(e.sourceId) ?? ''}: stored ${e.existing} (--overwrite replaces it)`,
    ]),
    ...r.targetTaken.map((e) => [
      'taken',
      e.sourceId,
      e.targetId,
      `${e.key}: target already linked from ${e.linkedFrom}`,
    ]),
    ...r.ambiguous.map((a) => [
      'ambiguous',
      a.sourceIds.join(','),
      a.targetIds.join(','),
      `${a.key}: ${a.sourceIds.length} source and ${a.targetIds.length} target records`,
    ]),
    ...r.missingTarget.map((m) => ['no target', m.sourceId, '', m.key]),
    ...r.missingSource.map((m) => ['no source', '', m.targetId, m.key]),
    ...r.noKey.map((n) => ['no key', n.side === 'source' ? n.id : '', n.side === 'target' ? n.id : '', '']),
  ];
  return (
    formatTable(rows, rows.length ? ['', 'source id', 'target id', 'key'] : undefined) + matchSummary(r, dryRun) + '\n'
  );
}

function matchSummary(r: MatchReport, dryRun: boolean): string {
  const w = r.write;
  return [
    `${dryRun ? 'dry run, nothing written: ' : ''}xref match ${r.map} (${r.integration}): ${r.sourceListed} source and ${r.targetListed} target records`,
    `${dryRun ? 'would link' : 'linked'} ${w.created.length + w.changed.length} (${w.unchanged.length} already linked, ${w.conflicts.length} conflicts, ${r.targetTaken.length} taken)`,
    `not linked: ${r.ambiguous.length} ambiguous keys, ${r.missingTarget.length} without a target, ${r.missingSource.length} without a source, ${r.noKey.length} without a key`,
  ].join('; ');
}
