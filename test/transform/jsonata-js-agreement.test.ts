/**
 * Disagreements with jsonata-js 2.2.2 found outside the official suite, each pinned to jsonata-js's exact result or
 * error code (obtained by running jsonata-js on the same expression).
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';

const ev = (expr: string, input: unknown = {}) => junctionEngine.compile(expr).evaluate(input, {}, { timeoutMs: 2000 });

function code(expr: string): string | undefined {
  try {
    ev(expr);
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

describe('$toMillis with a picture', () => {
  it('returns for an ordinal year picture (it never returned, and the time guard did not stop it)', () => {
    expect(ev(`$toMillis('2018th', '[Y0001;o]')`)).toBe(1514764800000);
    expect(ev(`$toMillis('2018;th', '[Y0001;o]')`)).toBeUndefined();
    expect(ev(`$formatInteger(2018, '0001;o')`)).toBe('2018th');
  });

  it('fills components missing before the first given one from the evaluation timestamp', () => {
    expect(ev(`$toMillis('15', '[D]') = $toMillis($now('[Y0001]-[M01]') & '-15T00:00:00Z')`)).toBe(true);
    expect(ev(`$toMillis('1st', '[D1;o]') = $toMillis($now('[Y0001]-[M01]') & '-01T00:00:00Z')`)).toBe(true);
    expect(ev(`$toMillis('3pm', '[h][P]') = $toMillis($now('[Y0001]-[M01]-[D01]') & 'T15:00:00Z')`)).toBe(true);
    expect(ev(`$toMillis('Foo 2018', '[MNn] [Y]')`)).toBe(1514764800000);
    expect(ev(`$toMillis('2018-100', '[Y0001]-[d]')`)).toBe(1523318400000);
  });

  it('reads minutes-only pictures (the hour comes from the evaluation timestamp)', () => {
    expect(ev(`$toMillis('30', '[m]') = $toMillis($now('[Y0001]-[M01]-[D01]T[H01]') & ':30:00Z')`)).toBe(true);
    expect(ev(`$toMillis('10:30', '[m]:[s]') = $toMillis($now('[Y0001]-[M01]-[D01]T[H01]') & ':10:30Z')`)).toBe(true);
  });

  it('refuses a gap between given components (D3136) and ISO text with repeated parts (D3110)', () => {
    expect(code(`$toMillis('2018-13', '[Y0001]-[D01]')`)).toBe('D3136');
    expect(code(`$toMillis('2018-01-01-01')`)).toBe('D3110');
  });
});

describe('$formatNumber', () => {
  it('shows one fraction digit when the picture has no mandatory digit (`#,###.##`)', () => {
    expect(ev(`$formatNumber(12, '#,###.##')`)).toBe('12.0');
    expect(ev(`$formatNumber(0.04, '#,###.##')`)).toBe('.04');
    expect(ev(`$formatNumber(1234.5, '#,###.##')`)).toBe('1,234.5');
    expect(ev(`$formatNumber(0, '#.#')`)).toBe('.0');
  });

  it('reads an exponent separator right after the digits as an exponent without digits (D3093)', () => {
    expect(code(`$formatNumber(12, '0e')`)).toBe('D3093');
    expect(code(`$formatNumber(12, '0.0e')`)).toBe('D3093');
    expect(code(`$formatNumber(12, '0each')`)).toBe('D3093');
  });
});

describe('infinite numbers', () => {
  it('$type of an infinite number is D1001', () => {
    expect(code('$type(1/0)')).toBe('D1001');
    expect([...(ev('$map($append([1], 1/0), function($v) { 1 })') as number[])]).toEqual([1, 1]);
  });

  it("$type of NaN (`% 0`) is 'object', as jsonata-js's isNumeric says NaN is no number (fuzz seed 5)", () => {
    expect(ev('$type(1 % 0)')).toBe('object');
    expect(ev('$map([1], function($v) { $type($v % 0) })')).toBe('object');
  });
});

describe('regex groups', () => {
  it('an unmatched optional group is undefined, not ""', () => {
    expect(JSON.stringify(ev(`$match('ab', /(x)?(b)/).groups`))).toBe('[null,"b"]');
    expect(ev(`$match('ab', /(x)?(b)/).groups[0]`)).toBeUndefined();
    expect(ev(`$replace('ab', /(x)?(b)/, '[$1|$2]')`)).toBe('a[|b]');
  });
});
