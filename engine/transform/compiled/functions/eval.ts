/* eslint-disable @typescript-eslint/no-explicit-any */
/** $eval: parses and evaluates an expression string at run time, in the caller's environment. */
import { parse } from '../ast-process.js';
import { compileExpression } from '../compiler.js';
import { JsonataError, jerr } from '../errors.js';
import type { Focus, NativeFn } from '../runtime.js';
import { native } from './registry.js';

export const evalFunctions: NativeFn[] = [
  native('eval', '<sx?:x>', function (this: Focus, expr?: string, focus?: any) {
    if (expr === undefined) return undefined;
    let ev;
    try {
      ev = compileExpression(parse(expr), false);
    } catch (e) {
      throw jerr('D3120', { value: e instanceof Error ? e.message : String(e), token: 'eval' });
    }
    let input = this.input;
    if (focus !== undefined) {
      input = focus;
      if (Array.isArray(input) && !(input as any).sequence) {
        input = Object.assign([], input, { sequence: true, outerWrapper: true });
      }
    }
    try {
      return ev(input, this.environment);
    } catch (e) {
      if ((e instanceof JsonataError && e.code.startsWith('U')) || e instanceof RangeError) throw e;
      throw jerr('D3121', { value: e instanceof Error ? e.message : String(e), token: 'eval' });
    }
  }),
];
