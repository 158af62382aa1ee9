/**
 * `junction trace` says which spec commit a retry ran and why, once a record's attempts ran more than one commit:
 * pinned to its first attempt's, or the active one when the engine no longer held that set.
 */
import { expect, it } from 'vitest';
import { renderTrace } from '../../engine/cli/commands/trace.js';
import type { TraceRecord } from '../../engine/runtime/stores/trace-log.js';

const attempt = (eventId: string, n: number, commit: string, extra: Partial<TraceRecord> = {}): TraceRecord => ({
  integration: 'orders',
  key: '1',
  eventId,
  attempt: n,
  outcome: 'retrying',
  commit,
  storedAt: '2026-12-05T22:00:00.000Z',
  at: `2026-12-05T22:00:0${n}.000Z`,
  requests: [],
  ...extra,
});

it('marks a retry that ran the active commit because its first commit was no longer held', () => {
  const text = renderTrace({
    attempts: [attempt('e1', 1, 'c1'), attempt('e1', 2, 'c2', { outcome: 'delivered' })],
    integration: 'orders',
    key: '1',
    deadLetters: [],
  });
  expect(text).toBe(
    [
      'event e1  stored 2026-12-05T22:00:00.000Z',
      '  #1  2026-12-05T22:00:01.000Z  retrying        commit c1',
      '  #2  2026-12-05T22:00:02.000Z  delivered       commit c2 (not pinned: the engine no longer held c1, so it ran ' +
        'its active commit)',
      '',
    ].join('\n'),
  );
});

it('adds nothing while every attempt of the record ran one commit', () => {
  const text = renderTrace({
    attempts: [attempt('e1', 1, 'c1'), attempt('e1', 2, 'c1', { outcome: 'delivered' })],
    integration: 'orders',
    key: '1',
    deadLetters: [],
  });
  expect(text).not.toContain('pinned');
});
