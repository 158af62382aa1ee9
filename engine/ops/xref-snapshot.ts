/**
 * The cross-references a one-off command reads (`junction backfill`, `junction reconcile`), copied from the
 * cluster's store once: `$xref` inside JSONata is synchronous, and these commands keep no live replica.
 */
import type { ExecutionState } from '../execute/execution-types.js';
import type { XrefStore } from '../runtime/stores/xref-store.js';

/** Map -> source id -> target id. */
export type XrefSnapshot = Record<string, Record<string, string>>;

export async function xrefSnapshot(store: XrefStore, maps: readonly string[]): Promise<XrefSnapshot> {
  const snapshot: XrefSnapshot = {};
  for (const map of maps)
    snapshot[map] = Object.fromEntries((await store.list(map)).map((e) => [e.sourceId, e.targetId]));
  return snapshot;
}

/** Reads a snapshot as `$xref` does; these commands write no cross-reference themselves. */
export function snapshotReader(snapshot: XrefSnapshot): ExecutionState['xref'] {
  return { get: (map, id) => snapshot[map]?.[id], set: async () => undefined };
}
