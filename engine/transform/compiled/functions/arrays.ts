/* eslint-disable @typescript-eslint/no-explicit-any */
/** Array functions: $count, $append, $reverse, $shuffle, $distinct, $sort, $zip, $exists. */
import { jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { apply } from '../runtime.js';
import { LARGE_VALUE, PACE_STRIDE, checkLength, pace, tick } from '../guards.js';
import { append, deepEqual, isArrayOfNumbers, isArrayOfStrings, isSeq, seq, toBoolean } from '../sequence.js';
import { native } from './registry.js';

/** jsonata-js's stable merge sort: the same comparisons in the same order (so the same first failing one). */
export function mergeSort(arr: any[], swap: (a: any, b: any) => boolean): any[] {
  if (arr.length <= 1) return arr;
  const mid = Math.floor(arr.length / 2);
  const l = mergeSort(arr.slice(0, mid), swap);
  const r = mergeSort(arr.slice(mid), swap);
  const out: any[] = [];
  let i = 0;
  let j = 0;
  // every merged item counted: sorting millions of numbers without a comparator function (no lambda calls, so no
  // ticks) ran seconds past the deadline
  while (i < l.length && j < r.length) {
    if (swap(l[i], r[j])) out.push(r[j++]);
    else out.push(l[i++]);
    if ((out.length & 4095) === 0) pace(4096);
  }
  while (i < l.length) {
    out.push(l[i++]);
    if ((out.length & 4095) === 0) pace(4096);
  }
  while (j < r.length) {
    out.push(r[j++]);
    if ((out.length & 4095) === 0) pace(4096);
  }
  return out;
}

function sort(this: Focus, arr: any, comparator?: any): any {
  if (arr === undefined) return undefined;
  if (arr.length <= 1) return arr;
  let swap: (a: any, b: any) => boolean;
  if (comparator === undefined) {
    if (!isArrayOfNumbers(arr) && !isArrayOfStrings(arr)) throw jerr('D3070', { index: 1 });
    swap = (a, b) => a > b;
  } else {
    const env = this.environment;
    swap = (a, b) => !!toBoolean(apply(comparator, [a, b], null, env));
  }
  return mergeSort(arr, swap);
}

export const arrayFunctions: NativeFn[] = [
  native('count', '<a:n>', (a?: any) => (a === undefined ? 0 : Array.isArray(a) ? a.length : 1)),
  native('append', '<xx:a>', (a?: any, b?: any) => {
    // refused before the copy when the two together pass the output limit
    const n = (Array.isArray(a) ? a.length : 1) + (Array.isArray(b) ? b.length : 1);
    if (n >= LARGE_VALUE) checkLength(n);
    const r = append(a, b);
    if (Array.isArray(r)) checkLength(r.length);
    return r;
  }),
  native('reverse', '<a:a>', reverse),
  native('shuffle', '<a:a>', (a?: any[]) => shuffle(a, Math.random)),
  native('distinct', '<x:x>', (a?: any) => {
    if (a === undefined) return undefined;
    if (!Array.isArray(a) || a.length <= 1) return a;
    const out: any[] = isSeq(a) ? seq() : [];
    // primitives by identity in a set (linear); objects and arrays by deep equality against the earlier ones
    const seen = new Set<unknown>();
    const structured: any[] = [];
    for (const v of a) {
      tick();
      if (v !== null && typeof v === 'object') {
        // each comparison counted: n objects compare n²/2 times between two ticks of this loop
        if (structured.some((o) => (pace(1), deepEqual(o, v)))) continue;
        structured.push(v);
      } else if (seen.has(v)) continue;
      else seen.add(v);
      out.push(v);
    }
    return out;
  }),
  native('sort', '<af?:a>', sort),
  native('zip', '<a+>', (...arrays: any[]) => {
    const out: any[] = [];
    const n = Math.min(...arrays.map((a) => (Array.isArray(a) ? a.length : 0)));
    for (let i = 0; i < n; i++) {
      out.push(arrays.map((a) => a[i]));
      if ((i & 4095) === 4095) pace(4096 * arrays.length);
    }
    return out;
  }),
  native('exists', '<x:b>', (a?: any) => a !== undefined),
];

/** `$shuffle` with the random numbers of `random` (a dry run passes a seeded one: expression-bindings.ts). */
export function shuffle<T>(a: T[] | undefined, random: () => number): T[] | undefined {
  if (a === undefined) return undefined;
  if (a.length <= 1) return a;
  const r = copy(a);
  for (let i = r.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = r[i];
    r[i] = r[j];
    r[j] = t;
    if ((i & 4095) === 0) pace(4096);
  }
  return r;
}

/** A plain copy of `a`, a stride at a time with a look at the budget between strides (`slice` is one native call). */
function copy<T>(a: T[]): T[] {
  if (a.length < PACE_STRIDE) return a.slice();
  const out: T[] = new Array(a.length);
  for (let from = 0; from < a.length; from += PACE_STRIDE) {
    const to = Math.min(a.length, from + PACE_STRIDE);
    for (let i = from; i < to; i++) out[i] = a[i];
    pace(to - from);
  }
  return out;
}

/** `$reverse`: a reversed copy, paced like `copy`. */
function reverse(a?: any[]): any[] | undefined {
  if (a === undefined) return undefined;
  if (a.length <= 1) return a;
  if (a.length < PACE_STRIDE) return a.slice().reverse();
  const n = a.length;
  const out: any[] = new Array(n);
  for (let from = 0; from < n; from += PACE_STRIDE) {
    const to = Math.min(n, from + PACE_STRIDE);
    for (let i = from; i < to; i++) out[i] = a[n - 1 - i];
    pace(to - from);
  }
  return out;
}
