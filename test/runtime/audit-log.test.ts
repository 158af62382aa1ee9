/** The audit trail on a real broker: entries from two connections come back newest first, paged by sequence. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { AuditLog, provisionAuditStream } from '../../engine/runtime/stores/audit-log.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';

let nats: TestNatsServer | undefined;
afterEach(async () => {
  await nats?.dispose();
  nats = undefined;
});

async function openLog(url: string) {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await provisionAuditStream(jsm);
  return { nc, log: new AuditLog(jetstream(nc), jsm) };
}

it('keeps every action in order across processes and pages newest first', async () => {
  nats = await startTestNatsServer();
  const [a, b] = await Promise.all([openLog(nats.url), openLog(nats.url)]);
  try {
    await a.log.record({
      actor: { kind: 'user', id: 'ops@acme.test' },
      action: 'dlq.replay',
      target: 'abc-0',
      result: 'ok',
    });
    await b.log.record({
      actor: { kind: 'cli', id: 'root' },
      action: 'integration.pause',
      target: 'orders',
      result: 'ok',
      reason: 'ERP maintenance',
    });
    await a.log.record({
      actor: { kind: 'token', id: 'ci-bot' },
      action: 'dlq.discard',
      target: 'def-0',
      result: 'denied',
    });

    const all = await b.log.recent();
    expect(all.map((r) => [r.entry.action, r.entry.target, r.entry.result])).toEqual([
      ['dlq.discard', 'def-0', 'denied'],
      ['integration.pause', 'orders', 'ok'],
      ['dlq.replay', 'abc-0', 'ok'],
    ]);
    expect(all[1].entry).toMatchObject({ actor: { kind: 'cli', id: 'root' }, reason: 'ERP maintenance' });
    expect(Date.parse(all[0].entry.at)).toBeGreaterThanOrEqual(Date.parse(all[2].entry.at));

    const page = await a.log.recent({ limit: 1, before: all[0].seq });
    expect(page.map((r) => r.entry.action)).toEqual(['integration.pause']);
  } finally {
    await Promise.all([a.nc.close(), b.nc.close()]);
  }
});
