/**
 * The guards of the running evaluation (depth, deadline, output size) and the checks that enforce them. One
 * evaluation runs at a time per thread (evaluation is synchronous), so the state is module-wide.
 */
import { jerr } from './errors.js';
import { jsonSize } from './output-size.js';

interface State {
  depth: number;
  maxDepth: number;
  deadline: number;
  maxOutput: number;
  ticks: number;
  now: number;
}

export const state: State = { depth: 0, maxDepth: 500, deadline: Infinity, maxOutput: 10_000_000, ticks: 0, now: 0 };

/** Called in every loop and lambda call: reads the clock every 256 ticks and stops the evaluation past its deadline. */
export function tick(): void {
  if ((++state.ticks & 255) === 0 && Date.now() > state.deadline)
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
