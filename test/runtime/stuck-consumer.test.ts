/**
 * A partition stuck after a broker crash (the 100,000-event soak, docs/runtime.md): nats-server 2.9.10 can come back
 * from kill -9 with a consumer state older than its stream, still waiting for the ack of an event the stream already
 * removed. The test makes that state exactly: it keeps a copy of the consumer's state while event A is in flight,
 * lets A finish, and puts the old state back on a broker restart. The partition's next event B then never arrives,
 * until an engine with the watchdog on recreates the consumer. The retry consumer (many tickets in flight, acked out
 * of order) can keep such a phantom behind tickets the stream still stores but that are no longer any key's current
 * one (the 100,000-event soak's end): those must not count as real work. The partition cases run with the partition
 * consumers' state on disk (`partitionConsumerStorage: 'file'`): with it in memory (the default) a broker restart
 * loses the consumer instead, and the pool creates it anew (broker-restart-consumers.test.ts).
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it } from 'vitest';
import { phantomPending } from '../../engine/runtime/broker/phantom-pending.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { currentTicket } from '../../engine/runtime/control/consumer-watchdog.js';
import { KeyParking } from '../../engine/runtime/worker/key-parking.js';
import {
  EVENTS_PREFIX,
  EVENTS_STREAM,
  consumerName,
  eventSubject,
  partitionOf,
  retryConsumerName,
  retrySubject,
} from '../../engine/runtime/broker/subjects.js';
import { nextStatus } from '../helpers/next-status.js';
import { TEST_TUNING, brokerBacklog, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

/** Partition consumers with their state in files, which a crash can rewind. */
const ON_DISK = { partitionConsumerStorage: 'file' } as const;

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it(
  'recreates a consumer waiting for an event that no longer exists, and the partition delivers again',
  { timeout: 60_000 },
  async () => {
    // The first engine runs no watchdog: the partition stays stuck until the second one, which has it, starts.
    h = await startRuntimeHarness({
      integrations: [integrationYaml()],
      tuning: { ...ON_DISK, stuckConsumerCheckMs: 0 },
    });
    const harness = h;
    const { partition, consumer, b, saved } = await crashIntoPhantom(harness);

    const admin = await connect({ servers: harness.nats.url });
    try {
      const jsm = await jetstreamManager(admin);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(harness.target.records.has(String(b))).toBe(false);
      const stuck = await phantomPending(jsm, consumer, eventSubject('orders', partition));
      expect(stuck).toBeDefined();
      expect(stuck!.delivered).toBeGreaterThan(stuck!.ackFloor);

      // An engine with the watchdog on frees the partition.
      const watched = await harness.startEngine({ tuning: { ...TEST_TUNING, ...ON_DISK, stuckConsumerCheckMs: 300 } });
      await waitFor(
        () => harness.target.records.has(String(b)),
        'B delivered after the consumer was recreated',
        15_000,
      );
      // B reaches the target before its ack: a check between reading the consumer and reading the stream would see
      // B pending yet already removed. Once B is acked and removed the consumer waits for nothing.
      await waitFor(async () => {
        const backlog = await brokerBacklog(harness.nats.url).catch(() => undefined);
        return backlog?.ackPending === 0 && backlog.stored === 1;
      }, 'B acked and removed');
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

it(
  'after a reconnect the watchdog checks every few seconds: a partition is freed long before its interval',
  { timeout: 60_000 },
  async () => {
    // An interval no test waits for: only the quick rounds after the engine's reconnect can free the partition.
    h = await startRuntimeHarness({
      integrations: [integrationYaml()],
      tuning: { ...ON_DISK, stuckConsumerCheckMs: 600_000 },
    });
    const harness = h;
    const { b, saved } = await crashIntoPhantom(harness);
    try {
      await waitFor(() => harness.target.records.has(String(b)), 'B delivered after the quick rounds', 30_000);
      const recreated = await harness.engine.metrics.getSingleMetric('junction_consumers_recreated_total')!.get();
      expect(recreated.values).toEqual([{ value: 1, labels: { integration: 'orders' } }]);
      expect(harness.target.effectiveWrites.get(String(b))).toBe(1);
    } finally {
      rmSync(saved, { recursive: true, force: true });
    }
  },
);

it(
  'recreates the retry consumer when its phantom hides behind stored tickets that are no longer current',
  { timeout: 60_000 },
  async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { stuckConsumerCheckMs: 0 } });
    const harness = h;
    // No worker takes tickets: the test is the worker that took two of them.
    await harness.engine.stop();
    const obs = join(harness.nats.storeDir, 'jetstream', '$G', 'streams', EVENTS_STREAM, 'obs', 'orders-retry');
    const saved = join(mkdtempSync(join(tmpdir(), 'junction-obs-')), 'orders-retry');
    // Reconnects by itself across the broker restarts below.
    const nc = await connect({ servers: harness.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    try {
      const js = jetstream(nc);
      const jsm = await jetstreamManager(nc);
      const parked = await new Kvm(nc).open(BUCKET_NAMES.parked);
      const parking = new KeyParking(parked, js);
      const [consumer, subject] = [retryConsumerName('orders'), retrySubject('orders')];
      // As in the case above: an event no consumer takes keeps the stream's first sequence below A's.
      await js.publish(`${EVENTS_PREFIX}.unconsumed.0`, '{}');
      // Ticket A of a parked key, and ticket B of a parking that has ended (its marker is gone).
      await parked.create('orders.ka', JSON.stringify({ gen: 'ga', next: 0, tail: 0 }));
      await parking.publishTicket({ integration: 'orders', kd: 'ka', gen: 'ga', idx: 0, attempts: 1 });
      await parking.publishTicket({ integration: 'orders', kd: 'kb', gen: 'gb', idx: 0, attempts: 1 });
      const take = async () => {
        const batch = await (await js.consumers.get(EVENTS_STREAM, consumer)).fetch({ max_messages: 2, expires: 5000 });
        const msgs = [];
        for await (const m of batch) msgs.push(m);
        return msgs;
      };
      // A request sent before the connection is back is lost and times out (5 s, twice per test): ask once it is back.
      const restart = async (between: () => void) => {
        const reconnected = nextStatus(nc, 'reconnect');
        await harness.nats.stop();
        between();
        await harness.nats.restart();
        await reconnected;
        const back = () => jsm.consumers.info(EVENTS_STREAM, consumer).then(Boolean, () => false);
        await waitFor(back, 'the broker and its consumer back after the restart');
      };
      const taken = (await take()).map((m) => m.seq);
      expect(taken).toHaveLength(2);
      // Both in flight: keep the consumer's state of that moment. Then A is acked (and removed), B is not.
      await restart(() => cpSync(obs, saved, { recursive: true }));
      const again = await take();
      expect(again.map((m) => m.seq)).toEqual(taken);
      await again[0].ackAck();
      // The crash: the consumer comes back still waiting for A, which the stream removed; B is still stored.
      await restart(() => {
        rmSync(obs, { recursive: true });
        cpSync(saved, obs, { recursive: true });
      });
      const info = await jsm.consumers.info(EVENTS_STREAM, consumer);
      expect(info.num_ack_pending).toBe(2);
      expect((await jsm.streams.info(EVENTS_STREAM)).state.messages).toBe(2);

      // Counting every stored message, B hides the phantom; counting current tickets only, it shows.
      expect(await phantomPending(jsm, consumer, subject)).toBeUndefined();
      const live = currentTicket(parking, 'orders');
      expect(await phantomPending(jsm, consumer, subject, live)).toEqual({
        ackFloor: info.ack_floor.stream_seq,
        delivered: taken[1],
      });
      // While B is its key's current ticket, it is real work.
      await parked.create('orders.kb', JSON.stringify({ gen: 'gb', next: 0, tail: 0 }));
      expect(await phantomPending(jsm, consumer, subject, live)).toBeUndefined();
      await parked.delete('orders.kb');

      // An engine with the watchdog on (and no workers) recreates the retry consumer: nothing waits for A any more,
      // and B is delivered again (a worker acks a stale ticket on sight).
      const watched = await harness.startEngine({
        roles: { workers: false, sources: false },
        tuning: { ...TEST_TUNING, stuckConsumerCheckMs: 300 },
      });
      const recreated = watched.metrics.getSingleMetric('junction_consumers_recreated_total')!;
      await waitFor(async () => (await recreated.get()).values[0]?.value === 1, 'retry consumer recreated', 15_000);
      const after = await jsm.consumers.info(EVENTS_STREAM, consumer);
      expect([after.num_ack_pending, after.num_pending]).toEqual([0, 1]);
      expect((await recreated.get()).values).toEqual([{ value: 1, labels: { integration: 'orders' } }]);
    } finally {
      await nc.close();
      rmSync(saved, { recursive: true, force: true });
    }
  },
);

/**
 * The crash, made exactly: event A of partition `partition` in flight, the consumer's state of that moment kept, A
 * delivered and removed, then the broker restarted with the kept state (A ack-pending again). Returns event B of the
 * same partition, stored after the crash, which the consumer never delivers while it waits for A.
 */
async function crashIntoPhantom(harness: RuntimeHarness) {
  const partition = partitionOf('1', TEST_TUNING.partitions!);
  const consumer = consumerName('orders', partition);
  const obs = join(harness.nats.storeDir, 'jetstream', '$G', 'streams', EVENTS_STREAM, 'obs', consumer);
  const saved = join(mkdtempSync(join(tmpdir(), 'junction-obs-')), consumer);
  // An event no consumer takes keeps the stream's first sequence below A's, as other integrations' events do: the
  // broker forgets pending events below its first sequence by itself.
  const nc = await connect({ servers: harness.nats.url });
  await jetstream(nc).publish(`${EVENTS_PREFIX}.unconsumed.0`, '{}');
  await nc.close();

  // A is in flight (the target holds it until the engine is connected again): keep the consumer's state of that
  // moment. Held 2 s, A's call timed out on every attempt and A was dead-lettered 10 s later; answered before the
  // engine reconnected, A's ledger write was lost with the old connection and A redelivered 5 s later.
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  harness.target.fault = (r) => (r.key === '1' ? { until: held } : undefined);
  await harness.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => harness.target.requests.length === 1, 'A reached the target');
  await harness.nats.stop();
  cpSync(obs, saved, { recursive: true });
  await harness.nats.restart();
  const ready = () =>
    fetch(`${harness.engine.url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  await waitFor(ready, 'the engine connected to the broker again');
  release();
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

  return { partition, consumer, b, saved };
}
