/**
 * Where the partition consumers keep their state (`partitionConsumerStorage`): an engine that finds them kept the
 * other way (file-backed ones made by an engine before session 15) replaces them, and creating a consumer that is
 * there already is harmless with the same settings and a clear error with others.
 */
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { ensureConsumer, partitionConsumerConfig, provisionConsumers } from '../../engine/runtime/broker/provision.js';
import { EVENTS_STREAM, consumerName, eventSubject, retryConsumerName } from '../../engine/runtime/broker/subjects.js';
import { resolveTuning } from '../../engine/runtime/runtime-options.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const PARTITIONS = TEST_TUNING.partitions!;

async function partitionsInMemory(natsUrl: string): Promise<boolean[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    return await Promise.all(
      Array.from({ length: PARTITIONS }, async (_, p) => {
        const info = await jsm.consumers.info(EVENTS_STREAM, consumerName('orders', p));
        return !!info.config.mem_storage;
      }),
    );
  } finally {
    await nc.close();
  }
}

it('an engine that finds file-backed partition consumers replaces them with in-memory ones; stored events are written once', async () => {
  // The older engine: state on disk, no workers, so the event stays stored.
  h = await startRuntimeHarness({
    integrations: [integrationYaml()],
    tuning: { partitionConsumerStorage: 'file' },
    engine: { roles: { workers: false } },
  });
  const harness = h;
  expect(await partitionsInMemory(harness.nats.url)).toEqual([false, false, false, false]);
  expect((await harness.post('orders', { id: 7, seq: 1, status: 'new' })).status).toBe(202);

  const lines: { msg: string; consumers?: number; storage?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  await harness.startEngine({ logger, tuning: TEST_TUNING, roles: { http: false, workers: true, sources: false } });
  expect(await partitionsInMemory(harness.nats.url)).toEqual([true, true, true, true]);
  expect(lines.filter((l) => l.msg.includes('created them again'))).toEqual([
    expect.objectContaining({
      msg: 'partition consumers kept their state the other way (memory or file): created them again',
      consumers: PARTITIONS,
      storage: 'memory',
    }),
  ]);
  await waitFor(() => harness.target.records.has('7'), 'the stored event written by the new engine');
  await expectDrained(harness.nats.url);
  expect(harness.target.effectiveWrites.get('7')).toBe(1);
});

it('creating a consumer that is there: the same settings are fine, other settings a clear error', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const nc = await connect({ servers: h.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const tuning = resolveTuning(TEST_TUNING);
    const config = partitionConsumerConfig({ name: 'orders' }, 0, tuning);
    // Two engines creating it at once after a broker restart.
    await jsm.consumers.delete(EVENTS_STREAM, consumerName('orders', 0));
    await Promise.all([ensureConsumer(jsm, config), ensureConsumer(jsm, config)]);
    expect((await jsm.consumers.info(EVENTS_STREAM, consumerName('orders', 0))).config).toMatchObject({
      filter_subject: eventSubject('orders', 0),
      mem_storage: true,
      max_ack_pending: 1,
    });

    // Someone else's consumer of that name: another subject, state on disk.
    await jsm.consumers.delete(EVENTS_STREAM, consumerName('orders', 0));
    await jsm.consumers.add(EVENTS_STREAM, {
      durable_name: consumerName('orders', 0),
      filter_subject: 'junction.events.orders.other',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
    });
    await expect(ensureConsumer(jsm, config)).rejects.toThrow(
      'consumer orders-p0 of stream JUNCTION_EVENTS exists with filter_subject "junction.events.orders.other", ' +
        'mem_storage false, but this engine needs filter_subject "junction.events.orders.0", mem_storage true: ' +
        'give every engine on this broker the same settings, or delete the consumer ' +
        '(nats consumer rm JUNCTION_EVENTS orders-p0) and an engine creates it again',
    );
    // Left as it was: nothing changed it to this engine's settings.
    expect((await jsm.consumers.info(EVENTS_STREAM, consumerName('orders', 0))).config.filter_subject).toBe(
      'junction.events.orders.other',
    );
  } finally {
    await nc.close();
  }
});

it('provisioning asks the broker for each consumer once, and creates the missing ones', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const nc = await connect({ servers: h.nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    // Consumer info requests on the wire, by consumer (a plain subscription sees each one).
    const lookups = new Map<string, number>();
    nc.subscribe(`$JS.API.CONSUMER.INFO.${EVENTS_STREAM}.>`, {
      callback: (_, msg) => {
        const name = msg.subject.split('.').pop()!;
        lookups.set(name, (lookups.get(name) ?? 0) + 1);
      },
    });
    await nc.flush();
    // An integration the running engine does not know, so only this call touches its consumers.
    const integration = { name: 'invoices' } as Parameters<typeof provisionConsumers>[1];
    expect(await provisionConsumers(jsm, integration, 2, resolveTuning(TEST_TUNING))).toEqual([]);
    await nc.flush();

    const names = [consumerName('invoices', 0), consumerName('invoices', 1), retryConsumerName('invoices')];
    expect(Object.fromEntries(lookups)).toEqual(Object.fromEntries(names.map((name) => [name, 1])));
    for (const name of names) expect((await jsm.consumers.info(EVENTS_STREAM, name)).name).toBe(name);
  } finally {
    await nc.close();
  }
});
