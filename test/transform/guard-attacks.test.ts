/**
 * The engine's guards tried as an attacker would (an expression from a spec, data from a webhook): each attempt ends
 * in a clear TransformError (a code and a message) or a correct value, never a JavaScript RangeError, a hang past
 * the guard or a change to Object.prototype.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { TransformError } from '../../engine/transform/transform-engine.js';
import type { TransformGuards } from '../../engine/transform/transform-engine.js';

function run(expr: string, input: unknown = {}, guards?: TransformGuards): unknown {
  return junctionEngine.compile(expr).evaluate(input, {}, guards);
}

function failure(expr: string, input: unknown = {}, guards?: TransformGuards): TransformError {
  try {
    run(expr, input, guards);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformError);
    return e as TransformError;
  }
  throw new Error(`${expr} did not fail`);
}

describe('guards under attack', () => {
  it('compiles expressions nested past the parser stack to U1005, not a syntax error quoting them', () => {
    for (const expr of [
      '('.repeat(100_000) + '1' + ')'.repeat(100_000),
      '['.repeat(50_000) + '1' + ']'.repeat(50_000),
      '$not('.repeat(20_000) + 'true' + ')'.repeat(20_000),
    ]) {
      let error: unknown;
      try {
        junctionEngine.compile(expr);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TransformError);
      expect((error as TransformError).code).toBe('U1005');
      expect((error as TransformError).message).toMatch(
        /^Beyond what the engine supports: the expression is nested too/,
      );
    }
  });

  it('pads with a long pad string without building more than the result (it threw a RangeError)', () => {
    const padded = run('$pad("", 1e6, $pad("", 1e3, "xy"))') as string;
    expect(padded.length).toBe(1_000_000);
    expect(padded.startsWith('xyxy')).toBe(true);
    expect(failure('$pad("", 1e8, $pad("", 1e3, "x"))').code).toBe('U1003');
  });

  it('stops string and array blow-ups at the output guard', () => {
    expect(failure('$replace($pad("", 2e4, "a"), "a", $pad("", 1e3, "b"))').code).toBe('U1003');
    expect(failure('$join([1..2000].$pad("", 1e4, "x"))').code).toBe('U1003');
    expect(failure('$string([1..1e6])', {}, { maxOutputLength: 100_000 }).code).toBe('U1003');
    expect(failure('[1..1e8]').code).toBe('D2014');
  });

  it('stops quadratic work on long arrays and recursion through $eval at the time guard', () => {
    const guards = { timeoutMs: 200 };
    expect(failure('$distinct([1..1e5].{"a": $})', {}, guards).code).toBe('U1001');
    // A million: 1e5 sorted in 0.5 s (warm, loaded host), too close to the 200 ms guard for a fast, quiet machine.
    expect(failure('$sort([1..1e6], function($a, $b) { $a < $b })', {}, guards).code).toBe('U1001');
    expect(failure('$eval("($f := function() { $f() }; $f())")', {}, guards).code).toBe('U1001');
    expect(failure('$match($pad("", 3000, "a") & "b", /^(a*)*\\1$/)', {}, guards).code).toBe('U1001');
  });

  describe('prototype names', () => {
    const data = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}');
    afterEach(() => {
      expect(Object.prototype).not.toHaveProperty('polluted');
      expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    });

    it('are ordinary keys in data and constructors, and never reach Object.prototype', () => {
      expect(run('$merge([{"__proto__": {"polluted": 1}}]).__proto__.polluted')).toBe(1);
      // as in jsonata-js, a group named __proto__ is not readable back, and sets nothing
      expect(run('[{"k": "__proto__", "v": {"polluted": 1}}]{k: v}.__proto__.polluted')).toBeUndefined();
      expect(run('$lookup($, "__proto__").polluted', data)).toBe(1);
      expect(run('$join($keys($), ",")', data)).toBe('__proto__,a');
      expect(run('$string($spread($))', data)).toBe('[{"__proto__":{"polluted":1}},{"a":1}]');
      expect(run('$string($sift($, function($v) { true }))', data)).toBe('{"__proto__":{"polluted":1},"a":1}');
      expect(run('$string($ ~> |$|{"__proto__": {"polluted": 2}}|)', data)).toBe('{"__proto__":{"polluted":2},"a":1}');
    });

    it('do not reach the JavaScript runtime through inherited names', () => {
      expect(run('$lookup($, "constructor")', data)).toBeUndefined();
      expect(run('$.constructor.prototype', data)).toBeUndefined();
      expect(run('$$.constructor.constructor("return process")()', data)).toBeUndefined();
      expect(run('$eval("constructor.constructor(\\"return process\\")()")', data)).toBeUndefined();
      expect(run('$string.constructor', data)).toBeUndefined();
      expect(failure('$.toString()', data).code).toBe('T1006');
    });
  });
});
