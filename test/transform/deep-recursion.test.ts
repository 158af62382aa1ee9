/**
 * Non-tail recursion as deep as jsonata-js goes (10,000 levels and more). Past this thread's JS stack the evaluation
 * runs again in a worker thread with a large stack, under the same time guard, calling the evaluation's JS binding
 * functions back in this thread.
 */
import { describe, expect, it } from 'vitest';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import type { TransformGuards } from '../../engine/transform/transform-engine.js';

// a generous time guard: these tests are about depth, and the machine may be busy
const ev = (expr: string, input: unknown = {}, bindings = {}, guards: TransformGuards = { timeoutMs: 30_000 }) =>
  junctionEngine.compile(expr).evaluate(input, bindings, guards);

const SLOW = 90_000;

describe('deep recursion', () => {
  it(
    'counts down 10,000 levels of non-tail recursion',
    () => {
      expect(ev('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(10000))')).toBe(10000);
    },
    SLOW,
  );

  it(
    'splits an 11 KB product text into 60-character M3 lines',
    () => {
      const text = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(200).slice(0, 11_000);
      const lines = ev(
        `($split := function($s) { $length($s) <= 60 ? [$s] : $append($substring($s, 0, 60), $split($substring($s, 60))) };
          $split(text))`,
        { text },
      ) as string[];
      expect(lines.length).toBe(184);
      expect(lines.join('')).toBe(text);
      expect(lines.every((l) => l.length <= 60)).toBe(true);
    },
    SLOW,
  );

  it(
    'calls binding functions from the deep evaluation and keeps $now()',
    () => {
      const rates: Record<string, number> = { EUR: 1, GBP: 2 };
      const result = ev(
        `($f := function($n) { $n = 0 ? 0 : $rate($n % 2 = 0 ? "EUR" : "GBP") + $f($n - 1) };
          { "sum": $f(6000), "same": $now() = $fromMillis($millis()) })`,
        {},
        { rate: (c: string) => rates[c] },
      );
      expect(result).toEqual({ sum: 9000, same: true });
    },
    SLOW,
  );

  it(
    'reports errors raised deep down with their code and position',
    () => {
      let error: { code?: string; position?: number } | undefined;
      try {
        ev('($f := function($n){ $n = 0 ? $error("bottom") : 1 + $f($n - 1) }; $f(8000))');
      } catch (e) {
        error = e as { code?: string };
      }
      expect(error).toMatchObject({ code: 'D3137', message: 'bottom' });
    },
    SLOW,
  );

  it(
    'stops unbounded non-tail recursion with U1001 (depth, or time when the depth is unlimited)',
    () => {
      let code: string | undefined;
      try {
        ev('($f := function($n){ 1 + $f($n + 1) }; $f(0))');
      } catch (e) {
        code = (e as { code?: string }).code;
        expect((e as Error).message).toMatch(/Stack overflow/);
      }
      expect(code).toBe('U1001');
      let timeout: { code?: string; message?: string } | undefined;
      try {
        ev('($f := function($n){ 1 + $f($n + 1) }; $f(0))', {}, {}, { maxDepth: Infinity, timeoutMs: 300 });
      } catch (e) {
        timeout = e as { code?: string };
      }
      expect(timeout?.code).toBe('U1001');
    },
    SLOW,
  );
});
