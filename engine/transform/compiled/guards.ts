/**
 * The guards of the running evaluation (depth, deadline, output size, memory) and the checks that enforce them. One
 * evaluation runs at a time per thread (evaluation is synchronous), so the state is module-wide.
 */
import { getHeapStatistics } from 'node:v8';
import { jerr } from './errors.js';
import { jsonSize } from './output-size.js';

interface State {
  depth: number;
  maxDepth: number;
  /** The evaluation's start (`$now()`) and deadline; 0 until the clock is first read (see `readClock`). */
  now: number;
  deadline: number;
  timeoutMs: number;
  maxOutput: number;
  ticks: number;
  /** Items built or walked by library functions and operators since their last look at the budget (see `pace`). */
  items: number;
}

export const state: State = {
  depth: 0,
  maxDepth: 500,
  now: 0,
  deadline: Infinity,
  // outside an evaluation (compile-time checks) nothing has a deadline
  timeoutMs: Infinity,
  maxOutput: 10_000_000,
  ticks: 0,
  items: 0,
};

/**
 * The evaluation's clock, read on first use: a small body never reads it (reading the clock costs about 0.2 µs on a
 * virtualised host, a fifth of such an evaluation). The deadline counts from that first read, which comes at the
 * latest at the first guard check (within 256 ticks of the start), or when `$now()` or a regex fallback needs it.
 */
export function readClock(): number {
  if (state.now === 0) {
    state.now = Date.now();
    state.deadline = state.now + state.timeoutMs;
  }
  return state.now;
}

/** The evaluation's deadline (starting its clock if no one has read it yet). */
export function deadline(): number {
  readClock();
  return state.deadline;
}

/**
 * Heap use past which an evaluation stops (U1004): three quarters of this thread's heap limit. An evaluation that
 * allocates without bound (a range per line of the event, a large field copied into every line) would otherwise
 * kill the process, which V8 cannot recover from, and the redelivered event would kill the next one.
 */
const HEAP_CEILING = getHeapStatistics().heap_size_limit * 0.75;

/** A produced value of this many items or characters makes the guards look at the clock and the heap at once. */
export const LARGE_VALUE = 16_384;

/** Called in every loop and lambda call: every 256 ticks, the evaluation stops past its deadline or heap ceiling. */
export function tick(): void {
  if ((++state.ticks & 255) === 0) checkBudget();
}

/**
 * Items a library function or operator may build or walk between two looks at the budget. A tick stands for a step
 * of evaluation (a lambda call, a path step: microseconds each), an item for the cheapest work there is (copying or
 * comparing one value: nanoseconds), so items are counted in far larger strides: 65,536 items take a millisecond
 * or two on a loaded host, and the look (about 1 µs) costs nothing measurable at that rate.
 */
export const PACE_STRIDE = 65_536;

/**
 * Counts `n` items of work done inside one library call (a range filled, an array copied, sorted, joined, split or
 * flattened) and looks at the clock and the heap once every PACE_STRIDE of them. A single call on a value of
 * millions of items otherwise ran to its end (seconds past the deadline) before the next tick looked at the clock.
 */
export function pace(n: number): void {
  if ((state.items += n) >= PACE_STRIDE) {
    state.items = 0;
    checkBudget();
  }
}

/** Fails U1001 past the deadline or U1004 past the heap ceiling (a look at both, starting the clock if unread). */
function checkBudget(): void {
  if (state.now === 0) readClock();
  else if (Date.now() > state.deadline)
    throw jerr('U1001', { message: 'Expression evaluation timeout: Check for infinite loop' });
  // About 1 µs: read every 256 ticks and per large value, it stays out of the way of small evaluations.
  if (getHeapStatistics().used_heap_size > HEAP_CEILING) throw jerr('U1004');
}

/** Fails U1003 past the output limit; a large value is also counted against the deadline and the heap ceiling. */
export function checkLength(n: number): void {
  if (n > state.maxOutput) throw jerr('U1003', { value: n });
  if (n >= LARGE_VALUE) checkBudget();
}

/**
 * A library function's result, checked like any produced value when it is a large string or array: applied per item
 * to a large value (`lines.{"note": $uppercase($$.note)}`), a function makes a fresh copy each time.
 */
export function counted<T>(r: T): T {
  if (typeof r === 'string' ? r.length >= LARGE_VALUE : Array.isArray(r) && r.length >= LARGE_VALUE)
    checkLength((r as string | unknown[]).length);
  return r;
}

/**
 * The longest picture string `$formatNumber`, `$formatInteger`, `$parseInteger`, `$fromMillis` and `$toMillis`
 * accept: a real picture is a few dozen characters, and analysing one of millions (built with `$pad`) takes seconds
 * of allocation between two looks at the clock.
 */
const MAX_PICTURE = 10_000;

/** Fails U1005 for a picture longer than MAX_PICTURE characters. */
export function checkPicture(picture: string, fn: string): void {
  if (picture.length > MAX_PICTURE)
    throw jerr('U1005', { message: `$${fn}(): a picture of ${picture.length} characters, at most ${MAX_PICTURE}` });
}

/** Fails U1003 when the JSON text of `value` would be longer than the output limit. */
export function checkSize(value: unknown): void {
  if (value !== null && typeof value === 'object' && jsonSize(value, state.maxOutput, pace) < 0)
    throw jerr('U1003', { value: `more than ${state.maxOutput} characters of JSON` });
}
