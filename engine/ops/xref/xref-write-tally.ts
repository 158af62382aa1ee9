/**
 * What a bulk write of cross-references did, as the audit trail keeps it: the counts, and the links created or
 * changed up to 1000 (an import of a million rows is audited without holding a million links).
 */
import type { XrefWriteReport } from '../../runtime/stores/xref-store.js';

const MAX_AUDITED_LINKS = 1000;

export interface XrefWriteTally {
  created: number;
  changed: number;
  unchanged: number;
  conflicts: number;
  /** `[source id, target id]` created, `[source id, target id, previous]` changed, the first 1000. */
  links: string[][];
  /** Links created or changed beyond the first 1000. */
  linksOmitted: number;
}

export const emptyTally = (): XrefWriteTally => ({
  created: 0,
  changed: 0,
  unchanged: 0,
  conflicts: 0,
  links: [],
  linksOmitted: 0,
});

/** Adds one write's report to `tally`. */
export function addToTally(tally: XrefWriteTally, report: XrefWriteReport): XrefWriteTally {
  tally.created += report.created.length;
  tally.changed += report.changed.length;
  tally.unchanged += report.unchanged.length;
  tally.conflicts += report.conflicts.length;
  const links = [
    ...report.created.map((e) => [e.sourceId, e.targetId]),
    ...report.changed.map((e) => [e.sourceId, e.targetId, e.previous]),
  ];
  const kept = links.slice(0, MAX_AUDITED_LINKS - tally.links.length);
  tally.links.push(...kept);
  tally.linksOmitted += links.length - kept.length;
  return tally;
}

/** The audit entry's detail of a tally (`linksOmitted` only when some were). */
export function auditDetail({ linksOmitted, ...rest }: XrefWriteTally): Record<string, unknown> {
  return { ...rest, ...(linksOmitted > 0 ? { linksOmitted } : {}) };
}
