/** The schedule source's stored position: inclusive cursors with the records already stored at them. */
import { expect, it } from 'vitest';
import { advance, shiftTimestamp, snapshotPosition } from '../../engine/runtime/sources/poll-cursor.js';
import { cursorReadsNoRecord } from '../../engine/runtime/sources/record-free-cursor.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';

it('moves timestamps in the format they came in, in UTC', () => {
  expect(shiftTimestamp('2026-12-01 10:00:00', -5000)).toBe('2026-12-01 09:59:55');
  expect(shiftTimestamp('2026-12-01T00:00:02.000+0000', -5000)).toBe('2026-11-30T23:59:57.000+0000');
  expect(shiftTimestamp('2026-12-01T10:00:00Z', -60_000)).toBe('2026-12-01T09:59:00Z');
  expect(shiftTimestamp('2026-12-01T10:00:00+02:00', -1000)).toBe('2026-12-01T09:59:59+02:00');
  expect(shiftTimestamp('20261201', -1000)).toBeUndefined();
});

it('keeps the greatest cursor and remembers only the records at it (or within the overlap)', () => {
  const polled = [
    { value: '2026-12-01 09:59:58', hash: 'a' },
    { value: '2026-12-01 10:00:00', hash: 'b' },
    { value: '2026-12-01 10:00:00', hash: 'c' },
  ];
  expect(
    advance({ cursor: '2026-12-01 09:00:00', seen: [['2026-12-01 09:00:00', 'z']], revision: 3 }, polled, 0),
  ).toEqual({
    cursor: '2026-12-01 10:00:00',
    seen: [
      ['2026-12-01 10:00:00', 'b'],
      ['2026-12-01 10:00:00', 'c'],
    ],
  });
  expect(advance({ seen: [], revision: 0 }, polled, 5000)).toEqual({
    cursor: '2026-12-01 10:00:00',
    seen: [
      ['2026-12-01 09:59:58', 'a'],
      ['2026-12-01 10:00:00', 'b'],
      ['2026-12-01 10:00:00', 'c'],
    ],
  });
  // Nothing new: the position stays, and what was seen at the cursor is still remembered.
  const kept = { cursor: '2026-12-01 10:00:00', seen: [['2026-12-01 10:00:00', 'b']] as [string, string][] };
  expect(advance({ ...kept, revision: 4 }, [], 0)).toEqual(kept);
  // Numbers compare as numbers (M3 YYYYMMDD change dates).
  expect(advance({ cursor: '20261130', seen: [], revision: 1 }, [{ value: '20261201', hash: 'd' }], 0)).toEqual({
    cursor: '20261201',
    seen: [['20261201', 'd']],
  });
});

it('remembers the content each record key was stored with last, so an earlier content is a change again', () => {
  const stored = {
    cursor: '20261201',
    seen: [['20261201', 'item-a', 'RET-1'] as [string, string, string]],
    revision: 7,
  };
  // RET-1 changed to b the same day (the same change date): b replaces a, which is no longer remembered.
  expect(advance(stored, [{ value: '20261201', hash: 'item-b', key: 'RET-1' }], 0)).toEqual({
    cursor: '20261201',
    seen: [['20261201', 'item-b', 'RET-1']],
  });
  // Entries of older engines (no key) stand for their content alone; a record without a key is kept by its hash.
  expect(
    advance({ cursor: '20261201', seen: [['20261201', 'old']], revision: 8 }, [{ value: '20261201', hash: 'x' }], 0),
  ).toEqual({
    cursor: '20261201',
    seen: [
      ['20261201', 'old'],
      ['20261201', 'x'],
    ],
  });
});

it('tells a cursor that reads nothing of the record ($now()) from one that reads a field', () => {
  const readsNothing = (source: string) => cursorReadsNoRecord(junctionEngine.compile(source));
  expect(readsNothing('$now()')).toBe(true);
  expect(readsNothing('$fromMillis($toMillis($now()) - 1000)')).toBe(true);
  expect(readsNothing('LMDT')).toBe(false);
  expect(readsNothing('$substring(IDAT, 0, 4) & $pad(IVNO, -9, "0")')).toBe(false);
  expect(readsNothing('$string($)')).toBe(false);
  expect(readsNothing('$now() & **.x')).toBe(false);
});

it('a snapshot keeps its cursor and remembers exactly the last poll, by record identity', () => {
  const last = { cursor: undefined, seen: [['100/MUG-1/A-01', 'stock-120'] as [string, string]], revision: 4 };
  const polled = [
    { value: '100/MUG-1/A-01', hash: 'stock-150' },
    { value: '100/TEE-1/A-02', hash: 'stock-45' },
  ];
  // The earlier content of MUG-1 is forgotten: should its balance go back to it, it flows again.
  expect(snapshotPosition(last, polled)).toEqual({
    cursor: undefined,
    seen: [
      ['100/MUG-1/A-01', 'stock-150'],
      ['100/TEE-1/A-02', 'stock-45'],
    ],
  });
  expect(snapshotPosition({ cursor: '1', seen: [], revision: 0 }, [{ hash: 'h' }])).toEqual({
    cursor: '1',
    seen: [['', 'h']],
  });
});
