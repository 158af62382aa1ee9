/**
 * Transform sandbox: no regex can freeze the process (ReDoS). Patterns run on a linear-time engine (RE2); patterns
 * RE2 cannot express run under the evaluation's time guard in a worker thread that is terminated past the deadline.
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';

const evaluate = (expr: string, input: unknown, timeoutMs = 1000) =>
  junctionEngine.compile(expr).evaluate(input, {}, { timeoutMs });

function code(expr: string, input: unknown, timeoutMs: number): string | undefined {
  try {
    evaluate(expr, input, timeoutMs);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('catastrophic backtracking patterns over event data', () => {
  const attack = 'a'.repeat(30) + '!';

  it('`/^(a+)+$/` on a 30-character field answers (it froze the process for 31 s)', () => {
    expect(evaluate('$contains(text, /^(a+)+$/)', { text: attack })).toBe(false);
    expect(evaluate('$contains(text, /^(a+)+$/)', { text: 'a'.repeat(30) })).toBe(true);
  });

  it('the usual e-mail, SKU and list validators stay linear on long hostile input', () => {
    const text = 'a'.repeat(50_000) + '!';
    expect(evaluate('$contains(text, /^([a-z0-9]+\\.?)+@/)', { text })).toBe(false);
    expect(evaluate('$match(text, /^(a|aa)+$/)', { text })).toBeUndefined();
    expect(evaluate('$replace(text, /(a*)*b/, "x") = text', { text })).toBe(true);
    expect(evaluate('$count($split(text, /(a+)+b/))', { text })).toBe(1);
  });

  it('a pattern only a backtracking engine can run stops with U1001 at the time guard', () => {
    // a backreference: not expressible in RE2, so it runs in the worker thread under the deadline
    expect(code('$contains(text, /^(a+)+\\1!$/)', { text: 'a'.repeat(40) + '?' }, 200)).toBe('U1001');
    // the next evaluation gets a fresh worker and the right answer
    expect(evaluate('$replace("abcabc", /(b)(?=c)/, "[$1]")', {})).toBe('a[b]ca[b]c');
    expect(evaluate('$contains("xyzxyz", /(xyz)\\1/)', {})).toBe(true);
  });
});
