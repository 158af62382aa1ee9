/**
 * The pairing rule of `junction xref match`, as data: a source record is linked to a target record only when their
 * natural key is the same and neither side has another record with that key. Everything else is reported, never
 * guessed: keys two records share on one side (ambiguous), records with no partner (missing), records without a key,
 * and pairs that contradict a link already stored (conflict).
 */
import type { XrefEntry } from '../../runtime/stores/xref-store.js';

/** One listed record: its id and its natural key (undefined when the record has none). */
export interface KeyedRecord {
  id: string;
  key?: string;
}

export interface Pairing {
  /** One source record and one target record with the same key. */
  pairs: (XrefEntry & { key: string })[];
  /** A key several records share (on either side): none of them is linked. */
  ambiguous: { key: string; sourceIds: string[]; targetIds: string[] }[];
  /** Source records with a key that no target record has. */
  missingTarget: { key: string; sourceId: string }[];
  /** Target records with a key that no source record has. */
  missingSource: { key: string; targetId: string }[];
  /** Records without a natural key, by side. */
  noKey: { side: 'source' | 'target'; id: string }[];
  /** Pairs whose target id is already linked to another source id of the map: left alone. */
  targetTaken: (XrefEntry & { key: string; linkedFrom: string })[];
}

export function pairByKey(
  map: string,
  sources: KeyedRecord[],
  targets: KeyedRecord[],
  existing: readonly XrefEntry[],
): Pairing {
  const result: Pairing = {
    pairs: [],
    ambiguous: [],
    missingTarget: [],
    missingSource: [],
    noKey: [],
    targetTaken: [],
  };
  const bySource = groupByKey(sources, 'source', result);
  const byTarget = groupByKey(targets, 'target', result);
  const linkedFrom = new Map(existing.map((e) => [e.targetId, e.sourceId]));
  for (const [key, sourceIds] of bySource) {
    const targetIds = byTarget.get(key) ?? [];
    if (targetIds.length === 0) {
      for (const sourceId of sourceIds) result.missingTarget.push({ key, sourceId });
    } else if (sourceIds.length > 1 || targetIds.length > 1) {
      result.ambiguous.push({ key, sourceIds, targetIds });
    } else {
      const pair = { map, sourceId: sourceIds[0], targetId: targetIds[0], key };
      const other = linkedFrom.get(pair.targetId);
      if (other !== undefined && other !== pair.sourceId) result.targetTaken.push({ ...pair, linkedFrom: other });
      else result.pairs.push(pair);
    }
  }
  for (const [key, targetIds] of byTarget)
    if (!bySource.has(key)) for (const targetId of targetIds) result.missingSource.push({ key, targetId });
  return result;
}

/** Ids by key, in listing order; a record listed twice (same id) counts once. Records without a key go to noKey. */
function groupByKey(records: KeyedRecord[], side: 'source' | 'target', result: Pairing): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const { id, key } of records) {
    if (seen.has(id)) continue;
    seen.add(id);
    if (key === undefined) result.noKey.push({ side, id });
    else groups.set(key, [...(groups.get(key) ?? []), id]);
  }
  return groups;
}
