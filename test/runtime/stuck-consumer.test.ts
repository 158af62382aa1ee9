/**
 * A partition stuck after a broker crash (the 100,000-event soak, docs/runtime.md): nats-server 2.9.10 can come back
 * from kill -9 with a consumer state older than its stream, still waiting for the ack of an event the stream already
 * removed. The test makes that state exactly: it keeps a copy of the consumer's state while event A is in flight,
 * lets A finish, and puts the old state back on a broker restart. The partition's next event B then never arrives,
 * until an engine with the watchdog on recreates the consumer.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterEach, expect, it } from 'vitest';
import { phantomPending } from '../../engine/runtime/broker/phantom-pending.js';
import {
  EVENTS_PREFIX,
  EVENTS_STREAM,
  consumerName,
  eventSubject,
  partitionOf,
} from '../../engine/runtime/broker/subjects.js';
import { TEST_TUNING, brokerBacklog, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it(
  'recreates a consumer waiting for an event that no longer exists, and the partition delivers again',
  { timeout: 60_000 },
  async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { stuckConsumerCheckMs: 300 } });
    const harness = h;
    const partition = partitionOf('1', TEST_TUNING.partitions!);
    const consumer = consumerName('orders', partition);
    const obs = join(harness.nats.storeDir, 'jetstream', '$G', 'streams', EVENTS_STREAM, 'obs', consumer);
    const saved = join(mkdtempSync(join(tmpdir(), 'junction-obs-')), consumer);
    // An event no consumer takes keeps the stream's first sequence below A's, as other integrations' events do: the
    // broker forgets pending events below its first sequence by itself.
    const nc = await connect({ servers: harness.nats.url });
    await jetstream(nc).publish(`${EVENTS_PREFIX}.unconsumed.0`, '{}');
    await nc.close();

    // A is in flight (the target holds it): keep the consumer's state of that moment.
    harness.target.fault = (r) => (r.key === '1' ? { delayMs: 2000 } : undefined);
    await harness.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => harness.target.requests.length === 1, 'A reached the target');
    await harness.nats.stop();
    cpSync(obs, saved, { recursive: true });
    await harness.nats.restart();
    await waitFor(async () => {
      const backlog = await brokerBacklog(harness.nats.url).catch(() => undefined);
      return harness.target.records.has('1') && backlog?.ackPending === 0 && backlog.stored === 1;
    }, 'A delivered, acked and removed');

    // The crash: the consumer comes back with A still ack-pending.
    await harness.nats.stop();
    rmSync(obs, { recursive: true });
    cpSync(saved, obs, { recursive: true });
    await harness.nats.restart();
    const b = Array.from({ length: 100 }, (_, i) => i + 2).find((id) => partitionOf(String(id), 4) === partition)!;
    await waitFor(
      async () => (await harness.post('orders', { id: b, seq: 1, status: 'new' })).status === 202,
      'B stored',
    );

    const admin = await connect({ servers: harness.nats.url });
    try {
      const jsm = await jetstreamManager(admin);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(harness.target.records.has(String(b))).toBe(false);
      const stuck = await phantomPending(jsm, consumer, eventSubject('orders', partition));
      expect(stuck).toBeDefined();
      expect(stuck!.delivered).toBeGreaterThan(stuck!.ackFloor);

      // An engine with the watchdog on frees the partition.
      const watched = await harness.startEngine({ tuning: { ...TEST_TUNING, stuckConsumerCheckMs: 300 } });
      await waitFor(
        () => harness.target.records.has(String(b)),
        'B delivered after the consumer was recreated',
        15_000,
      );
      expect(await phantomPending(jsm, consumer, eventSubject('orders', partition))).toBeUndefined();
      expect(harness.target.effectiveWrites.get('1')).toBe(1);
      expect(harness.target.effectiveWrites.get(String(b))).toBe(1);
      const recreated = await watched.metrics.getSingleMetric('junction_consumers_recreated_total')!.get();
      expect(recreated.values).toEqual([{ value: 1, labels: { integration: 'orders' } }]);
    } finally {
      await admin.close();
      rmSync(saved, { recursive: true, force: true });
    }
  },
);
