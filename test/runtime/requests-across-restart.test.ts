/**
 * Broker requests made while the engine's connection is down, around a broker restart (real nats-server, stopped and
 * started again on the same port and store). nats-core empties what it buffered while down at every dial attempt, so
 * such a request was never sent and waited out its whole timeout even when the broker was back long before.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, errors } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { connectNats } from '../../engine/runtime/broker/connect.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { withReplyInbox } from '../../engine/runtime/broker/reply-inbox.js';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import type { LedgerEntry } from '../../engine/runtime/stores/delivery-ledger.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { nextStatus } from '../helpers/next-status.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let nats: TestNatsServer | undefined;
let h: RuntimeHarness | undefined;
const connections: NatsConnection[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((nc) => nc.close().catch(() => undefined)));
  await nats?.dispose();
  await h?.dispose();
  nats = h = undefined;
});

it('a JetStream request made while the broker is down is sent once the connection is back, and answered', async () => {
  nats = await startTestNatsServer();
  const nc = await connectNats(nats.url, 'engine', 'reconnect-probe');
  connections.push(nc);
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'PROBE', subjects: ['probe.>'] });

  const disconnected = nextStatus(nc, 'disconnect');
  await nats.stop();
  await disconnected;
  // The JetStream API's own timeout (5 s): the broker is back long before it runs out.
  const info = jsm.streams.info('PROBE');
  // Past at least one dial attempt with no server running, each of which empties the client's buffer.
  await nextStatus(nc, 'reconnecting');
  const reconnected = nextStatus(nc, 'reconnect');
  await nats.restart();
  await reconnected;
  expect((await info).config.name).toBe('PROBE');
});

it('requests held while the broker is down fail as requests in flight at a close do when the connection is closed instead', async () => {
  nats = await startTestNatsServer();
  const nc = await connectNats(nats.url, 'engine', 'reconnect-probe');
  const jsm = await jetstreamManager(nc);
  const kv = await new Kvm(withReplyInbox(nc)).create('PROBE');
  const disconnected = nextStatus(nc, 'disconnect');
  await nats.stop();
  await disconnected;
  const info = jsm.streams.info('KV_PROBE');
  const get = kv.get('key');
  await nc.close();
  for (const request of [info, get]) {
    await expect(request).rejects.toBeInstanceOf(errors.RequestError);
    await expect(request).rejects.toThrow('connection closed');
  }
});

async function ledgerEntry(natsUrl: string, id: string): Promise<LedgerEntry | undefined> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const kv = await new Kvm(nc).open(BUCKET_NAMES.ledger);
    return (await kv.get(DeliveryLedger.key('orders', `orders:${id}`)))?.json<LedgerEntry>();
  } finally {
    await nc.close();
  }
}

it(
  'an event whose call finishes while the broker restarts is recorded delivered once the broker is back, written once',
  { timeout: 60_000 },
  async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ maxAttempts: 20, initial: '100ms', max: '1s' })],
    });
    const harness = h;
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    harness.target.fault = () => ({ until: held });
    const posted = await harness.post('orders', { id: 1, seq: 1, status: 's1' });
    expect(posted.status).toBe(202);
    await waitFor(() => harness.target.requests.length === 1, 'the event at the target');

    await harness.nats.stop();
    // The call ends while the broker is down: the engine's ledger write and ack are made with no connection.
    release();
    await waitFor(() => harness.target.effectiveWrites.get('1') === 1, 'the call committed');
    const restarted = performance.now();
    await harness.nats.restart();
    let entry: LedgerEntry | undefined;
    await waitFor(
      async () => (entry = await ledgerEntry(harness.nats.url, String(posted.body.id))) !== undefined,
      'the event recorded',
      30_000,
    );
    console.log(`restart to recorded: ${Math.round(performance.now() - restarted)} ms`);
    // Recorded by the attempt that made the call, its ledger write sent once the broker was back: not one that
    // timed out (the KV timeout, 5 s) and left the event to a second delivery.
    expect(entry).toMatchObject({ status: 'delivered', attempts: 1, requests: 1 });
    await expectDrained(harness.nats.url, 20_000, { streamEmpty: false });
    expect(harness.target.effectiveWrites.get('1')).toBe(1);
    expect(await harness.engine.deadLetters.list()).toEqual([]);
  },
);
