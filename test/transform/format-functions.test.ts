/**
 * Junction's JSONata formatting functions ($formatNumber, $formatBase, $formatInteger, $parseInteger, $fromMillis,
 * $now, $toMillis) against the JSONata test suite. Until our engine is ready the cases run through jsonata-js with
 * the built-ins replaced by ours (registerFunction shadows a built-in in that expression's environment); a counter
 * proves ours were the ones called.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { formatBase, formatInteger, formatNumber, fromMillis, parseInteger, toMillis } from '../../engine/transform/jsonata/format/index.js';
import { TransformError } from '../../engine/transform/transform-engine.js';

const SUITE = process.env.JSONATA_TEST_SUITE ?? '/work/shared/jsonata-test-suite';
const GROUPS = ['function-formatNumber', 'function-formatBase', 'function-formatInteger', 'function-parseInteger', 'function-fromMillis', 'function-tomillis'];
const OURS = /\$(formatNumber|formatBase|formatInteger|parseInteger|fromMillis|toMillis|now)\(/;

/**
 * Suite cases (`group/file#index`) we knowingly fail, with the reason. Empty: every case passes.
 */
const KNOWN_FAILURES: Record<string, string> = {};

interface SuiteCase {
  id: string;
  expr: string;
  data?: unknown;
  dataset?: string | null;
  bindings?: Record<string, unknown>;
  result?: unknown;
  undefinedResult?: boolean;
  code?: string;
}

function loadCases(): SuiteCase[] {
  if (!existsSync(SUITE)) return [];
  const groupsDir = `${SUITE}/groups`;
  const cases: SuiteCase[] = [];
  for (const group of readdirSync(groupsDir).sort()) {
    for (const file of readdirSync(`${groupsDir}/${group}`).filter((f) => f.endsWith('.json')).sort()) {
      const parsed = JSON.parse(readFileSync(`${groupsDir}/${group}/${file}`, 'utf8')) as SuiteCase | SuiteCase[];
      const list = Array.isArray(parsed) ? parsed : [parsed];
      list.forEach((c, i) => {
        // our groups, plus any case elsewhere that calls one of our functions
        if (GROUPS.includes(group) || OURS.test(c.expr)) cases.push({ ...c, id: `${group}/${file}#${i}` });
      });
    }
  }
  return cases;
}

const datasets = new Map<string, unknown>();
function input(c: SuiteCase): unknown {
  if (c.data !== undefined) return c.data;
  if (!c.dataset) return undefined;
  if (!datasets.has(c.dataset)) datasets.set(c.dataset, JSON.parse(readFileSync(`${SUITE}/datasets/${c.dataset}.json`, 'utf8')));
  return datasets.get(c.dataset);
}

const calls = new Map<string, number>();
type Fn = (...args: never[]) => unknown;
const REPLACEMENTS: [string, Fn, string][] = [
  ['formatNumber', formatNumber as Fn, '<n-so?:s>'],
  ['formatBase', formatBase as Fn, '<n-n?:s>'],
  ['formatInteger', formatInteger as Fn, '<n-s:s>'],
  ['parseInteger', parseInteger as Fn, '<s-s:n>'],
  ['fromMillis', fromMillis as Fn, '<n-s?s?:s>'],
  ['toMillis', toMillis as Fn, '<s-s?:n>'],
  ['now', ((picture?: string, timezone?: string) => fromMillis(Date.now(), picture, timezone)) as Fn, '<s?s?:s>'],
];

async function run(c: SuiteCase): Promise<unknown> {
  const expr = jsonata(c.expr);
  for (const [name, fn, signature] of REPLACEMENTS) {
    expr.registerFunction(name, (...args: unknown[]) => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return fn(...(args as never[]));
    }, signature);
  }
  return expr.evaluate(input(c), c.bindings);
}

const cases = loadCases();

describe.skipIf(cases.length === 0)('JSONata suite: formatting functions (ours, via jsonata-js)', () => {
  it('finds every case of our groups', () => {
    const perGroup = (g: string) => cases.filter((c) => c.id.startsWith(g + '/')).length;
    expect(GROUPS.map(perGroup)).toEqual([45, 9, 65, 61, 93, 60]);
  });

  for (const c of cases) {
    const known = KNOWN_FAILURES[c.id];
    it.skipIf(known !== undefined)(`${c.id}: ${c.expr}`, async () => {
      calls.clear();
      let result: unknown;
      let error: unknown;
      try {
        result = await run(c);
      } catch (e) {
        error = e;
      }
      // every one of our functions the expression names was really ours
      for (const m of c.expr.matchAll(new RegExp(OURS, 'g'))) expect(calls.get(m[1]) ?? 0, `$${m[1]} calls`).toBeGreaterThan(0);
      if (c.code !== undefined) {
        expect(error, 'expected an error').toBeDefined();
        expect((error as { code?: string }).code).toBe(c.code);
        return;
      }
      if (error) throw error;
      if (c.undefinedResult) expect(result).toBeUndefined();
      else expect(JSON.parse(JSON.stringify(result))).toEqual(c.result);
    });
  }
});

describe('formatting functions: direct API', () => {
  it('returns undefined for undefined input', () => {
    expect(formatNumber(undefined, '#')).toBeUndefined();
    expect(formatBase(undefined)).toBeUndefined();
    expect(formatInteger(undefined, '0')).toBeUndefined();
    expect(parseInteger(undefined, '0')).toBeUndefined();
    expect(fromMillis(undefined)).toBeUndefined();
    expect(toMillis(undefined)).toBeUndefined();
  });

  it('throws TransformError with the JSONata code', () => {
    const err = (() => {
      try {
        formatNumber(1, '#;#;#');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(TransformError);
    expect((err as TransformError).code).toBe('D3080');
    expect((err as TransformError).token).toBe('formatNumber');
    expect(() => toMillis('2018-02-30')).toThrow(expect.objectContaining({ code: 'D3110' }));
    expect(() => fromMillis(0, '[H]', 'noon')).toThrow(expect.objectContaining({ code: 'D3134' }));
  });

  it('rounds the decimal value half to even', () => {
    expect(formatNumber(0.125, '0.00')).toBe('0.12');
    expect(formatNumber(0.45, '0.0')).toBe('0.4');
    expect(formatNumber(2.675, '0.00')).toBe('2.68');
    expect(formatNumber(1.005, '0.00')).toBe('1.00');
    expect(formatNumber(2.5, '0')).toBe('2');
  });

  it('writes large numbers in full and renormalises a rounded mantissa (where jsonata-js does not)', () => {
    expect(formatNumber(1e21, '#,##0')).toBe('1,000,000,000,000,000,000,000');
    expect(formatInteger(1e21, '0')).toBe('1000000000000000000000');
    expect(formatNumber(9.99, '0.0e0')).toBe('1.0e1');
    expect(formatNumber(99999, '0.0e0')).toBe('1.0e5');
  });

  it('formats and parses words, Roman numerals and letters symmetrically', () => {
    for (const n of [0, 1, 13, 99, 100, 101, 999, 1000, 1001, 123456, 1000000, 987654321, 1e12 + 1, 1234567890123456]) {
      expect(parseInteger(formatInteger(n, 'w'), 'w')).toBe(n);
      expect(parseInteger(formatInteger(n, 'Ww;o'), 'w;o')).toBe(n);
      expect(parseInteger(formatInteger(n, '#,##0'), '#,##0')).toBe(n);
      if (n < 10000) expect(parseInteger(formatInteger(n, 'I'), 'I')).toBe(n);
      expect(parseInteger(formatInteger(n, 'a'), 'a')).toBe(n);
    }
    expect(parseInteger('xyz', '0')).toBeUndefined();
  });

  it('reads timestamps without an offset as UTC, independent of the host timezone', () => {
    expect(toMillis('2018-02-03T11:15:33')).toBe(Date.UTC(2018, 1, 3, 11, 15, 33));
    expect(toMillis('2018-02-03T11:15')).toBe(Date.UTC(2018, 1, 3, 11, 15));
    expect(toMillis('2018-02-03T11:15:33-05:30')).toBe(Date.UTC(2018, 1, 3, 16, 45, 33));
  });

  it('round-trips fromMillis and toMillis through pictures and timezones', () => {
    const pictures = [
      '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]',
      '[FNn], [D1o] [MNn] [Y] [h]:[m01]:[s01].[f001] [P] [Z]',
      '[Dwo] [MNn,3-3] [Yw] [H01][m01][s01][f001] [z]',
      '[Y0001]-[d001] [H]:[m]:[s].[f001] [Z0001]',
    ];
    for (const millis of [0, 951782400000, 1521801216617, 1709251199999, -2777932800000]) {
      for (const tz of ['+0000', '-0500', '+0530', '+1400']) {
        for (const picture of pictures) {
          expect(toMillis(fromMillis(millis, picture, tz), picture), `${millis} ${picture} ${tz}`).toBe(millis);
        }
      }
    }
  });

  it('formats timezones, including negative half-hour offsets', () => {
    expect(fromMillis(0, '[Z1:01]', '-0930')).toBe('-9:30');
    expect(fromMillis(0, '[H01]:[m01] [Z0101]', '-0930')).toBe('14:30 -0930');
    expect(fromMillis(0, '[z]')).toBe('GMT+00:00');
  });
});
