/* eslint-disable @typescript-eslint/no-explicit-any */
/** Sequences (arrays flagged `sequence`), flattening, type tests, truthiness, deep equality and stringification. */
import { jerr } from './errors.js';
import { PACE_STRIDE, checkSize, pace } from './guards.js';
import { ownValue } from './own-keys.js';

export function seq(...items: any[]): any[] {
  const s: any = items;
  s.sequence = true;
  return s;
}

/** JSONata's result normalisation: an empty sequence is nothing, a singleton sequence its item (unless kept). */
export function normalise(r: any, keepArray: boolean): any {
  if (Array.isArray(r) && (r as any).sequence === true) {
    const s = r as any;
    if (s.tupleStream) return s;
    if (keepArray) s.keepSingleton = true;
    if (s.length === 0) return undefined;
    if (s.length === 1) return s.keepSingleton ? s : s[0];
  }
  return r;
}

/** Compiled closures that normalise their own result (the compiler adds no normalising wrapper around them). */
const NORMALISING = new WeakSet<object>();

export function normalising<T extends object>(ev: T): T {
  NORMALISING.add(ev);
  return ev;
}

export function isNormalising(ev: object): boolean {
  return NORMALISING.has(ev);
}

export function isSeq(v: any): boolean {
  return Array.isArray(v) && (v as any).sequence === true;
}

export function isNumeric(n: any): boolean {
  if (typeof n !== 'number') return false;
  if (n !== n) return false;
  if (!isFinite(n)) throw jerr('D1001', { value: n });
  return true;
}

export function isFunction(v: any): boolean {
  return (
    typeof v === 'function' ||
    (v !== null && typeof v === 'object' && (v._jsonata_lambda === true || v._jsonata_function === true))
  );
}

export function isArrayOfStrings(v: any): boolean {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

export function isArrayOfNumbers(v: any): boolean {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && x === x && isFinite(x));
}

/** Pushes the items of `items` onto `out`, counting them against the budget a stride at a time (guards.ts `pace`). */
export function pushAll(out: any[], items: any[]): void {
  const n = items.length;
  for (let from = 0; from < n; from += PACE_STRIDE) {
    const to = from + PACE_STRIDE < n ? from + PACE_STRIDE : n;
    for (let j = from; j < to; j++) out.push(items[j]);
    pace(to - from);
  }
}

/** `$append` semantics (also used to merge group/tuple data). */
export function append(a: any, b: any): any {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (!Array.isArray(a)) a = seq(a);
  if (!Array.isArray(b)) b = [b];
  // a large copy is paced like any other (the caller checks the result against the output limit)
  if (a.length + b.length >= PACE_STRIDE) pace(a.length + b.length);
  return a.concat(b);
}

export function lookup(input: any, key: string): any {
  if (Array.isArray(input)) {
    const result = seq();
    for (let i = 0; i < input.length; i++) {
      const r = lookup(input[i], key);
      if (r !== undefined) {
        if (Array.isArray(r)) for (let j = 0; j < r.length; j++) result.push(r[j]);
        else result.push(r);
      }
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && !isFunction(input)) return ownValue(input, key);
  return undefined;
}

export function toBoolean(arg: any): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    if (arg.length > 1) return arg.some((v) => toBoolean(v));
    return false;
  }
  switch (typeof arg) {
    case 'string':
      return arg.length > 0;
    case 'number':
      return isNumeric(arg) && arg !== 0;
    case 'boolean':
      return arg;
    case 'function':
      return false;
    case 'object':
      if (arg === null) return false;
      if (isFunction(arg)) return false;
      for (const _k in arg) return true;
      return false;
    default:
      return false;
  }
}

export function deepEqual(a: any, b: any): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a)) {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) {
        if (!deepEqual(a[i], b[i])) return false;
        if ((i & 4095) === 4095) pace(4096);
      }
      return true;
    }
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (const k of ka) if (!deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Values `replacer` has seen since it last told the guards (`pace`). */
let replaced = 0;

/**
 * JSONata's number and function rendering, and a look at the budget every 4,096 values (JSON.stringify is one
 * native call: a million values took seconds past the deadline; an exception here stops it).
 */
function replacer(_key: string, val: any): any {
  if ((++replaced & 4095) === 0) pace(4096);
  if (typeof val === 'number' && !Number.isInteger(val) && isNumeric(val)) return Number(val.toPrecision(15));
  if (val && isFunction(val)) return '';
  return val;
}

export function stringify(arg: any, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (isFunction(arg)) return '';
  if (typeof arg === 'number') {
    if (!isFinite(arg)) throw jerr('D3001', { value: arg });
    return String(Number.isInteger(arg) ? arg : Number(arg.toPrecision(15)));
  }
  if (typeof arg === 'boolean' || arg === null) return String(arg);
  if (Array.isArray(arg) && (arg as any).outerWrapper) arg = arg[0];
  checkSize(arg);
  return JSON.stringify(arg, replacer, prettify ? 2 : 0);
}
