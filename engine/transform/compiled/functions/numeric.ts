/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Numeric functions and aggregates: $number, $abs, $floor, $ceil, $round, $power, $sqrt, $random, $sum, $max, $min,
 * $average, $formatBase.
 */
import { jerr } from '../errors.js';
import type { NativeFn } from '../runtime.js';
import { pace } from '../guards.js';
import { native } from './registry.js';

export function round(arg: number | undefined, precision?: number): number | undefined {
  if (arg === undefined) return undefined;
  if (precision !== undefined && precision >= 0 && precision <= 15) {
    // fast path: away from a .5 tie, scaling by a power of ten picks the same integer as the decimal-string method
    const f = POW10[precision];
    const x = arg * f;
    const frac = x - Math.floor(x);
    if (Math.abs(x) < 1e8 && Math.abs(frac - 0.5) > 1e-6) {
      const r = Math.round(x) / f;
      return Object.is(r, -0) ? 0 : r;
    }
  }
  if (precision) {
    const v = arg.toString().split('e');
    arg = +(v[0] + 'e' + (v[1] ? +v[1] + precision : precision));
  }
  let result = Math.round(arg);
  const diff = result - arg;
  if (Math.abs(diff) === 0.5 && Math.abs(result % 2) === 1) result = result - 1;
  if (precision) {
    const v = result.toString().split('e');
    result = +(v[0] + 'e' + (v[1] ? +v[1] - precision : -precision));
  }
  if (Object.is(result, -0)) result = 0;
  return result;
}

function toNumber(arg: any): number | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(arg) && isFinite(parseFloat(arg)))
    return parseFloat(arg);
  if (typeof arg === 'string' && /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(arg)) return Number(arg);
  if (arg === true) return 1;
  if (arg === false) return 0;
  throw jerr('D3030', { value: arg, index: 1 });
}

const POW10 = Array.from({ length: 16 }, (_, i) => Math.pow(10, i));
const asArray = (a: any): any[] => (Array.isArray(a) ? a : [a]);
const unary = (f: (n: number) => number) => (n?: number) => (n === undefined ? undefined : f(n));

export const numericFunctions: NativeFn[] = [
  native('number', '<(nsb)-:n>', toNumber),
  native('abs', '<n-:n>', unary(Math.abs)),
  native('floor', '<n-:n>', unary(Math.floor)),
  native('ceil', '<n-:n>', unary(Math.ceil)),
  native('round', '<n-n?:n>', round),
  native('sqrt', '<n-:n>', (n?: number) => {
    if (n === undefined) return undefined;
    if (n < 0) throw jerr('D3060', { value: n, index: 1 });
    return Math.sqrt(n);
  }),
  native('power', '<n-n:n>', (b?: number, e?: number) => {
    if (b === undefined) return undefined;
    const r = Math.pow(b, e as number);
    if (!isFinite(r)) throw jerr('D3061', { value: b, exp: e, index: 1 });
    return r;
  }),
  native('random', '<:n>', () => Math.random()),
  native('sum', '<a<n>:n>', (a?: any) => {
    if (a === undefined) return undefined;
    let total = 0;
    const arr = asArray(a);
    for (let i = 0; i < arr.length; i++) {
      total += arr[i];
      if ((i & 4095) === 4095) pace(4096);
    }
    return total;
  }),
  native('max', '<a<n>:n>', (a?: any) => {
    if (a === undefined || a.length === 0) return undefined;
    // Math.max, as jsonata-js: 0 above -0, and NaN (from `% 0`) wins
    let max = -Infinity;
    const arr = asArray(a);
    for (let i = 0; i < arr.length; i++) {
      max = Math.max(max, arr[i]);
      if ((i & 4095) === 4095) pace(4096);
    }
    return max;
  }),
  native('min', '<a<n>:n>', (a?: any) => {
    if (a === undefined || a.length === 0) return undefined;
    let min = Infinity;
    const arr = asArray(a);
    for (let i = 0; i < arr.length; i++) {
      min = Math.min(min, arr[i]);
      if ((i & 4095) === 4095) pace(4096);
    }
    return min;
  }),
  native('average', '<a<n>:n>', (a?: any) => {
    if (a === undefined || a.length === 0) return undefined;
    const arr = asArray(a);
    let total = 0;
    for (let i = 0; i < arr.length; i++) {
      total += arr[i];
      if ((i & 4095) === 4095) pace(4096);
    }
    return total / arr.length;
  }),
  native('formatBase', '<n-n?:s>', (value?: number, radix?: number) => {
    if (value === undefined) return undefined;
    const v = round(value) as number;
    const r = radix === undefined ? 10 : (round(radix) as number); // rounded half to even, as jsonata-js
    if (r < 2 || r > 36) throw jerr('D3100', { value: r });
    return v.toString(r);
  }),
];
