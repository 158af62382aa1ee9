/**
 * The progress display `junction backfill` and `junction reconcile` share: redrawn in place on a terminal; piped, a
 * line at most every 2 s and always the last one. The clock is a counter the test moves, so nothing here is timed.
 */
import { expect, it } from 'vitest';
import { endProgressLines, progressDisplay } from '../../engine/cli/progress-display.js';
import { reconcileProgressLine } from '../../engine/cli/formats/reconcile-report.js';

function output(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, out: { isTTY, write: (text: string) => writes.push(text) } };
}

it('piped: the first update, then one per 2 s, and the last on its own line', () => {
  const { writes, out } = output(false);
  let now = 1_000;
  const display = progressDisplay(
    (n: number) => `${n} done`,
    out,
    () => now,
  );
  display.show(1);
  now += 1_999;
  display.show(2);
  now += 1;
  display.show(3);
  display.show(4);
  display.done(5);
  expect(writes).toEqual(['1 done\n', '3 done\n', '5 done\n']);
});

it('on a terminal: every update redraws the line; the last ends it', () => {
  const { writes, out } = output(true);
  const display = progressDisplay(
    (n: number) => `${n} done`,
    out,
    () => 0,
  );
  display.show(1);
  display.show(2);
  display.done(2);
  expect(writes).toEqual(['\r\x1b[2K1 done', '\r\x1b[2K2 done', '\r\x1b[2K2 done\n']);
});

it('on a terminal: a command failing mid-way gets its line ended before the error is printed', () => {
  const { writes, out } = output(true);
  const display = progressDisplay(
    (n: number) => `${n} done`,
    out,
    () => 0,
  );
  display.show(1);
  endProgressLines();
  out.write('junction: the listing failed\n');
  expect(writes.join('')).toBe('\r\x1b[2K1 done\njunction: the listing failed\n');
  // Ended once: a finished display (or a piped one) adds no blank line.
  display.done(2);
  endProgressLines();
  const piped = output(false);
  progressDisplay((n: number) => `${n} done`, piped.out).show(1);
  endProgressLines();
  expect(writes.slice(-1)).toEqual(['\r\x1b[2K2 done\n']);
  expect(piped.writes).toEqual(['1 done\n']);
});

it('reconcile: a listing drawing a sample, then the comparisons with their bar and ETA', () => {
  const counts = { match: 38, differs: 1, missing: 1, skipped: 0, error: 0 };
  const none = { match: 0, differs: 0, missing: 0, skipped: 0, error: 0 };
  expect(reconcileProgressLine({ listed: 1200, checked: 0, counts: none }, 100, 3_000)).toBe(
    '1200 records  400/s  (listing, then 100 are compared)',
  );
  expect(reconcileProgressLine({ listed: 1200, checked: 40, total: 100, counts }, 100, 4_000)).toBe(
    '[##########--------------]  40/100  10/s  ETA 6s  (38 match, 1 differ, 1 missing, 0 skipped, 0 errors)',
  );
  expect(reconcileProgressLine({ listed: 40, checked: 40, counts }, undefined, 4_000)).toBe(
    '40 records  10/s  (38 match, 1 differ, 1 missing, 0 skipped, 0 errors)',
  );
});
