/**
 * The time and size guards inside library functions and operators that build or walk millions of items in one call
 * (a range, `$sort`, `$split`, `$join`, `$string`, `$reverse`, `$map` with a library function, flattening...), on
 * the closures and on generated code. Such a call used to run to its end before the guards looked at the clock
 * again: seconds past a 1 s deadline.
 *
 * No wall-clock timing is asserted. The deadline cases run under a clock that advances one millisecond each time
 * the engine reads it, with an 8 ms guard: the evaluation stops with U1001 only if the call looks at the clock as it
 * goes (about once per 65,536 items); a call that looks only before and after its work returns its whole result.
 * The size cases run on the real clock: refused (U1003) before the value is built.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { codegen } from '../../engine/transform/compiled/codegen-runtime.js';
import { junctionClosureEngine, junctionEngine } from '../../engine/transform/junction-engine.js';
import type { TransformEngine, TransformGuards } from '../../engine/transform/transform-engine.js';
import { TransformError } from '../../engine/transform/transform-engine.js';

const TIMEOUT = { code: 'U1001', message: 'Expression evaluation timeout: Check for infinite loop' };
const TOO_LONG = { code: 'U1003', message: 'Output too long: the result exceeds the configured maximum length' };

const N = 1_000_000;
const nums = Array.from({ length: N }, (_, i) => N - i);
/** The event data the expressions read: large arrays, strings and objects as a webhook could send them. */
const input = {
  nums,
  same: nums.slice(),
  chars: Array.from({ length: N }, () => 'a'),
  text: 'a'.repeat(N),
  words: 'ab'.repeat(N / 2),
  spaced: ' a'.repeat(N / 2),
  emoji: '😀'.repeat(N),
  objs: Array.from({ length: N / 8 }, (_, i) => ({ ['k' + i]: i })),
  pairs: Array.from({ length: 20_000 }, (_, i) => ({ ['k' + i]: i })),
  wide: Object.fromEntries(Array.from({ length: N / 8 }, (_, i) => ['k' + i, i])),
};

/** Each expression does millions of items of work inside one library call or operator. */
const PAST_THE_DEADLINE: [string, string][] = [
  ['range', '[1..1000000]'],
  ['$sort without a comparator', '$sort(nums)'],
  ['$reverse', '$reverse(nums)'],
  ['$shuffle', '$shuffle(nums)'],
  ['$sum', '$sum(nums)'],
  ['$max', '$max(nums)'],
  ['$average', '$average(nums)'],
  ['$split into characters', '$split(text, "")'],
  ['$split on a string', '$split(words, "b")'],
  ['$join', '$join(chars)'],
  // (the JSON of `nums` is 8 million characters, past the output limit: refused up front, see below)
  ['$string', '$string(chars)'],
  ['$string prettified', '$string(chars, true)'],
  ['$clone', '$clone(chars)'],
  ['$map with a library function', '$map(nums, $string)'],
  ['$filter with a library function', '$filter(nums, $boolean)'],
  ['$reduce with a library function', '$reduce(chars, $join)'],
  ['$each with a library function', '$each(wide, $string)'],
  ['$zip', '$zip(nums, same)'],
  ['$keys of many objects', '$keys(objs)'],
  ['$merge', '$merge(objs)'],
  ['$spread (was quadratic)', '$spread(pairs)'],
  ['$trim', '$trim(spaced)'],
  ['$length of characters outside the BMP', '$length(emoji)'],
  ['$substring of characters outside the BMP', '$substring(emoji, 5)'],
  ['flattening a step of many items per item', '$count([1..1000].[1..1000])'],
  ['a path step over many items', '$count(nums.$)'],
  ['in', '-1 in nums'],
  ['= of two large arrays', 'nums = same'],
  ['the size check of a large result', 'chars'],
];

/** Each expression would build a value past the output limit: refused before building it. */
const PAST_THE_SIZE_LIMIT: [string, string, TransformGuards | undefined][] = [
  ['a range longer than the limit', '[1..1000000]', { maxOutputLength: 500_000 }],
  ['$join longer than the limit', '$join(chars, ",")', { maxOutputLength: 1_500_000 }],
  ['$append of two arrays longer than the limit together', '$append(nums, same)', { maxOutputLength: 1_500_000 }],
  ['$string longer than the limit', '$string(nums)', { maxOutputLength: 1_500_000 }],
  ['a result whose JSON is longer than the limit', 'nums', { maxOutputLength: 5_000_000 }],
  ['$pad with a character outside the BMP (two UTF-16 units each)', '$pad("", 6000000, "😀")', undefined],
];

/** A clock that moves one millisecond each time it is read: time passes as the engine looks at it. */
function workClock(): void {
  let now = Date.now();
  vi.spyOn(Date, 'now').mockImplementation(() => ++now);
}

function failure(engine: TransformEngine, expr: string, guards?: TransformGuards): TransformError {
  const compiled = engine.compile(expr);
  try {
    compiled.evaluate(input, {}, guards);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformError);
    return e as TransformError;
  }
  throw new Error(`${expr} did not fail`);
}

/** The same engine right after: ordinary evaluations give their values under the default guards. */
function expectHealthy(engine: TransformEngine): void {
  vi.restoreAllMocks();
  expect(engine.compile('$sum([1..100])').evaluate({})).toBe(5050);
  expect(engine.compile('$count([1..100000])').evaluate({})).toBe(100_000);
  expect(engine.compile('$join($split("a,b,c", ","), "-") & $string(n)').evaluate({ n: [1, 2] })).toBe('a-b-c[1,2]');
}

const ENGINES: [string, TransformEngine][] = [
  ['closures', junctionClosureEngine],
  ['generated code', junctionEngine],
];

beforeAll(() => {
  // the generated-code engine generates code from an expression's first evaluation
  codegen.after = 1;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe.each(ENGINES)('guards inside large library calls (%s)', (_name, engine) => {
  it('takes $substring of characters outside the BMP as the characters of Array.from (without building them)', () => {
    const text = 'a😀b\uD800c😀😀\uDC00d';
    const chars = Array.from(text);
    const substring = engine.compile('$substring(text, start, length)');
    for (let start = -12; start <= 12; start += 0.5)
      for (const length of [undefined, -1, 0, 1, 1.5, 2, 3, 20]) {
        let s = start;
        if (chars.length + s < 0) s = 0;
        const end = length === undefined ? undefined : s >= 0 ? s + length : chars.length + s + length;
        const expected = length !== undefined && length <= 0 ? '' : chars.slice(s, end).join('');
        expect(substring.evaluate({ text, start, length })).toBe(expected);
      }
  });

  it.each(PAST_THE_DEADLINE)('stops %s at the deadline: %s', (_what, expr) => {
    workClock();
    const e = failure(engine, expr, { timeoutMs: 8 });
    expect({ code: e.code, message: e.message }).toEqual(TIMEOUT);
    expectHealthy(engine);
  });

  it.each(PAST_THE_SIZE_LIMIT)('refuses %s at the output limit: %s', (_what, expr, guards) => {
    const e = failure(engine, expr, guards);
    expect({ code: e.code, message: e.message }).toEqual(TOO_LONG);
    expectHealthy(engine);
  });

  it('keeps jsonata-js’s own limit for ranges over ten million items (D2014, at the range operator)', () => {
    const e = failure(engine, '[1..20000000]');
    expect(e.code).toBe('D2014');
    expect(e.message).toBe(
      'The size of the sequence allocated by the range operator (..) must not exceed 1e7.  Attempted to allocate 20000000.',
    );
    expect(e.position).toBe(4);
    expectHealthy(engine);
  });

  it('gives the same values as before on large inputs within the guards', () => {
    const run = (expr: string): unknown =>
      JSON.parse(JSON.stringify(engine.compile(expr).evaluate(input, {}, { timeoutMs: 60_000 })));
    expect(run('$sort(nums)[[0, 1, 999999]]')).toEqual([1, 2, N]);
    expect(run('$reverse(nums)[[0, 999999]]')).toEqual([1, N]);
    expect(run('$count($split(text, ""))')).toBe(N);
    expect(run('$count($split(words, "b"))')).toBe(N / 2 + 1);
    expect(run('$split(words, "b", 3)')).toEqual(['a', 'a', 'a']);
    expect(run('$length($join(chars, ","))')).toBe(2 * N - 1);
    expect(run('$length($trim(spaced))')).toBe(N - 1);
    expect(run('$length(emoji)')).toBe(N);
    expect(run('$length($substring(emoji, -3))')).toBe(3);
    expect(run('$substring(emoji, 999998, 5)')).toBe('😀😀');
    expect(run('$count($spread(pairs))')).toBe(20_000);
    expect(run('$sum(nums)')).toBe((N * (N + 1)) / 2);
    expect(run('$length($string(chars))')).toBe(JSON.stringify(input.chars).length);
  });
});
