/* eslint-disable @typescript-eslint/no-explicit-any */
/** One evaluation of a compiled expression: the root scope, the input wrapping, the guards and the result checks. */
import { jerr } from './errors.js';
import { checkLength, checkSize, state } from './guards.js';
import { LIBRARY } from './library.js';
import type { Ev } from './runtime.js';
import { Frame } from './runtime.js';
import { seq } from './sequence.js';
import type { TransformGuards } from '../transform-engine.js';

const ROOT = new Frame(undefined, LIBRARY as Map<string, any>);

/** Defaults of TransformGuards. maxDepth counts call-site nesting: about 3 per level of a simple recursion. */
export const DEFAULT_GUARDS = { timeoutMs: 1000, maxDepth: 100_000, maxOutputLength: 10_000_000 } as const;

/**
 * The evaluation's clock: `$now()` and the deadline (shared with a deep-evaluation worker). Both are 0 until the
 * evaluation first reads the clock (guards.ts `readClock`); `evaluateCompiled` writes back what it read.
 */
export interface Clock {
  now: number;
  deadline: number;
}

/** The clock of the last evaluation started without one, as it ended (read by the caller when it must go on). */
const lastClock: Clock = { now: 0, deadline: 0 };

/** A copy of the clock the last evaluation without a given clock ended with (an unread clock is all zeroes). */
export function clockOfLastEvaluation(): Clock {
  return { now: lastClock.now, deadline: lastClock.deadline };
}

/** The clock, read now if the evaluation never did (a deep evaluation goes on with the same `$now()` and deadline). */
export function readClockOf(clock: Clock, guards?: TransformGuards): Clock {
  if (clock.now === 0) {
    clock.now = Date.now();
    clock.deadline = clock.now + (guards?.timeoutMs ?? DEFAULT_GUARDS.timeoutMs);
  }
  return clock;
}

/** V8's refusals to build a value that large (a string past ~2^29 characters, an array past 2^32 - 1 elements). */
const TOO_LARGE_FOR_V8 = /^Invalid (string|array|typed array) length/;

/** The JS stack ran out: the evaluation is retried where the stack is larger (deep-evaluation.ts). */
export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

export function evaluateCompiled(
  ev: Ev,
  input: unknown,
  bindings: Record<string, unknown> | undefined,
  guards: TransformGuards | undefined,
  clock?: Clock,
): unknown {
  let ctx: any = input;
  if (Array.isArray(ctx) && !(ctx as any).sequence) {
    ctx = seq(ctx);
    ctx.outerWrapper = true;
  }
  // `$` is bound in the scope itself, so it wins over a binding of that name
  const env = Frame.forEvaluation(ROOT, bindings, ctx);
  // saved in locals (not an object copy): evaluations may nest ($eval, binding functions that evaluate)
  const { depth, maxDepth, deadline, timeoutMs, maxOutput, now } = state;
  state.depth = 0;
  state.maxDepth = guards?.maxDepth ?? DEFAULT_GUARDS.maxDepth;
  // no clock given: a new, unread one (no object per evaluation; the caller asks for it only when it must go on)
  state.now = clock === undefined ? 0 : clock.now;
  state.deadline = clock === undefined ? 0 : clock.deadline;
  state.timeoutMs = guards?.timeoutMs ?? DEFAULT_GUARDS.timeoutMs;
  state.maxOutput = guards?.maxOutputLength ?? DEFAULT_GUARDS.maxOutputLength;
  try {
    const result = ev(ctx, env);
    if (typeof result === 'string') checkLength(result.length);
    else if (result !== null && typeof result === 'object') checkSize(result);
    return result;
  } catch (e) {
    // A string or array past what V8 can hold (`$replace` of every character of a long field with a long text) is
    // the output guard's case, met before the guard could count it: U1003, not a bare `Invalid string length`.
    if (e instanceof RangeError && TOO_LARGE_FOR_V8.test(e.message)) throw jerr('U1003', { value: e.message });
    throw e;
  } finally {
    const out = clock ?? lastClock;
    out.now = state.now;
    out.deadline = state.deadline;
    state.depth = depth;
    state.maxDepth = maxDepth;
    state.deadline = deadline;
    state.timeoutMs = timeoutMs;
    state.maxOutput = maxOutput;
    state.now = now;
  }
}

/** A stack overflow that even the deep-evaluation worker's large stack could not absorb. */
export function stackOverflowError(): Error {
  return jerr('U1001', {});
}
