/** Finds where a JSON path (as ajv or our checks report it) stands in the YAML source, as 1-based line:col. */
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node, Pair } from 'yaml';
import type { SpecFile } from './spec-file.js';

export type JsonPath = readonly (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** Position of the value at `path`, or of its nearest existing ancestor. */
export function valuePosition(spec: SpecFile, path: JsonPath): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = spec.doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node && typeof node === 'object' && node.range) return toPosition(spec, node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Position of the key `key` in the mapping at `path` (for unknown properties); falls back to the mapping. */
export function keyPosition(spec: SpecFile, path: JsonPath, key: string): Position {
  const pair = findPair(spec, path, key);
  const keyNode = pair?.key as Node | undefined;
  if (keyNode?.range) return toPosition(spec, keyNode.range[0]);
  return valuePosition(spec, path);
}

/** The YAML node at `path`, when it exists. */
export function nodeAt(spec: SpecFile, path: JsonPath): Node | undefined {
  const node = spec.doc.getIn(path, true);
  return node && typeof node === 'object' && (isScalar(node) || isMap(node) || isSeq(node))
    ? (node as Node)
    : undefined;
}

export function toPosition(spec: SpecFile, offset: number): Position {
  return spec.lineCounter.linePos(offset);
}

function findPair(spec: SpecFile, path: JsonPath, key: string): Pair | undefined {
  const parent = path.length === 0 ? spec.doc.contents : spec.doc.getIn(path, true);
  if (!isMap(parent)) return undefined;
  return parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === key);
}
