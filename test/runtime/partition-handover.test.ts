/**
 * An engine that stops pulling a partition (a handover to another engine, a paused integration, a graceful stop)
 * while the broker is sending it that partition's next event. The engine's UNSUB of the pull's inbox is held on the
 * wire (the proxy) until the broker has sent the event into that pull: before the fix nats.js had already dropped the
 * subscription, so the event it received was thrown away and stayed ack-pending until the ack wait (here 60 s) ran
 * out. Now the pull is drained: what arrives before the broker confirmed the UNSUB runs there, like an event in flight.
 * A nak made soon after the stop (a drain that timed out) was lost on nats-server 2.9.10 into the stopped pull's
 * request and waited out the ack wait too; now the engine has the broker drop that request first (stop-pull.ts). A nak
 * made while the pull stops, before the broker dropped its request, was lost the same way; now it waits for that.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_STREAM, partitionOf } from '../../engine/runtime/broker/subjects.js';
import { setPaused } from '../../engine/runtime/control/pause-control.js';
import type { Engine } from '../../engine/runtime/engine.js';
import type { RuntimeTuning } from '../../engine/runtime/runtime-options.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
let proxy: BlackholeProxy | undefined;
let nc: NatsConnection | undefined;
afterEach(async () => {
  proxy?.heal();
  await nc?.close();
  await h?.dispose();
  await proxy?.close();
  h = proxy = nc = undefined;
});

const PARTITIONS = 2;
/** Far longer than the test waits for any delivery: an event that waits it out fails the test. */
const ACK_WAIT_MS = 60_000;
const WITHIN_MS = ACK_WAIT_MS / 3;
const tuning = { ...TEST_TUNING, partitions: PARTITIONS, ackWaitMs: ACK_WAIT_MS, partitionLeaseTtlMs: 5_000 };
/** One key per partition: KEYS[p] is in partition p. */
const KEYS = [0, 1].map((p) => ['1', '2', '3', '4', '5'].find((k) => partitionOf(k, PARTITIONS) === p)!);

/**
 * The harness's engine takes the webhooks only (straight to the broker); engine A delivers, reaching the broker through
 * the proxy, with `aTuning` on top of the test's. Resolves once A pulls from every partition.
 */
async function world(
  aTuning: Partial<RuntimeTuning> = {},
  integration = integrationYaml(),
): Promise<{ a: Engine; jsm: JetStreamManager }> {
  h = await startRuntimeHarness({ integrations: [integration], tuning, engine: { roles: { workers: false } } });
  proxy = await startBlackholeProxy({ port: h.nats.port });
  const a = await h.startEngine({
    natsUrl: proxy.url('nats'),
    roles: { http: false },
    tuning: { ...tuning, ...aTuning },
  });
  nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await waitFor(async () => (await waiting(jsm)).every((n) => n > 0), "engine A's pulls on every partition");
  return { a, jsm };
}

const consumerOf = (p: number) => `orders-p${p}`;

async function waiting(jsm: JetStreamManager): Promise<number[]> {
  const infos = await Promise.all([0, 1].map((p) => jsm.consumers.info(EVENTS_STREAM, consumerOf(p))));
  return infos.map((i) => i.num_waiting);
}

async function ackPending(jsm: JetStreamManager): Promise<number[]> {
  const infos = await Promise.all([0, 1].map((p) => jsm.consumers.info(EVENTS_STREAM, consumerOf(p))));
  return infos.map((i) => i.num_ack_pending);
}

/** Holds what engine A sends from its next UNSUB (its stop of a pull) on, and runs `stop`; resolves once held. */
async function holdUnsubOf(stop: () => unknown): Promise<void> {
  proxy!.hold((chunk) => chunk.includes('UNSUB '));
  void stop();
  await waitFor(() => proxy!.heldBytes > 0, "engine A's UNSUB held");
}

/** Posts one event per partition and waits until the broker sent those of `partitions` into A's pulls. */
async function postIntoHeldPulls(jsm: JetStreamManager, partitions: number[]): Promise<void> {
  for (const key of KEYS) expect((await h!.post('orders', { id: Number(key), seq: 1 })).status).toBe(202);
  await waitFor(async () => {
    const pending = await ackPending(jsm);
    return partitions.every((p) => pending[p] === 1);
  }, `the events of partitions ${partitions} sent into engine A's pulls`);
}

async function deliveredWithin(keys: string[]): Promise<number> {
  const from = Date.now();
  await waitFor(() => keys.every((k) => h!.target.records.has(k)), `${keys} delivered before the ack wait`, WITHIN_MS);
  return Date.now() - from;
}

it('a partition handed over while the broker sends its next event into the old owner: the old owner finishes it, not after the ack wait', async () => {
  const { jsm } = await world();
  // B joins: A stops pulling the partition that is B's share now. B pulls it only once A wrote that (held too).
  await holdUnsubOf(() => h!.startEngine({ roles: { http: false } }));
  await postIntoHeldPulls(jsm, [0, 1]);
  proxy!.heal();
  const ms = await deliveredWithin(KEYS);
  process.stdout.write(`handover: both events delivered ${ms} ms after the UNSUB reached the broker\n`);
  for (const k of KEYS) expect(h!.target.effectiveWrites.get(k)).toBe(1);
  await expectDrained(h!.nats.url);
}, 90_000);

it('an integration paused while the broker sends events into its pulls: they finish like events in flight', async () => {
  const { jsm } = await world();
  const control = await new Kvm(nc!).open(BUCKET_NAMES.control);
  await holdUnsubOf(() =>
    setPaused(control, 'orders', { by: { kind: 'cli', id: 'test' }, at: new Date().toISOString() }),
  );
  await postIntoHeldPulls(jsm, [0, 1]);
  proxy!.heal();
  const ms = await deliveredWithin(KEYS);
  process.stdout.write(`pause: both events delivered ${ms} ms after the UNSUB reached the broker\n`);
  for (const k of KEYS) expect(h!.target.effectiveWrites.get(k)).toBe(1);
  await waitFor(async () => (await ackPending(jsm)).every((n) => n === 0), 'both events acked');
  // Paused all along: no pull at the broker, so an event stored now waits in the stream until the resume.
  expect(await waiting(jsm)).toEqual([0, 0]);
  expect((await h!.post('orders', { id: Number(KEYS[0]), seq: 2 })).status).toBe(202);
  const stored = async () => (await jsm.consumers.info(EVENTS_STREAM, consumerOf(0))).num_pending;
  await waitFor(async () => (await stored()) === 1, 'the event stored while paused');
  expect(await ackPending(jsm)).toEqual([0, 0]);
  await setPaused(control, 'orders', undefined);
  await waitFor(() => h!.target.records.get(KEYS[0])?.seq === 2, 'the event stored while paused, after the resume');
  await expectDrained(h!.nats.url);
}, 90_000);

it('an engine stopped gracefully while the broker sends an event into its pull: it finishes in the drain, not after the ack wait', async () => {
  const { a, jsm } = await world();
  const b = await h!.startEngine({ roles: { http: false } });
  type Members = { partitionMembers?: { partitions: number[]; self: boolean }[] };
  let members: Members['partitionMembers'];
  await waitFor(async () => {
    members = ((await a.status()) as Members).partitionMembers;
    return members?.length === 2 && members.every((m) => m.partitions.length === 1);
  }, 'each engine pulls one partition');
  const own = members!.find((m) => m.self)!.partitions;
  await holdUnsubOf(() => a.stop());
  await postIntoHeldPulls(jsm, own);
  proxy!.heal();
  const ms = await deliveredWithin(KEYS);
  process.stdout.write(`drain: both events delivered ${ms} ms after the UNSUB reached the broker\n`);
  for (const k of KEYS) expect(h!.target.effectiveWrites.get(k)).toBe(1);
  // A left the group after its drain: B pulls every partition.
  await waitFor(async () => {
    members = ((await b.status()) as Members).partitionMembers;
    return members?.length === 1 && members[0].partitions.length === PARTITIONS;
  }, 'engine B pulls every partition');
  await expectDrained(h!.nats.url);
}, 90_000);

/**
 * Shorter than half the pull's expiry (2.5 s): later, nats-server 2.9.10 has dropped the stopped pull's requests by
 * itself (at their heartbeat time), and the drain's nak was redelivered at once even before the fix.
 */
const DRAIN_TIMEOUT_MS = 500;

it('an engine whose drain times out naks its unfinished event: another engine delivers it at once, not after the ack wait', async () => {
  const { a } = await world({ drainTimeoutMs: DRAIN_TIMEOUT_MS });
  // Engine A's attempt is held at the target past its drain timeout, then refused: it writes nothing.
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  h!.target.fault = (req) => (req.attempt === 1 ? { respond: { status: 503 }, until: held } : undefined);
  expect((await h!.post('orders', { id: Number(KEYS[0]), seq: 1 })).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 1, "engine A's attempt at the target");
  // Nothing asks for consumer info from here on until B pulls: that would drop A's stopped pull's request too.
  await a.stop();
  await h!.startEngine({ roles: { http: false } });
  const ms = await deliveredWithin([KEYS[0]]);
  process.stdout.write(`drain timed out: the nakked event delivered by engine B ${ms} ms after it started\n`);
  answer();
  expect(h!.target.requests.map((r) => [r.key, r.attempt])).toEqual([
    [KEYS[0], 1],
    [KEYS[0], 2],
  ]);
  expect(h!.target.effectiveWrites.get(KEYS[0])).toBe(1);
  await expectDrained(h!.nats.url);
}, 90_000);

/**
 * Long enough for a nak the broker took before the held consumer info to come due (a 1 ms delay; nats-server looks
 * 10 ms after a nak), and well short of the 5 s the stop waits for that info.
 */
const INFO_HELD_MS = 500;

it('a retry nakked as its engine stops, before the broker dropped the stopped pull: another engine delivers it at once, not after the ack wait', async () => {
  const { a, jsm } = await world({}, integrationYaml({ initial: '1ms', max: '1ms' }));
  // Both keys are parked (their tickets in this order); KEYS[1]'s retry succeeds, KEYS[0]'s is held at the target
  // and refused while engine A stops. A ticket stored after the nakked one matters: nats-server 2.9.10 sends the
  // consumer's last message again in place of a redelivery it lost, which would hide the loss.
  let answer!: () => void;
  const held = new Promise<void>((resolve) => (answer = resolve));
  h!.target.fault = (req) => {
    if (req.attempt === 1) return { respond: { status: 503 } };
    return req.key === KEYS[0] && req.attempt === 2 ? { respond: { status: 503 }, until: held } : undefined;
  };
  expect((await h!.post('orders', { id: Number(KEYS[0]), seq: 1 })).status).toBe(202);
  await waitFor(() => h!.target.requests.length === 2, `engine A's retry of ${KEYS[0]} at the target`);
  expect((await h!.post('orders', { id: Number(KEYS[1]), seq: 1 })).status).toBe(202);
  const retryAckPending = async () => (await jsm.consumers.info(EVENTS_STREAM, 'orders-retry')).num_ack_pending;
  await waitFor(
    async () => h!.target.records.has(KEYS[1]) && (await retryAckPending()) === 1,
    `${KEYS[1]} delivered by its retry, its ticket acked`,
  );
  await holdUnsubOf(() => a.stop());
  answer();
  await waitFor(async () => (await retried(a)) === 3, `engine A's retry of ${KEYS[0]} refused, its ticket nakked`);
  // The UNSUBs reach the broker; the consumer info that drops the stopped pulls' requests is held a while.
  proxy!.heal();
  proxy!.hold((chunk) => chunk.includes('CONSUMER.INFO'));
  await new Promise((resolve) => setTimeout(resolve, INFO_HELD_MS));
  proxy!.heal();
  await a.stop();
  await h!.startEngine({ roles: { http: false } });
  const ms = await deliveredWithin([KEYS[0]]);
  process.stdout.write(`retry nakked as the pull stopped: delivered by engine B ${ms} ms after it started\n`);
  const attempts = (key: string) => h!.target.requests.filter((r) => r.key === key).map((r) => r.attempt);
  expect(attempts(KEYS[0])).toEqual([1, 2, 3]);
  expect(attempts(KEYS[1])).toEqual([1, 2]);
  for (const k of KEYS) expect(h!.target.effectiveWrites.get(k)).toBe(1);
  await expectDrained(h!.nats.url);
}, 90_000);

/** Retries of `orders` events counted by one engine. */
async function retried(engine: Engine): Promise<number> {
  const text = await engine.metrics.getSingleMetricAsString('junction_events_retried_total');
  return [...text.matchAll(/integration="orders",[^}]*} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}
