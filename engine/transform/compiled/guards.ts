/**
 * The guards of the running evaluation (depth, deadline, output size) and the checks that enforce them. One
 * evaluation runs at a time per thread (evaluation is synchronous), so the state is module-wide.
 */
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

/** Called in every loop and lambda call: reads the clock every 256 ticks and stops the evaluation past its deadline. */
export function tick(): void {
  if ((++state.ticks & 255) === 0) checkDeadline();
}

function checkDeadline(): void {
  if (state.now === 0) readClock();
  else if (Date.now() > state.deadline)
    throw jerr('U1001', { message: 'Expression evaluation timeout: Check for infinite loop' });
}

export function checkLength(n: number): void {
  if (n > state.maxOutput) throw jerr('U1003', { value: n });
}

/** Fails U1003 when the JSON text of `value` would be longer than the output limit. */
export function checkSize(value: unknown): void {
  if (value !== null && typeof value === 'object' && jsonSize(value, state.maxOutput) < 0)
    throw jerr('U1003', { value: `more than ${state.maxOutput} characters of JSON` });
}
