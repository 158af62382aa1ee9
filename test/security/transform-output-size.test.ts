/**
 * Transform sandbox: the output guard counts the serialized size of a result, so a body that shares one large value
 * many times cannot produce hundreds of megabytes of JSON (it fails U1003 instead).
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import type { TransformGuards } from '../../engine/transform/transform-engine.js';

function code(expr: string, guards?: TransformGuards): string | undefined {
  try {
    junctionEngine.compile(expr).evaluate({}, {}, guards);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('the output guard counts serialized size', () => {
  it('rejects a result that repeats one 10 MB string 40 times (400 MB of JSON)', () => {
    expect(code('($s := $pad("", 9999999, "x"); {"rows": [1..40].{"k": $s}})')).toBe('U1003');
  });

  it('rejects shared arrays nested into a large document', () => {
    const expr = '($a := [1..1000]; $b := [1..100].{"a": $a}; $c := [1..100].{"b": $b}; $c)';
    expect(code(expr, { maxOutputLength: 1_000_000 })).toBe('U1003');
  });

  it('rejects serializing such a value inside the expression (`&`, $string, transforms)', () => {
    const big = '($s := $pad("", 1000, "x"); $v := [1..500].{"k": $s};';
    const guards = { maxOutputLength: 100_000 };
    expect(code(`${big} $length("" & $v))`, guards)).toBe('U1003');
    expect(code(`${big} $length($string($v)))`, guards)).toBe('U1003');
    expect(code(`${big} $count($v ~> | $ | {"n": 1} |))`, guards)).toBe('U1003');
  });

  it('accepts results under the limit, however they are nested', () => {
    expect(code('($s := $pad("", 1000, "x"); [1..50].{"k": $s})', { maxOutputLength: 100_000 })).toBeUndefined();
    const deep = junctionEngine.compile('$').evaluate(JSON.parse('['.repeat(20_000) + ']'.repeat(20_000)));
    expect(Array.isArray(deep)).toBe(true);
  });
});
