/**
 * What becomes of broker writes made while the engine's NATS connection is down, and of an ingest publish whose
 * PubAck is lost after the broker stored the event. Real nats-server, the engine's own connection (`connectNats`).
 */
import { afterEach, expect, it } from 'vitest';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../engine/runtime/broker/connect.js';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, testLogger, waitFor } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let nats: TestNatsServer | undefined;
let proxy: BlackholeProxy | undefined;
let target: FakeTarget | undefined;
let engine: Engine | undefined;
const connections: NatsConnection[] = [];
afterEach(async () => {
  await engine?.stop().catch(() => undefined);
  await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await proxy?.close();
  await target?.stop();
  await nats?.dispose();
  nats = proxy = target = engine = undefined;
});

/** The connection's status events as they come, for waits on `disconnect` and `reconnect`. */
function statusLog(nc: NatsConnection): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const s of nc.status()) seen.push(s.type);
  })();
  return seen;
}

/** nats-core's protocol handler's buffer of frames not yet written to a socket (`lib/protocol.js`, `outbound`). */
const unsentBytes = (nc: NatsConnection) =>
  (nc as unknown as { protocol: { outbound: { size(): number } } }).protocol.outbound.size();

it('a publish made while the connection is down never reaches the broker (dropped at the next dial); a request waits for the reconnect and times out without it', async () => {
  nats = await startTestNatsServer();
  const nc = await connectNats(nats.url, 'engine', 'disconnect-probe');
  connections.push(nc);
  const status = statusLog(nc);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'PROBE', subjects: ['probe.>'] });
  const js = jetstream(nc);
  await js.publish('probe.before', 'stored before the stop');

  await nats.stop();
  await waitFor(() => status.includes('disconnect'), 'the client saw the disconnect');
  // The request is held until the reconnect (requests-wait-for-reconnect.ts); the publish is written into the
  // client's buffer: there is no socket to write to.
  const request = nc.request('probe.request', 'requested while down', { timeout: 3_000 });
  expect(unsentBytes(nc)).toBe(0);
  nc.publish('probe.core', 'published while down');
  expect(unsentBytes(nc)).toBeGreaterThan(0);
  // Each reconnect attempt starts with `prepare()`, which calls `resetOutbound()`: the buffer is emptied while no
  // server runs, so those bytes cannot have been sent anywhere.
  await waitFor(() => unsentBytes(nc) === 0, 'the client emptied its buffer with no server to write to');
  // The broker is not back within the request's timeout: it fails by its timeout, never sent.
  await expect(request).rejects.toBeInstanceOf(errors.TimeoutError);

  await nats.restart();
  await waitFor(() => status.includes('reconnect'), 'the client reconnected', 30_000);
  await js.publish('probe.after', 'stored after the reconnect');
  const stored = await jsm.streams.info('PROBE');
  const subjects: string[] = [];
  for (let seq = stored.state.first_seq; seq <= stored.state.last_seq; seq++)
    subjects.push((await jsm.streams.getMessage('PROBE', { seq }))!.subject);
  expect(subjects).toEqual(['probe.before', 'probe.after']);
});

it('an event stored whose PubAck was lost: 503, and the retry answers 202 duplicate with its seq; delivered once', async () => {
  nats = await startTestNatsServer();
  proxy = await startBlackholeProxy({ port: nats.port });
  target = await startFakeTarget();
  engine = await startEngine({
    specSet: compileRuntimeSpecs(target.url, [integrationYaml()]),
    invoker: httpTestInvoker,
    natsUrl: proxy.url('nats'),
    // A dial through the muted proxy gets no INFO: give up on it in 2 s rather than 20.
    natsOptions: { timeout: 2_000 },
    port: 0,
    host: '127.0.0.1',
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  const post = async () => {
    const res = await fetch(`${engine!.url}/hooks/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 7, seq: 1, status: 'new' }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const observer = await connectNats(nats.url, 'engine', 'observer');
  connections.push(observer);
  const direct = await jetstreamManager(observer);

  // The publish reaches the broker, which stores the event; its PubAck (and nats.js's second attempt's) never comes.
  proxy.mute();
  const refused = await post();
  expect(refused.status).toBe(503);
  expect(refused.body.error).toBe('unavailable');
  expect((await direct.streams.info(EVENTS_STREAM)).state.last_seq).toBe(1);

  proxy.heal();
  // The sender retries until the engine has reconnected (503 "NATS is not connected" meanwhile).
  let retried: Awaited<ReturnType<typeof post>> | undefined;
  await waitFor(
    async () => (retried = await post()).status !== 503,
    () => `a retry not answered 503 (last: ${JSON.stringify(retried)})`,
    60_000,
  );
  expect(retried).toEqual({ status: 202, body: { id: expect.any(String), key: '7', seq: 1, duplicate: true } });

  await waitFor(() => target!.records.has('7'), 'the stored event delivered', 60_000);
  await expectDrained(nats.url, 30_000);
  expect(target.effectiveWrites.get('7')).toBe(1);
  expect((await direct.streams.info(EVENTS_STREAM)).state.last_seq).toBe(1);
  expect(await engine.deadLetters.list()).toEqual([]);
}, 120_000);
