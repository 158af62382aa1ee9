/** A content hash that does not depend on key order: for dedup ids, unchanged-write detection and spec hashes. */
import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted (UTF-16 code unit order) and undefined properties left out. The output is stored
 * (ledger keys of events without a dedup id, last-written hashes, spec hashes), so it must never change: this is a
 * faster form of the original `[...].map().join()` / sorted `Object.entries` version, byte for byte the same, down to
 * its oddities (a function is `undefined` as a property value and empty as an array element; a hole is empty).
 */
export function stableStringify(value: unknown): string {
  return write(value) as string;
}

/** JSON of object keys seen so far (bounded): the same few keys repeat in every event. */
const KEY_JSON = new Map<string, string>();
const KEY_JSON_LIMIT = 10_000;

function keyJson(key: string): string {
  let json = KEY_JSON.get(key);
  if (json === undefined) {
    json = JSON.stringify(key);
    if (KEY_JSON.size < KEY_JSON_LIMIT) KEY_JSON.set(key, json);
  }
  return json;
}

function write(value: unknown): string | undefined {
  if (value === undefined) return 'null';
  // JSON writes a finite number as String() does (-0 as "0"), and NaN and the infinities as null.
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      if (i in value) {
        const item = write(value[i]);
        if (item !== undefined) out += item;
      }
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Object.keys has the order of Object.entries; the default sort compares UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += `${first ? '' : ','}${keyJson(key)}:${write(item)}`;
    first = false;
  }
  return `${out}}`;
}

export function stableHash(value: unknown): string {
  return hash('sha256', stableStringify(value), 'hex').slice(0, 32);
}
