/**
 * The engine, not the broker, ends an event that keeps coming back: runtime-state failures do not use up the retry
 * budget, and past the budget plus the spare crash deliveries the event is dead-lettered (never dropped by a broker
 * delivery limit, which would also let its partition move on past it).
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('retries through unavailable runtime state past the retry budget, then dead-letters at the delivery limit', async () => {
  h = await startRuntimeHarness({
    // A partner writing back to the same connection: orders keeps echo-suppression state (junction_written).
    integrations: [
      integrationYaml({
        maxAttempts: 1,
        initial: '20ms',
        max: '50ms',
        owns: '  - { connection: target, object: record, fields: [seq, status] }',
      }),
      integrationYaml({
        name: 'partner',
        body: '{ "key": $string(id), "note": note }',
        owns: '  - { connection: target, object: record, fields: [note] }',
      }),
    ],
    tuning: { crashDeliveries: 1 },
  });
  const nc = await connect({ servers: h.nats.url });
  const jsm = await jetstreamManager(nc);
  try {
    const consumer = await jsm.consumers.info('JUNCTION_EVENTS', 'orders-p0');
    expect(consumer.config.max_deliver).toBe(-1);
    // The bucket of last-written hashes disappears: every attempt fails on runtime state, before the target is called.
    await jsm.streams.delete('KV_junction_written');
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    // Each attempt waits for the KV request to time out (5 s): about 10 s before the limit.
    await waitFor(
      async () => (await h!.engine.deadLetters.list()).length === 1,
      'the event dead-lettered at the delivery limit',
      40_000,
    );
    const [letter] = await h.engine.deadLetters.list();
    // Attempts 1 and 2 failed on state (both retried although the budget is 1); delivery 3 exceeds 1 + 1 spare.
    expect(letter).toMatchObject({
      integration: 'orders',
      key: '1',
      reason: 'exhausted',
      attempts: 3,
      error: {
        code: 'delivery-limit',
        message:
          'delivered 3 times without finishing (worker crashes, lost acks or runtime state unavailable for long); the retry budget is 1 attempt',
      },
    });
    expect(h.target.requests).toEqual([]);
    await expectDrained(h.nats.url);
    const status = (await (await fetch(`${h.engine.operatorUrl}/api/status`)).json()) as {
      integrations: { name: string; counts: { retried: number } }[];
    };
    expect(status.integrations.find((i) => i.name === 'orders')?.counts.retried).toBe(2);
  } finally {
    await nc.close();
  }
});
