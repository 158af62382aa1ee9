import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stableHash, stableStringify, stableStringifyDeep } from '../../engine/execute/stable-hash.js';

/** The original implementation: stored hashes (ledger keys, last-written hashes, spec hashes) depend on its output. */
function referenceStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(referenceStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceStringify(v)}`).join(',')}}`;
}
const referenceHash = (value: unknown) =>
  createHash('sha256').update(referenceStringify(value)).digest('hex').slice(0, 32);

/** A small deterministic PRNG, so a failure is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) | 0;
    return ((seed ^ (seed >>> 14)) >>> 0) / 2 ** 32;
  };
}

const KEYS = [
  'a',
  'B',
  'b',
  '_',
  'Z',
  'key',
  'é',
  '😀',
  '10',
  '9',
  '1a',
  '',
  'with "quote"',
  'line\nbreak',
  '__proto__x',
  'z',
];
const SCALARS: unknown[] = [
  0,
  -0,
  1.5,
  -3e21,
  1e-7,
  NaN,
  Infinity,
  true,
  false,
  null,
  undefined,
  '',
  'text',
  'ünï',
  '"\\',
  '\u2028',
  '😀',
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth <= 0 || pick < 0.45) return SCALARS[Math.floor(next() * SCALARS.length)];
  if (pick < 0.7) return Array.from({ length: Math.floor(next() * 5) }, () => randomValue(next, depth - 1));
  const out: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--)
    out[KEYS[Math.floor(next() * KEYS.length)]] = randomValue(next, depth - 1);
  return out;
}

describe('stableStringify', () => {
  it('sorts keys and drops undefined properties', () => {
    expect(stableStringify({ b: 1, a: [2, undefined, { d: undefined, c: 'x' }] })).toBe(
      '{"a":[2,null,{"c":"x"}],"b":1}',
    );
    expect(stableStringify({ b: 1, a: 2 })).toBe(stableStringify({ a: 2, b: 1 }));
  });

  it('is byte for byte the original output on random values', () => {
    const next = rng(42);
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(next, 5);
      expect(stableStringify(value)).toBe(referenceStringify(value));
    }
  });

  it('keeps the original oddities (integer-like keys, holes, functions, dates, typed arrays, array properties)', () => {
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const flagged = Object.assign([1, 2], { sequence: true });
    const odd: unknown[] = [
      { 10: 'a', 9: 'b', x: 'c' },
      sparse,
      [() => 1, Symbol('s')],
      { f: () => 1 },
      new Date(0),
      new Uint8Array([1, 2]),
      flagged,
      new Map([['a', 1]]),
      Object.create(null),
      undefined,
      'top',
      42,
    ];
    for (const value of odd) expect(stableStringify(value)).toBe(referenceStringify(value));
  });
});

describe('stableStringifyDeep (the fallback for values nested beyond the call stack)', () => {
  it('writes exactly what the recursive writer writes', () => {
    const next = rng(99);
    for (let i = 0; i < 3000; i++) {
      const value = { v: randomValue(next, 6) };
      expect(stableStringifyDeep(value)).toBe(stableStringify(value));
    }
    const odd = [[1, , () => 1, Symbol('s'), undefined], { f: () => 1, u: undefined, d: new Date(0) }]; // eslint-disable-line no-sparse-arrays
    for (const value of odd) expect(stableStringifyDeep(value)).toBe(referenceStringify(value));
  });

  it('takes over when a value is too deep for recursion', () => {
    let deep: unknown = { z: 1, a: [true] };
    for (let i = 0; i < 20_000; i++) deep = { b: deep, a: i % 2 ? [i] : null };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    const text = stableStringify(deep);
    expect(text.length).toBeGreaterThan(20_000 * 10);
    expect(text.startsWith('{"a":[19999],"b":{"a":null,"b":{"a":[19997],')).toBe(true);
    expect(text.endsWith('{"a":[true],"z":1}' + '}'.repeat(20_000))).toBe(true);
  });
});

describe('stableHash', () => {
  it('is the original hash', () => {
    const next = rng(7);
    for (let i = 0; i < 200; i++) {
      const value = randomValue(next, 4);
      expect(stableHash(value)).toBe(referenceHash(value));
    }
    expect(stableHash({ order: 1 })).toMatch(/^[0-9a-f]{32}$/);
  });
});
