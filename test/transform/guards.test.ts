/** Runaway expressions stop with a TransformError (U1001 depth/time, U1003 output, D2014 range) instead of hanging. */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { TransformError } from '../../engine/transform/transform-engine.js';
import type { TransformGuards } from '../../engine/transform/transform-engine.js';

function failure(expr: string, guards?: TransformGuards): TransformError {
  try {
    junctionEngine.compile(expr).evaluate({}, {}, guards);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformError);
    return e as TransformError;
  }
  throw new Error(`${expr} did not fail`);
}

describe('guards', () => {
  it('stops unbounded recursion at the depth limit', () => {
    expect(failure('($f := function($n){ 1 + $f($n + 1) }; $f(0))').code).toBe('U1001');
    expect(failure('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(100))', { maxDepth: 50 }).code).toBe(
      'U1001',
    );
  });

  it('stops an infinite tail-recursive loop at the time limit', () => {
    const e = failure('($f := function($n){ $f($n + 1) }; $f(0))', { timeoutMs: 100 });
    expect(e.code).toBe('U1001');
    expect(e.message).toMatch(/timeout/);
  });

  it('bounds produced strings and sequences', () => {
    expect(failure('$pad("", 5e7)').code).toBe('U1003');
    expect(failure('$join(["abc","def"], ",") & $pad("", 200)', { maxOutputLength: 100 }).code).toBe('U1003');
    expect(failure('[1..1e8]').code).toBe('D2014');
    expect(failure('($r := [1..999]; $count($r.$r))', { maxOutputLength: 10_000 }).code).toBe('U1003');
  });

  it('reports positions of syntax errors like jsonata-js', () => {
    let error: TransformError | undefined;
    try {
      junctionEngine.compile('{ "a": b c }');
    } catch (e) {
      error = e as TransformError;
    }
    expect(error).toMatchObject({ code: 'S0202', position: 10, token: 'c' });
    expect(error?.message).toBe('Expected "}", got "c"');
  });

  it('evaluates synchronously and calls JS binding functions synchronously', () => {
    const expr = junctionEngine.compile('$lookup("countries", code) & "/" & $up(name)');
    const result = expr.evaluate(
      { code: 'GB', name: 'x' },
      { lookup: (table: string, key: string) => `${table}:${key}`, up: (s: string) => s.toUpperCase() },
    );
    expect(result).toBe('countries:GB/X');
  });
});
