/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The transform sandbox for object keys: JSONata sees own properties only, and every key it writes is an ordinary own
 * key. `__proto__`, `constructor`, `toString`, ... are data like any other name (as in jsonata-js), never a way to
 * reach or replace a prototype.
 */

const hasOwnProperty = Object.prototype.hasOwnProperty;

/** Names every plain object inherits from Object.prototype: a read of one of these must check own-ness. */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** The keys of a function value (lambda or library function): a path step must not read them from one. */
const FUNCTION_KEYS = new Set([
  '_jsonata_lambda',
  '_jsonata_function',
  'input',
  'environment',
  'arguments',
  'signature',
  'body',
  'arity',
  'name',
  'implementation',
  'usesFocus',
  'thunk',
  'token',
  'position',
]);

/**
 * A name plain property access reads correctly (`obj[key]`): not inherited, and not a key of a function value (a
 * function value has no other own keys, so such a read gives undefined, as it must).
 */
export function isPlainName(key: string): boolean {
  return !FUNCTION_KEYS.has(key) && !INHERITED.has(key);
}

/** `obj[key]` if `key` is an own property of the object (which must be a non-null object), else undefined. */
export function ownValue(obj: any, key: string): any {
  return hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/** Sets `obj[key] = value` as an own, enumerable data property (`__proto__` included). */
export function setOwn(obj: any, key: string, value: any): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** Copies the own enumerable properties of `from` onto `to` (Object.assign without the `__proto__` setter). */
export function assignOwn(to: any, from: any): any {
  for (const k of Object.keys(from)) setOwn(to, k, from[k]);
  return to;
}
