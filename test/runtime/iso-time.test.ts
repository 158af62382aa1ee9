import { describe, expect, it } from 'vitest';
import { isoTime } from '../../engine/runtime/worker/iso-time.js';

const builtin = (ms: number) => new Date(ms).toISOString();

describe('isoTime', () => {
  it('writes what toISOString writes, across minutes, days, years and the ends of the Date range', () => {
    const times = [
      0, -0, 1, -1, 999, 1000, 59_999, 60_000, 60_001, -60_000, -60_001, 1_764_900_000_000, 1_764_900_059_999,
      951_782_400_000 /* 2000-02-29 */, 253_402_300_799_999 /* 9999-12-31T23:59:59.999Z */, 253_402_300_800_000,
      -62_198_755_200_001, 8.64e15, -8.64e15,
    ];
    // A walk over 50 years in irregular steps, forward and back over two and three minutes, so each of the two
    // minutes kept is hit, swapped with the other and replaced.
    for (let t = 1e12, step = 1; t < 2.6e12; t += step, step = (step * 7919 + 13) % 99_999_989)
      times.push(t, t - 61_000, t, t - 61_000, t - 125_000);
    const wrong = times.filter((t) => isoTime(t) !== builtin(t)).map((t) => [t, isoTime(t), builtin(t)]);
    expect(wrong).toEqual([]);
    expect(times.length).toBeGreaterThan(10_000);
  });

  it('drops fractions of a millisecond toward zero, as Date does (the broker timestamps in nanoseconds)', () => {
    for (const t of [1_764_900_000_123.999, 0.5, -0.5, -1.5, -59_999.9, Number(1_764_900_000_123_456_789n) / 1e6])
      expect(isoTime(t), String(t)).toBe(builtin(t));
  });

  it('throws the same RangeError for times a Date cannot hold', () => {
    for (const t of [NaN, Infinity, -Infinity, 8.64e15 + 1, -8.64e15 - 1])
      expect(() => isoTime(t)).toThrow(/Invalid time value/);
  });

  it('is the current time without an argument', () => {
    const before = Date.now();
    const at = Date.parse(isoTime());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
});
