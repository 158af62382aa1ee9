/**
 * What one hot swap did, integration by integration, so that an operator can see it: which integrations were
 * added, changed (content hash differs), left alone, and removed. A removed integration stops consuming but its
 * stream data is kept (re-adding it resumes exactly where it stopped), so removals are worth a warning.
 */
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';

/** The difference between the set a process ran and the set it swapped to. */
export interface SwapReport {
  /** Commit of the set that was replaced. */
  from: string;
  /** Commit of the set now active. */
  to: string;
  added: string[];
  /** Same name, different content hash: switched between two events. */
  changed: string[];
  /** Same content hash: not disturbed. */
  unchanged: string[];
  /** No longer in the set: stopped consuming, stream data kept. */
  removed: string[];
  /**
   * Changed integrations whose `key` expression changed: each drains, its records' new events waiting behind their
   * events stored or parked under the old key (docs/runtime.md, "Changing an integration's key").
   */
  keyChanged: string[];
}

/** Compares two sets by integration name and content hash; every list is sorted. */
export function swapReport(previous: CompiledSpecSet, next: CompiledSpecSet): SwapReport {
  const report: SwapReport = {
    from: previous.commit,
    to: next.commit,
    added: [],
    changed: [],
    unchanged: [],
    removed: [],
    keyChanged: [],
  };
  for (const [name, integration] of next.integrations) {
    const before = previous.integrations.get(name);
    if (!before) report.added.push(name);
    else if (before.hash === integration.hash) report.unchanged.push(name);
    else report.changed.push(name);
    if (before && before.key.source.trim() !== integration.key.source.trim()) report.keyChanged.push(name);
  }
  for (const name of previous.integrations.keys()) if (!next.integrations.has(name)) report.removed.push(name);
  for (const list of [report.added, report.changed, report.unchanged, report.removed, report.keyChanged]) list.sort();
  return report;
}
