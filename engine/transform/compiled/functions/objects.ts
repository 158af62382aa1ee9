/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Object and type functions: $keys, $lookup, $spread, $merge, $each, $sift, $error, $assert, $type, $boolean, $not,
 * $clone.
 */
import { jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { callHof, isLambda } from '../runtime.js';
import { isFunction, isNumeric, lookup, pushAll, seq, stringify, toBoolean } from '../sequence.js';
import { assignOwn, setOwn } from '../own-keys.js';
import { pace, tick } from '../guards.js';
import { native } from './registry.js';

function keys(arg: any): any[] {
  const result = seq();
  if (Array.isArray(arg)) {
    const merged = new Set<string>();
    for (const item of arg) {
      tick();
      for (const k of keys(item)) merged.add(k);
    }
    for (const k of merged) result.push(k);
  } else if (arg !== null && typeof arg === 'object' && !isFunction(arg)) {
    const names = Object.keys(arg);
    pace(names.length);
    for (const k of names) result.push(k);
  }
  return result;
}

function spread(arg: any): any {
  let result: any = seq();
  if (Array.isArray(arg)) {
    // pushed in place: `append` per item copied the result each time (quadratic, minutes for 100,000 objects).
    // What `append` gave is kept: once anything is appended, a plain array (`concat` drops the sequence flag).
    const out: any[] = [];
    let appended = false;
    for (const item of arg) {
      tick();
      const r = spread(item);
      if (r === undefined) continue;
      appended = true;
      if (Array.isArray(r)) pushAll(out, r);
      else out.push(r);
    }
    if (appended) result = out;
  } else if (arg !== null && typeof arg === 'object' && !isLambda(arg) && !isFunction(arg)) {
    const names = Object.keys(arg);
    for (let i = 0; i < names.length; i++) {
      result.push({ [names[i]]: arg[names[i]] });
      if ((i & 4095) === 4095) pace(4096);
    }
  } else result = arg;
  return result;
}

function typeOf(v: any): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  if (isFunction(v)) return 'function';
  // as in jsonata-js: an infinite number is D1001, and NaN (from `% 0`) is not numeric, so it is an 'object'
  if (typeof v === 'number' && !isNumeric(v)) return 'object';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

export const objectFunctions: NativeFn[] = [
  native('keys', '<x-:a<s>>', keys),
  native('lookup', '<x-s:x>', lookup),
  native('spread', '<x-:a<o>>', spread),
  native('merge', '<a<o>:o>', (arr?: any[]) => {
    if (arr === undefined) return undefined;
    const result = {};
    for (const obj of arr) {
      tick();
      assignOwn(result, obj);
    }
    return result;
  }),
  native('each', '<o-f:a>', function (this: Focus, obj?: any, fn?: any) {
    if (obj === undefined) return undefined;
    const out = seq();
    for (const k of Object.keys(obj)) {
      tick();
      const r = callHof(fn, this.environment, obj[k], k, obj);
      if (r !== undefined) out.push(r);
    }
    return out;
  }),
  native('sift', '<o-f?:o>', function (this: Focus, obj?: any, fn?: any) {
    if (obj === undefined) return undefined;
    const out: any = {};
    let any = false;
    for (const k of Object.keys(obj)) {
      tick();
      if (toBoolean(callHof(fn, this.environment, obj[k], k, obj))) {
        setOwn(out, k, obj[k]);
        any = true;
      }
    }
    return any ? out : undefined;
  }),
  native('error', '<s?:x>', (message?: string) => {
    throw jerr('D3137', { message: message || '$error() function evaluated' });
  }),
  native('assert', '<bs?:x>', (cond?: boolean, message?: string) => {
    if (!cond) throw jerr('D3141', { message: message || '$assert() statement failed' });
    return undefined;
  }),
  native('type', '<x:s>', typeOf),
  native('boolean', '<x-:b>', toBoolean),
  native('not', '<x-:b>', (a?: any) => (a === undefined ? undefined : !toBoolean(a))),
  native('clone', '<(oa)-:o>', (a?: any) => (a === undefined ? undefined : JSON.parse(stringify(a) as string))),
];
