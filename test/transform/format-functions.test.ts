/**
 * The engine's formatting and parsing built-ins ($formatNumber, $formatBase, $formatInteger, $parseInteger,
 * $fromMillis, $toMillis), evaluated as JSONata expressions by the compiled engine. The official suite
 * (jsonata-suite.test.ts) covers the function-format* / function-parseInteger / function-fromMillis /
 * function-tomillis groups; these are the cases it does not pin down. Expected values are jsonata-js 2.2.2's,
 * except where a case says the engine deliberately differs (docs/jsonata-engine.md, "Deviations").
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { TransformError } from '../../engine/transform/transform-engine.js';

function ev(expr: string, bindings?: Record<string, unknown>): unknown {
  return junctionEngine.compile(expr).evaluate(undefined, bindings);
}

function failure(expr: string, bindings?: Record<string, unknown>): TransformError {
  try {
    ev(expr, bindings);
  } catch (e) {
    expect(e).toBeInstanceOf(TransformError);
    return e as TransformError;
  }
  throw new Error(`${expr} did not fail`);
}

describe('formatting functions', () => {
  it('return undefined for undefined input', () => {
    for (const expr of [
      `$formatNumber(undefined, '#')`,
      '$formatBase(undefined)',
      `$formatInteger(undefined, '0')`,
      `$parseInteger(undefined, '0')`,
      '$fromMillis(undefined)',
      '$toMillis(undefined)',
    ])
      expect(ev(expr), expr).toBeUndefined();
  });

  it('throw TransformError with the JSONata code and the function as token', () => {
    const err = failure(`$formatNumber(1, '#;#;#')`);
    expect(err.code).toBe('D3080');
    expect(err.token).toBe('formatNumber');
    expect(failure(`$toMillis('2018-02-03T11:15')`).code).toBe('D3110');
    expect(failure(`$toMillis('2018-13', '[Y0001]-[D01]')`).code).toBe('D3136');
    expect(failure(`$fromMillis(0, '[Z00001]')`).code).toBe('D3134');
  });

  it('round the decimal value half to even', () => {
    expect(ev(`$formatNumber(0.125, '0.00')`)).toBe('0.12');
    expect(ev(`$formatNumber(0.45, '0.0')`)).toBe('0.4');
    expect(ev(`$formatNumber(2.675, '0.00')`)).toBe('2.68');
    expect(ev(`$formatNumber(1.005, '0.00')`)).toBe('1.00');
    expect(ev(`$formatNumber(2.5, '0')`)).toBe('2');
  });

  it('write large numbers in full and renormalise a rounded mantissa (where jsonata-js does not)', () => {
    expect(ev(`$formatNumber(1e21, '#,##0')`)).toBe('1,000,000,000,000,000,000,000'); // jsonata-js: "1e,+21"
    expect(ev(`$formatNumber(9.99, '0.0e0')`)).toBe('1.0e1'); // jsonata-js: "10.0e0"
    expect(ev(`$formatNumber(99999, '0.0e0')`)).toBe('1.0e5'); // jsonata-js: "10.0e4"
    expect(ev(`$formatInteger(1e21, '0')`)).toBe('1e+21'); // as jsonata-js
  });

  it('write the mandatory fraction digits of large numbers, and numbers too large to round at that precision', () => {
    expect(ev(`$formatNumber(1e22, '#,##0.00')`)).toBe('10,000,000,000,000,000,000,000.00'); // jsonata-js "1e,+22.00"
    const big = ev(`$formatNumber(1e300, '0.000')`) as string; // jsonata-js: "1e+300.000"
    expect(big).toBe(BigInt(1e300).toString() + '.000');
  });

  it('refuse more fraction digits than JavaScript writes, and pictures of over 10,000 characters (U1005)', () => {
    expect(failure(`$formatNumber(1, '0.' & $pad('', 101, '0'))`).code).toBe('U1005'); // jsonata-js: a RangeError
    expect(ev(`$formatNumber(1.5, '0.' & $pad('', 100, '0'))`)).toBe('1.5' + '0'.repeat(99));
    for (const expr of [
      `$formatNumber(1, $pad('#', 1e6, '0'))`,
      `$formatInteger(1, $pad('0', 1e6, ','))`,
      `$parseInteger('1', $pad('0', 10001, '0'))`,
      `$fromMillis(0, $pad('', 30003, '[Y]'))`,
      `$toMillis('1', $pad('', 30003, '[Y]'))`,
    ]) {
      const e = failure(expr);
      expect([e.code, e.message]).toEqual(['U1005', expect.stringMatching(/picture of \d+ characters, at most 10000/)]);
    }
    expect(ev(`$formatInteger(1, $pad('0', 10000, '0'))`)).toBe('0'.repeat(9999) + '1');
  });

  it('format and parse words, Roman numerals, letters and grouped digits symmetrically', () => {
    const roundTrip = (n: number, format: string, parse: string) =>
      ev('$parseInteger($formatInteger($n, $f), $p)', { n, f: format, p: parse });
    for (const n of [0, 1, 13, 99, 100, 101, 999, 1000, 1001, 123456, 1000000, 987654321, 1e12 + 1, 1234567890123456]) {
      if (n < 1e15) {
        expect(roundTrip(n, 'w', 'w'), `${n} w`).toBe(n);
        expect(roundTrip(n, 'Ww;o', 'w;o'), `${n} Ww;o`).toBe(n);
      }
      expect(roundTrip(n, '#,##0', '#,##0'), `${n} #,##0`).toBe(n);
      if (n < 10000) expect(roundTrip(n, 'I', 'I'), `${n} I`).toBe(n);
      expect(roundTrip(n, 'a', 'a'), `${n} a`).toBe(n);
    }
    // from 1e15 the words nest scales ("one thousand, two hundred and thirty-four trillion, …"), which jsonata-js
    // (and so the engine) does not read back
    expect(ev(`$formatInteger(1234567890123456, 'w')`)).toMatch(
      /^one thousand, two hundred and thirty-four trillion, /,
    );
    expect(roundTrip(1234567890123456, 'w', 'w')).toBe(234567890124456);
    expect(ev(`$parseInteger('xyz', '0')`)).toBeNaN(); // as jsonata-js
  });

  it('read timestamps without an offset in host local time, as jsonata-js does', () => {
    expect(ev(`$toMillis('2018-02-03T11:15:33')`)).toBe(new Date(2018, 1, 3, 11, 15, 33).getTime());
    expect(ev(`$toMillis('2018-02-03T11:15:33Z')`)).toBe(Date.UTC(2018, 1, 3, 11, 15, 33));
    expect(ev(`$toMillis('2018-02-03T11:15:33-05:30')`)).toBe(Date.UTC(2018, 1, 3, 16, 45, 33));
    expect(ev(`$toMillis('2018-02-30')`)).toBe(Date.UTC(2018, 2, 2)); // rolls over, as jsonata-js
  });

  it('read a two-digit year as 19xx, as jsonata-js does', () => {
    expect(ev(`$toMillis('56', '[Y01]')`)).toBe(Date.UTC(1956, 0, 1));
    expect(ev(`$toMillis('03/04/56', '[D01]/[M01]/[Y01]')`)).toBe(Date.UTC(1956, 3, 3));
  });

  it('truncate the year to the picture width, as jsonata-js does', () => {
    const years = (picture: string) =>
      ev('$fromMillis(1521801216617, $p) & "|" & $fromMillis(254402300800000, $p) & "|" & $fromMillis(-1e14, $p)', {
        p: picture,
      });
    expect(years('[Y01]')).toBe('18|31|-99');
    expect(years('[Y,2]')).toBe('18|31|-99');
    expect(years('[Y0001,2-2]')).toBe('18|31|-99');
    expect(years('[Y#01]')).toBe('18|31|-199');
    expect(years('[Y0001]')).toBe('2018|0031|-1199');
    expect(years('[Y,3-4]')).toBe('2018|0031|-1199');
    expect(years('[Y]')).toBe('2018|10031|-1199');
  });

  it('format instants outside years 0-9999 and outside the Date range as jsonata-js does', () => {
    expect(ev('$fromMillis(253402300799999)')).toBe('9999-12-31T23:59:59.999Z');
    expect(ev('$fromMillis(8.64e15)')).toBe('5760-09-13T00:00:00.000Z');
    expect(ev('$fromMillis(-8.64e15)')).toBe('-1821-04-20T00:00:00.000Z');
    expect(ev('$fromMillis(1e20)')).toBe('0NaN-NaN-NaNTNaN:NaN:NaN.NaNZ');
  });

  it('default unspecified leading date components to the evaluation timestamp', () => {
    expect(ev(`$toMillis('10:30', '[H01]:[m01]') = $toMillis($now('[Y0001]-[M01]-[D01]') & 'T10:30:00Z')`)).toBe(true);
  });

  it('round-trip fromMillis and toMillis through pictures and timezones', () => {
    const pictures = [
      '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]',
      '[FNn], [D1o] [MNn] [Y] [h]:[m01]:[s01].[f001] [P] [Z]',
      '[Dwo] [MNn,3-3] [Yw] [H01][m01][s01][f001] [z]',
      '[Y0001]-[d001] [H]:[m]:[s].[f001] [Z0001]',
    ];
    for (const millis of [0, 951782400000, 1521801216617, 1709251199999, -2777932800000]) {
      for (const tz of ['+0000', '-0500', '+0530', '+1400']) {
        for (const picture of pictures) {
          expect(
            ev('$toMillis($fromMillis($ms, $p, $tz), $p)', { ms: millis, p: picture, tz }),
            `${millis} ${picture} ${tz}`,
          ).toBe(millis);
        }
      }
    }
  });

  it('format NaN and infinities as F&O says (where jsonata-js prints "-NaN.00")', () => {
    expect(ev(`$formatNumber(0 / 0, '#,##0.00')`)).toBe('NaN');
    expect(ev(`$formatNumber(1 / 0, '#,##0.00 EUR')`)).toBe('Infinity EUR');
    expect(ev(`$formatNumber(-1 / 0, '0.0')`)).toBe('-Infinity');
    expect(ev(`$formatNumber(-1 / 0, '0.0;(0.0)')`)).toBe('(Infinity)');
  });

  it('format timezones, including negative half-hour offsets (where jsonata-js does not)', () => {
    expect(ev(`$fromMillis(0, '[Z1:01]', '-0930')`)).toBe('-9:30'); // jsonata-js: "-10:30"
    expect(ev(`$fromMillis(0, '[H01]:[m01] [Z0101]', '-0930')`)).toBe('14:30 -0930'); // jsonata-js: "13:30 -1030"
    expect(ev(`$fromMillis(0, '[z]')`)).toBe('GMT+00:00');
  });

  it('refuses a timezone argument that is not an offset (jsonata-js prints NaN fields)', () => {
    expect(() => ev(`$fromMillis(0, '[H]', 'noon')`)).toThrow(
      '$fromMillis(): the timezone "noon" is not an offset such as "+0100" or "-05:00"',
    );
    expect(ev(`$fromMillis(0, '[H]:[m]', '-0530')`)).toBe('18:30');
  });
});
