/* eslint-disable @typescript-eslint/no-explicit-any */
/** Higher-order functions: $map, $filter, $single, $reduce. */
import { jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { apply, arityOf, callHof } from '../runtime.js';
import { tick } from '../guards.js';
import { seq, toBoolean } from '../sequence.js';
import { native } from './registry.js';

export const higherOrderFunctions: NativeFn[] = [
  native('map', '<af>', function (this: Focus, arr?: any[], fn?: any) {
    if (arr === undefined) return undefined;
    const out = seq();
    // a tick per item: a library function given as the function (`$map(lines, $string)`) does not tick itself
    for (let i = 0; i < arr.length; i++) {
      tick();
      const r = callHof(fn, this.environment, arr[i], i, arr);
      if (r !== undefined) out.push(r);
    }
    return out;
  }),
  native('filter', '<af>', function (this: Focus, arr?: any[], fn?: any) {
    if (arr === undefined) return undefined;
    const out = seq();
    for (let i = 0; i < arr.length; i++) {
      tick();
      if (toBoolean(callHof(fn, this.environment, arr[i], i, arr))) out.push(arr[i]);
    }
    return out;
  }),
  native('single', '<af?>', function (this: Focus, arr?: any[], fn?: any) {
    if (arr === undefined) return undefined;
    let found = false;
    let result: any;
    for (let i = 0; i < arr.length; i++) {
      tick();
      const ok = fn === undefined ? true : toBoolean(callHof(fn, this.environment, arr[i], i, arr));
      if (ok) {
        if (found) throw jerr('D3138', { index: i });
        result = arr[i];
        found = true;
      }
    }
    if (!found) throw jerr('D3139', {});
    return result;
  }),
  native('reduce', '<afj?:j>', function (this: Focus, arr?: any[], fn?: any, init?: any) {
    if (arr === undefined) return undefined;
    const arity = arityOf(fn);
    if (arity < 2) throw jerr('D3050', { index: 1 });
    let result: any;
    let index: number;
    if (init === undefined && arr.length > 0) {
      result = arr[0];
      index = 1;
    } else {
      result = init;
      index = 0;
    }
    for (; index < arr.length; index++) {
      tick();
      const args = [result, arr[index]];
      if (arity >= 3) args.push(index);
      if (arity >= 4) args.push(arr);
      result = apply(fn, args, null, this.environment);
    }
    return result;
  }),
];
