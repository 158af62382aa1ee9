/**
 * How often the consumer pool asks the broker for messages (engine/runtime/worker/consumer-pool.ts): one pull request
 * per 32 deliveries of a partition, not one per event. Counted on the wire: nats-server routes every pull request
 * (`$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`) to any subscriber of its subject, so a plain subscription sees
 * each one. Order and completeness are checked too: the large batch must not change what arrives.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
let watcher: NatsConnection | undefined;
afterEach(async () => {
  await watcher?.close();
  await h?.dispose();
  h = watcher = undefined;
});

const EVENTS = 200;

describe('consumer pulls', () => {
  it('ask for the next messages once per 32 deliveries of a partition, and deliver every event in order', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    watcher = await connect({ servers: h.nats.url, noAsyncTraces: true });
    const pulls = new Map<string, number>();
    watcher.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${EVENTS_STREAM}.>`, {
      callback: (_, msg) => {
        const consumer = msg.subject.split('.').pop()!;
        pulls.set(consumer, (pulls.get(consumer) ?? 0) + 1);
      },
    });
    await watcher.flush();

    // One key: every event goes to the same partition, one after the other (max_ack_pending 1).
    const started = Date.now();
    for (let seq = 1; seq <= EVENTS; seq++) expect((await h.post('orders', { id: 7, seq })).status).toBe(202);
    await waitFor(
      () => h!.target.requests.length === EVENTS,
      () => `${EVENTS} writes (${h!.target.requests.length})`,
    );
    await expectDrained(h.nats.url);

    expect(h.target.requests.map((r) => (r.body as { seq: number }).seq)).toEqual(
      Array.from({ length: EVENTS }, (_, i) => i + 1),
    );
    const [busiest] = [...pulls].sort((a, b) => b[1] - a[1]);
    expect(busiest![0]).toMatch(/^orders-p\d$/);
    // The first pull, a refill per 32 deliveries, and a re-pull per 5 s pull expiry (each pull lives 5 s) while the
    // test ran. A pull per event (the client's refill rule with the batch of 4 the pool had) made it 200 and more.
    const expiries = Math.ceil((Date.now() - started) / 5000) + 1;
    expect(busiest![1]).toBeLessThanOrEqual(1 + Math.ceil(EVENTS / 32) + expiries);
  });
});
