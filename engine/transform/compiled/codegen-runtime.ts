/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * What generated code (codegen.ts) runs with: whether code generation is available at all, the helpers it calls, and
 * the one place a generated source becomes a function.
 */
import { checkLength, counted, pace, state, tick } from './guards.js';
import { Frame } from './runtime.js';
import { invoke } from './compile-call.js';
import type { Ev } from './runtime.js';
import { deepEqual, normalise, pushAll, toBoolean } from './sequence.js';

/**
 * Code generation is on unless the host forbids it (`--disallow-code-generation-from-strings`, a CSP: `new Function`
 * throws) or `JUNCTION_TRANSFORM_CODEGEN=off` turns it off; then every expression is compiled to closures only.
 * `JUNCTION_TRANSFORM_CODEGEN=eager` generates code from an expression's first evaluation on.
 */
function probe(): boolean {
  if (process.env.JUNCTION_TRANSFORM_CODEGEN === 'off') return false;
  try {
    return new Function('return 1')() === 1;
  } catch {
    return false;
  }
}

/**
 * Whether code generation is on, after how many evaluations an expression gets generated code (junction-engine.ts;
 * the differential tests set 1), and how many units this process generated (tests check the path was taken).
 */
export const codegen = {
  enabled: probe(),
  // `eager`: from the first evaluation (the conformance, corpus and fuzz commands evaluate each expression once)
  after: process.env.JUNCTION_TRANSFORM_CODEGEN === 'eager' ? 1 : 16,
  units: 0,
};

/** A sequence of one item (the context of a path's first step). */
function seq1(item: any): any[] {
  const s: any = [item];
  s.sequence = true;
  return s;
}

function seq0(): any[] {
  const s: any = [];
  s.sequence = true;
  return s;
}

/** A fresh sequence holding the items of an array. */
function copySeq(a: any[]): any[] {
  const out: any = [];
  out.sequence = true;
  pushAll(out, a);
  return out;
}

/** The helpers every generated unit receives as `H` (functions of the engine, never values of an expression). */
const HELPERS = Object.freeze({
  state,
  tick,
  pace,
  checkLength,
  counted,
  normalise,
  toBoolean,
  deepEqual,
  pushAll,
  seq0,
  seq1,
  copySeq,
  Frame,
  invoke,
});

/**
 * Turns generated source into the unit's root function. `source` is built by codegen.ts from the AST only: every
 * string or number from the expression is in it as a JSON literal, everything else is in `constants`. Null when the
 * host refuses (code generation is then switched off for the process).
 */
export function instantiate(source: string, constants: unknown[]): Ev | null {
  try {
    const root = new Function('K', 'H', source)(constants, HELPERS) as Ev;
    codegen.units++;
    return root;
  } catch (e) {
    if (e instanceof EvalError) {
      codegen.enabled = false;
      return null;
    }
    throw e;
  }
}
