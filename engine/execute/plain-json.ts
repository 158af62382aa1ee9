/** Values as targets receive and checkpoints store them: plain JSON, and lists. */

/**
 * A fresh copy of `value` as `JSON.parse(JSON.stringify(value))` gives it: JSONata sequences (arrays with extra
 * flags) become plain arrays, keys whose value is undefined are left out, and nothing of the result is shared with
 * the event or the expression's input. Plain data (what a transform builds from parsed JSON) is copied by one walk,
 * about ten times cheaper than the JSON round trip for a step body; anything else (NaN, dates, `toJSON`, functions,
 * undefined in a list, a `__proto__` key, cycles) takes the round trip, which decides the result or the error.
 */
export function plain(value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    const copy = copyPlain(value);
    if (copy !== NOT_PLAIN) return copy;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error; // too deep (or a cycle) for the walk: JSON says what it is
  }
  return JSON.parse(JSON.stringify(value));
}

const NOT_PLAIN = Symbol('not plain JSON');

function copyPlain(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : NOT_PLAIN; // -0 + 0 is 0, as JSON writes it
    case 'object':
      if (value === null) return null;
      return Array.isArray(value) ? copyList(value) : copyObject(value);
    default:
      return NOT_PLAIN;
  }
}

function copyList(list: unknown[]): unknown {
  if (Object.getPrototypeOf(list) !== Array.prototype) return NOT_PLAIN;
  const copy = new Array<unknown>(list.length);
  for (let i = 0; i < list.length; i++) {
    const item = list[i] === undefined ? NOT_PLAIN : copyPlain(list[i]); // JSON writes null for a hole
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[i] = item;
  }
  return copy;
}

function copyObject(object: object): unknown {
  const proto = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key in object) {
    const field = (object as Record<string, unknown>)[key];
    if (field === undefined) continue;
    if (key === '__proto__') return NOT_PLAIN; // an assignment would set the copy's prototype
    const item = copyPlain(field);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
}

/** A value as a list: nothing is empty, a list stays a list, anything else is one element. */
export function toList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? [...value] : [value];
}
