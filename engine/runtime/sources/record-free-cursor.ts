/**
 * Whether a schedule source's `cursor` reads nothing of the record, as `$now()` (the time of the poll) does. Such a
 * record carries no change stamp of its own (M3's customer and supplier lists), so its content alone cannot tell a
 * change back to an earlier content from that earlier content polled again: its event id also names the position it
 * was polled from (schedule-poller.ts). Decided from the expression's syntax tree: no field path, no `$` or `$$`.
 * Without a tree (an engine that gives none) the answer is no, as before this existed.
 */
import type { CompiledExpression } from '../../transform/transform-engine.js';

const DECIDED = new WeakMap<CompiledExpression, boolean>();

/** Node types that read the record (or part of it). */
const READS_RECORD = new Set(['path', 'name', 'wildcard', 'descendant', 'parent']);

export function cursorReadsNoRecord(cursor: CompiledExpression): boolean {
  let decided = DECIDED.get(cursor);
  if (decided === undefined) {
    decided = readsNoRecord(cursor.ast?.());
    DECIDED.set(cursor, decided);
  }
  return decided;
}

function readsNoRecord(ast: unknown): boolean {
  if (ast === undefined) return false;
  const stack: unknown[] = [ast];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node)) {
      stack.push(...node);
      continue;
    }
    const { type, value } = node as { type?: unknown; value?: unknown };
    if (READS_RECORD.has(type as string)) return false;
    // `$` is the record, `$$` the input (the record too).
    if (type === 'variable' && (value === '' || value === '$')) return false;
    // Own keys only: jsonata-js's nodes inherit their parser symbol's (`id`, `lbp`, `nud`).
    stack.push(...Object.values(node));
  }
  return true;
}
