/** A content hash that does not depend on key order: for dedup ids, unchanged-write detection and spec hashes. */
import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted (UTF-16 code unit order) and undefined properties left out. The output is stored
 * (ledger keys of events without a dedup id, last-written hashes, spec hashes), so it must never change: this is a
 * faster form of the original `[...].map().join()` / sorted `Object.entries` version, byte for byte the same, down to
 * its oddities (a function is `undefined` as a property value and empty as an array element; a hole is empty).
 */
export function stableStringify(value: unknown): string {
  try {
    return write(value) as string;
  } catch (error) {
    // Nested deeper than the call stack allows (a poison event thousands of levels deep): the same text, iteratively.
    if (error instanceof RangeError && value !== null && typeof value === 'object') return stableStringifyDeep(value);
    throw error;
  }
}

type Frame =
  | { array: unknown[]; keys?: undefined; i: number }
  | { record: Record<string, unknown>; keys: string[]; i: number; wrote: boolean };

/**
 * `stableStringify` with an explicit stack instead of recursion: byte for byte the same output, at any depth. Slower,
 * so it is only the fallback for what the recursive writer cannot reach.
 */
export function stableStringifyDeep(root: object): string {
  let out = '';
  const stack: Frame[] = [];
  const emit = (value: unknown, inArray: boolean) => {
    if (value !== null && typeof value === 'object') {
      if (Array.isArray(value)) {
        out += '[';
        stack.push({ array: value, i: 0 });
      } else {
        out += '{';
        const record = value as Record<string, unknown>;
        stack.push({ record, keys: Object.keys(record).sort(), i: 0, wrote: false });
      }
      return;
    }
    const text = write(value);
    // As in `write`: an unwritable array item is empty, an unwritable property value reads `undefined`.
    if (text !== undefined) out += text;
    else if (!inArray) out += 'undefined';
  };
  emit(root, false);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.keys) {
      while (top.i < top.keys.length && top.record[top.keys[top.i]] === undefined) top.i++;
      if (top.i === top.keys.length) {
        out += '}';
        stack.pop();
        continue;
      }
      const key = top.keys[top.i];
      out += `${top.wrote ? ',' : ''}${keyJson(key)}:`;
      top.wrote = true;
      top.i++;
      emit(top.record[key], false);
    } else {
      if (top.i === top.array.length) {
        out += ']';
        stack.pop();
        continue;
      }
      const i = top.i++;
      if (i > 0) out += ',';
      if (i in top.array) emit(top.array[i], true);
    }
  }
  return out;
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
