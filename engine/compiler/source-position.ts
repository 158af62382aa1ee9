/**
 * Finds where a JSON path (as ajv or our checks report it) stands in the YAML source, as 1-based line:col. The path
 * is that of the parsed value, so it is followed through aliases (`*name`) and merge keys (`<<: *name`) to the text
 * that really holds the value: the anchored node.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Alias, Node, Pair, YAMLMap } from 'yaml';
import type { SpecFile } from './spec-file.js';

export type JsonPath = readonly (string | number)[];

interface Position {
  line: number;
  col: number;
}

/** Position of the value at `path`, or of its nearest existing ancestor. */
export function valuePosition(spec: SpecFile, path: JsonPath): Position {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = nodeIn(spec, path.slice(0, depth));
    if (node?.range) return toPosition(spec, node.range[0]);
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
  const node = nodeIn(spec, path);
  return isScalar(node) || isMap(node) || isSeq(node) ? node : undefined;
}

export function toPosition(spec: SpecFile, offset: number): Position {
  return spec.lineCounter.linePos(offset);
}

function findPair(spec: SpecFile, path: JsonPath, key: string): Pair | undefined {
  const parent = nodeIn(spec, path);
  return isMap(parent) ? pairIn(spec, parent, key) : undefined;
}

function nodeIn(spec: SpecFile, path: JsonPath): Node | undefined {
  let node = deref(spec, spec.doc.contents as Node | null);
  for (const key of path) {
    if (isMap(node)) node = deref(spec, pairIn(spec, node, String(key))?.value as Node | null);
    else if (isSeq(node) && typeof key === 'number') node = deref(spec, node.items[key] as Node | null);
    else return undefined;
  }
  return node;
}

/** The pair that gives `key` its value: the map's own, else that of its first merge source holding it (YAML's rule). */
function pairIn(spec: SpecFile, map: YAMLMap, key: string, seen = new Set<YAMLMap>()): Pair | undefined {
  if (seen.has(map)) return undefined;
  seen.add(map);
  const own = ownPairs(map).get(key);
  if (own) return own;
  // With `merge: true` the parser gives a merge key the value Symbol('<<') (a quoted '<<' stays an ordinary key).
  const merges = map.items.filter((p) => isScalar(p.key) && typeof p.key.value === 'symbol');
  for (const merge of merges) {
    const value = deref(spec, merge.value as Node | null);
    for (const source of isSeq(value) ? value.items : [value]) {
      const map = deref(spec, source as Node | null);
      const found = isMap(map) ? pairIn(spec, map, key, seen) : undefined;
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * A map's own pairs by key (the first, as a search would find it), indexed once per map: a generated file's thousands
 * of unknown keys are each looked up in the same map, which searching item by item made quadratic.
 */
const ownPairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
function ownPairs(map: YAMLMap): Map<string, Pair> {
  let index = ownPairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const key = isScalar(p.key) && typeof p.key.value !== 'symbol' ? String(p.key.value) : undefined;
      if (key !== undefined && !index.has(key)) index.set(key, p);
    }
    ownPairIndex.set(map, index);
  }
  return index;
}

/** An alias stands for the node its anchor names (the alias itself when the anchor is out of reach). */
function deref(spec: SpecFile, node: Node | Alias | null | undefined): Node | undefined {
  if (!node) return undefined;
  return isAlias(node) ? ((node.resolve(spec.doc) as Node | undefined) ?? node) : node;
}
