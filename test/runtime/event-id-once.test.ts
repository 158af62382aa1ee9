/**
 * The event id travels once (engine/runtime/ingest/event-publisher.ts, `eventIdOf` in broker/subjects.ts): ingest
 * stores a webhook event with `Nats-Msg-Id: <integration>:<event id>` and no `Junction-Event-Id`, and the worker
 * reads the id from the msg id. An event stored before that change (with both headers) must still be the same event
 * to the worker: here the same event is stored both ways, and the delivery ledger lets one write through.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { Msg } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, HEADER } from '../../engine/runtime/broker/subjects.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

describe('the event id in the stored headers', () => {
  it('is stored once, and an event stored with both headers is the same event to the worker: one write', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ dedupId: '$string(id) & "-" & $string(seq)' })],
    });
    // What ingest publishes, as the stream stores it: a plain subscriber on the events subjects sees the same message.
    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const published: Msg[] = [];
      nc.subscribe(`${EVENTS_PREFIX}.orders.*`, {
        callback: (error, msg) => {
          if (!error) published.push(msg);
        },
      });
      await nc.flush();
      expect((await h.post('orders', { id: 1, seq: 1, status: 'new' })).body).toMatchObject({
        id: '1-1',
        key: '1',
        duplicate: false,
      });
      await waitFor(() => h!.target.records.has('1') && published.length === 1, 'stored and delivered');
      const [stored] = published;
      expect(stored!.headers!.has(HEADER.eventId)).toBe(false);
      expect(stored!.headers!.get(HEADER.msgId)).toBe('orders:1-1');
      expect(stored!.headers!.get(HEADER.key)).toBe('1');
      expect(h.target.requests).toHaveLength(1);
      const [first] = h.target.requests;

      // The same event as the engine stored it before (both headers), under another msg id so the broker stores it.
      const before = headers();
      before.set(HEADER.eventId, '1-1');
      before.set(HEADER.key, '1');
      before.set(HEADER.commit, stored!.headers!.get(HEADER.commit));
      before.set(HEADER.msgId, 'orders:1-1:stored-before');
      const ack = await jetstream(nc).publish(stored!.subject, stored!.data, { headers: before });
      expect(ack.duplicate).toBe(false);
      await expectDrained(h.nats.url);
      // The worker read `orders:1-1` from both: the ledger skipped the second copy.
      expect(h.target.requests).toEqual([first]);
      expect(first!.idempotencyKey).toEqual(expect.any(String));
    } finally {
      await nc.close();
    }
  });
});
