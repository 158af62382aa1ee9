/**
 * The functions a spec expression may call: the JSONata library (with the signatures our engine declares, the same
 * as jsonata-js's) and Junction's extensions, which replace any library function of the same name.
 */
import { LIBRARY } from '../../transform/compiled/library.js';
import { parseSignature } from '../../transform/compiled/signature.js';
import type { Signature } from '../../transform/compiled/signature.js';

/** Junction's extension functions (engine/execute/expression-bindings.ts), as JSONata signatures. */
const EXTENSIONS: Record<string, string> = {
  lookup: '<sx:x>', // $lookup(table, key)
  xref: '<sx:x>', // $xref(map, source id)
  localDate: '<(sn)s:s>', // $localDate(timestamp, IANA zone) -> "YYYY-MM-DD" (transform/zoned-time.ts)
  zoneOffset: '<(sn)s:s>', // $zoneOffset(timestamp, IANA zone) -> "-0800", for $fromMillis
};

/** Values Junction binds for expressions, which are not functions but are names in scope. */
const BOUND_VALUES = ['event', 'steps', 'index', 'result', 'body', 'key', 'cursor'];

const signatures = new Map<string, Signature | undefined>();
for (const [name, fn] of LIBRARY) signatures.set(name, fn.signature);
for (const [name, signature] of Object.entries(EXTENSIONS)) signatures.set(name, parseSignature(signature));

/** True when `name` is a library function, an extension or a value Junction binds. */
export function isKnownName(name: string): boolean {
  return signatures.has(name) || BOUND_VALUES.includes(name);
}

/** True when `name` is one of Junction's extension functions ($lookup, $xref, $localDate, $zoneOffset). */
export function isExtension(name: string): boolean {
  return Object.hasOwn(EXTENSIONS, name);
}

/** The values Junction binds (`$event`, `$steps`…), for messages and did-you-mean. */
export function boundValueNames(): readonly string[] {
  return BOUND_VALUES;
}

/** Every callable name, for did-you-mean. */
export function functionNames(): string[] {
  return [...signatures.keys()];
}

/** The signature of a library or extension function. */
export function functionSignature(name: string): Signature | undefined {
  return signatures.get(name);
}

/** The signature string (`<s-nn?:s>`) of a library or extension function. */
export function librarySignature(name: string): string | undefined {
  return signatures.get(name)?.definition;
}
