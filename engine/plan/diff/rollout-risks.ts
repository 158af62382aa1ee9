/**
 * Changes that are safe as data but need care in how they are rolled out on a live cluster. Today one: a changed
 * `key` expression. An event carries the key ingest computed, so after the change a record's new events run under
 * another key (and partition, and parking) than its events still stored or parked: the engines drain the change (the
 * new events wait behind the old ones), which delays them, and a few cases are not covered (docs/runtime.md).
 */
import type { CompiledSpecSet } from '../../compiler/compiled-spec.js';

export interface RolloutRisk {
  kind: 'key-changed';
  spec: string;
  /** The `key` expression at base and at head. */
  before: string;
  after: string;
  /** What to do about it, in one sentence. */
  advice: string;
}

export const KEY_CHANGE_ADVICE =
  "the engines keep each record's order by holding its new events behind those stored or parked under the old " +
  'key until none is left (junction status shows the drain); for no delay, stop what sends its events, wait ' +
  'until junction status shows lag 0 and nothing parked, then merge ' +
  '(docs/runtime.md, "Changing an integration\'s key")';

/** Integrations in both sets whose `key` expression differs (added and removed integrations have nothing stored). */
export function rolloutRisks(base: CompiledSpecSet | undefined, head: CompiledSpecSet): RolloutRisk[] {
  const risks: RolloutRisk[] = [];
  for (const [name, after] of head.integrations) {
    const before = base?.integrations.get(name);
    if (!before || keyText(before.key.source) === keyText(after.key.source)) continue;
    risks.push({
      kind: 'key-changed',
      spec: name,
      before: keyText(before.key.source),
      after: keyText(after.key.source),
      advice: KEY_CHANGE_ADVICE,
    });
  }
  return risks.sort((a, b) => a.spec.localeCompare(b.spec));
}

/** Compared without surrounding blanks: re-indenting a key is no change. */
function keyText(source: string): string {
  return source.trim();
}
