/**
 * A purge deletes dead letters for good, so its audit entry says which: each entry's id, integration and record key
 * (as a discard's does), also when the purge stopped part way (the broker refused a delete). Before, the entry kept
 * only a count, and a purge that failed after deleting some recorded `failed` with no trace of what was gone.
 */
import { expect, it } from 'vitest';
import { OperatorActions } from '../../engine/runtime/operator/operator-actions.js';
import type { AuditEntry, AuditLog } from '../../engine/runtime/stores/audit-log.js';
import type { DeadLetter, DeadLetterStore } from '../../engine/runtime/stores/dead-letter-store.js';
import type { EventPublisher } from '../../engine/runtime/ingest/event-publisher.js';

const letter = (n: number): DeadLetter => ({
  id: `id${n}-0`,
  integration: 'orders',
  eventId: `e${n}`,
  key: String(n),
  subject: 'junction.events.orders.0',
  event: { id: n, password: 'never-audited' },
  commit: 'c',
  error: { code: 'validation', message: 'no' },
  reason: 'permanent',
  attempts: 1,
  createdAt: `2026-12-0${n}T00:00:00.000Z`,
  status: 'open',
});

function world(failAt?: number) {
  const audited: Omit<AuditEntry, 'at'>[] = [];
  const gone: string[] = [];
  const store = {
    lastWritten: async () => 3,
    page: async () => ({ entries: [letter(1), letter(2), letter(3)], next: null }),
    discard: async (e: DeadLetter) => {
      if (gone.length === failAt) throw new Error('TIMEOUT');
      gone.push(e.id);
    },
  } as unknown as DeadLetterStore;
  const audit = { record: async (e: Omit<AuditEntry, 'at'>) => void audited.push(e) } as unknown as AuditLog;
  const actions = new OperatorActions({ deadLetters: store, publisher: {} as EventPublisher, audit });
  return { actions, audited, gone };
}
const actor = { kind: 'cli', id: 'ops@host' } as const;

it('records every purged entry: id, integration and key, never its content', async () => {
  const w = world();
  expect(await w.actions.purge(actor, { integration: 'orders' }, 'GDPR erasure #7')).toEqual({
    status: 'purged',
    ids: ['id1-0', 'id2-0', 'id3-0'],
  });
  expect(w.audited).toEqual([
    {
      actor,
      action: 'dlq.purge',
      target: 'orders',
      reason: 'GDPR erasure #7',
      result: 'ok',
      detail: {
        count: 3,
        entries: [
          { id: 'id1-0', integration: 'orders', key: '1' },
          { id: 'id2-0', integration: 'orders', key: '2' },
          { id: 'id3-0', integration: 'orders', key: '3' },
        ],
      },
    },
  ]);
});

it('records what a purge deleted before it stopped', async () => {
  const w = world(2);
  await expect(w.actions.purge(actor, { integration: 'orders' }, 'cleanup')).rejects.toThrow('TIMEOUT');
  expect(w.gone).toEqual(['id1-0', 'id2-0']);
  expect(w.audited).toEqual([
    {
      actor,
      action: 'dlq.purge',
      target: 'orders',
      reason: 'cleanup',
      result: 'failed',
      detail: {
        error: 'TIMEOUT',
        count: 2,
        entries: [
          { id: 'id1-0', integration: 'orders', key: '1' },
          { id: 'id2-0', integration: 'orders', key: '2' },
        ],
      },
    },
  ]);
});
