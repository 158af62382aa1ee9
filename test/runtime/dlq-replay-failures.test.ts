/**
 * A replay the broker refuses (here: the events stream is full), alone and inside a bulk `junction dlq replay`, on a
 * real nats-server. The API answers 503 with why and what to do (it answered a bare 500 "internal error"), the CLI
 * reports that entry as failed and goes on with the others (it stopped at the first, leaving the rest unreported),
 * and once the stream has room, replaying again delivers the event exactly once. A refused replay takes its claim on
 * the entry back (a resolve is then allowed); a replay whose PubAck is lost keeps it (the event may have been stored).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { EventPublisher } from '../../engine/runtime/ingest/event-publisher.js';
import type { PublishRequest, PublishResult } from '../../engine/runtime/ingest/event-publisher.js';
import { replayDeadLetter } from '../../engine/runtime/stores/dead-letter-replay.js';
import { storedEventBytes } from '../../engine/runtime/stores/dead-letter-text.js';
import { junction } from '../security/helpers/junction.js';
import { rawRequest } from '../security/helpers/raw-request.js';
import { TEST_TUNING, brokerBacklog, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  // Bodies up to 2 MiB are read, so the broker's max_payload (1 MiB) is the limit an event meets.
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 1, maxBodyBytes: 2 * 1024 * 1024 })] });
  nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await h?.dispose();
});

/** The publisher's refusal: the broker's, or the engine's own count of the stream's room (refreshed every second). */
const STREAM_FULL =
  'the events stream is full \\(maximum bytes exceeded(, counted by this engine)?\\): it keeps every event not yet ' +
  'delivered and refuses new ones until deliveries make room; resume paused integrations, fix failing targets, or ' +
  'raise --events-max-bytes';

const writes = (key: string) => h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body);

/**
 * An open dead letter of `key` (the target refuses it with 422 once, then accepts everything), the events drained.
 * `event`: the body sent (an object, or its text), by default v1 of the key.
 */
async function deadLetter(key: string, event: unknown = { id: Number(key), seq: 1, status: `v1 of ${key}` }) {
  h.target.fault = (req) => (req.body && req.key === key ? { respond: { status: 422 } } : undefined);
  // Just after the stream was full, the engine's own count of its room (kept on a nats-server before 2.10.5) may say
  // full until its next refresh, a second later: the event is sent again then, as a webhook sender would.
  await waitFor(async () => (await h.post('orders', event)).status === 202, `${key} accepted`);
  let id: string | undefined;
  await waitFor(async () => {
    id = (await h.engine.deadLetters.list({ status: 'open' })).find((e) => e.key === key)?.id;
    return id !== undefined;
  }, `${key} dead-lettered`);
  h.target.fault = undefined;
  await expectDrained(h.nats.url);
  return id!;
}

/** Runs `act` while the events stream refuses new events for being full (max_bytes 1), then gives the room back. */
async function whileStreamFull<T>(act: () => Promise<T>): Promise<T> {
  const room = (await jsm.streams.info(EVENTS_STREAM)).config.max_bytes;
  await jsm.streams.update(EVENTS_STREAM, { max_bytes: 1 });
  try {
    return await act();
  } finally {
    await jsm.streams.update(EVENTS_STREAM, { max_bytes: room });
  }
}

const replayOverApi = (id: string) => rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/replay`, { method: 'POST' });

const resolve = (id: string) =>
  rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/resolve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'fixed by hand' }),
  });

it('reports a replay the broker refuses, goes on with the rest, and delivers once when replayed again', async () => {
  h.target.fault = (req) => (req.body && req.attempt === 1 ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 41, seq: 1, status: 'v1 of 41' });
  await h.post('orders', { id: 42, seq: 1, status: 'v1 of 42' });
  const ids = new Map<string, string>();
  await waitFor(async () => {
    for (const e of await h.engine.deadLetters.list()) ids.set(e.key, e.id);
    return ids.size === 2;
  }, 'both dead-lettered');
  h.target.fault = undefined;
  const [first, second] = [ids.get('41')!, ids.get('42')!];
  expect((await rawRequest(`${h.engine.operatorUrl}/api/dlq/${first}/replay`, { method: 'POST' })).status).toBe(202);
  await waitFor(() => h.target.records.has('41'), '41 written by its replay');
  await expectDrained(h.nats.url);

  const room = (await jsm.streams.info(EVENTS_STREAM)).config.max_bytes;
  await jsm.streams.update(EVENTS_STREAM, { max_bytes: 1 });
  const refused = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${second}/replay`, { method: 'POST' });
  expect(refused.status).toBe(503);
  expect(refused.json?.error).toBe('replay-failed');
  const notReplayed = `dead letter ${second} was not replayed: ${STREAM_FULL}; it stays open: replay it again once that is fixed`;
  expect(refused.json?.message).toMatch(new RegExp(`^${notReplayed}$`));
  const overApi = await junction(['dlq', 'replay', second, first, '--url', h.engine.operatorUrl!]);
  expect(overApi).toMatchObject({ code: 1, stderr: '2 of 2 not replayed\n' });
  expect(overApi.stdout).toMatch(
    new RegExp(`^${second}  failed \\(the engine answered 503: ${notReplayed}\\)\n${first}  already-replayed\n$`),
  );
  const overNats = await junction(['dlq', 'replay', second, first, '--nats', h.nats.url]);
  expect(overNats).toMatchObject({ code: 1, stderr: '2 of 2 not replayed\n' });
  expect(overNats.stdout).toMatch(new RegExp(`^${second}  failed \\(${STREAM_FULL}\\)\n${first}  already-replayed\n$`));
  expect((await h.engine.deadLetters.get(second))!.entry.status).toBe('open');

  await jsm.streams.update(EVENTS_STREAM, { max_bytes: room });
  const again = await junction(['dlq', 'replay', second, '--nats', h.nats.url]);
  expect(again.stdout).toMatch(new RegExp(`^${second}  replayed \\(stream seq \\d+\\)\\n$`));
  await waitFor(() => h.target.records.get('42')?.status === 'v1 of 42', '42 written by the replay');
  await expectDrained(h.nats.url);
  expect(writes('42')).toHaveLength(2);
  expect(writes('41')).toHaveLength(2);
  expect((await h.engine.deadLetters.get(second))!.entry.status).toBe('replayed');
});

it('takes the claim back when the full stream refuses the replay: a resolve then succeeds, nothing is sent', async () => {
  const id = await deadLetter('44');

  const refused = await whileStreamFull(() => replayOverApi(id));

  expect(refused).toMatchObject({ status: 503, json: { error: 'replay-failed' } });
  const { entry } = (await h.engine.deadLetters.get(id))!;
  expect(entry.status).toBe('open');
  expect(entry.replayStartedAt).toBeUndefined();
  const resolved = await resolve(id);
  expect({ status: resolved.status, body: resolved.json }).toEqual({ status: 200, body: { resolved: id } });
  expect((await h.engine.deadLetters.get(id))!.entry).toMatchObject({ status: 'resolved' });
  await expectDrained(h.nats.url);
  expect(writes('44')).toHaveLength(1);
  expect(h.target.records.has('44')).toBe(false);
});

it('keeps an earlier claim when the full stream refuses the replay (the earlier replay may have sent it)', async () => {
  const id = await deadLetter('47');
  // A replay that stopped after its claim, or is still publishing.
  const found = (await h.engine.deadLetters.get(id))!;
  const earlier = (await h.engine.deadLetters.markReplayStarted(found.entry, found.revision))!;

  expect((await whileStreamFull(() => replayOverApi(id))).status).toBe(503);

  const { entry } = (await h.engine.deadLetters.get(id))!;
  expect(entry).toMatchObject({ status: 'open', replayStartedAt: expect.any(String) });
  expect(entry.replayStartedAt! >= earlier.entry.replayStartedAt!).toBe(true);
  expect((await resolve(id)).json?.error).toBe('replay-started');
  await expectDrained(h.nats.url);
  expect(writes('47')).toHaveLength(1);
});

it('keeps the claim when the PubAck is lost (the event may be stored): a resolve is refused', async () => {
  const id = await deadLetter('46');
  // The broker stores the event, its answer never arrives (as a publish that timed out after the broker stored it).
  class AckLostPublisher extends EventPublisher {
    override async publish(request: PublishRequest): Promise<PublishResult> {
      await super.publish(request);
      throw new Error('TIMEOUT');
    }
  }
  const publisher = new AckLostPublisher(jetstream(nc), () => TEST_TUNING.partitions!, 5_000);

  await expect(replayDeadLetter(h.engine.deadLetters, publisher, id)).rejects.toThrow('TIMEOUT');

  expect((await h.engine.deadLetters.get(id))!.entry).toMatchObject({
    status: 'open',
    replayStartedAt: expect.any(String),
  });
  const resolved = await resolve(id);
  expect({ status: resolved.status, error: resolved.json?.error }).toEqual({ status: 409, error: 'replay-started' });
  await waitFor(() => h.target.records.get('46')?.status === 'v1 of 46', '46 written by the replay');
  // Replayed again to finish it: the broker knows the copy by its msg id, so it is delivered once.
  expect((await replayOverApi(id)).status).toBe(202);
  await expectDrained(h.nats.url);
  expect(writes('46')).toHaveLength(2);
  expect((await h.engine.deadLetters.get(id))!.entry.status).toBe('replayed');
});

it('dead-letters an event whose request makes the entry too large without the request body, and replays it', async () => {
  // The order fits the stream (600 KB), its request maps the same 600 KB: the entry with both is over max_payload
  // (1 MiB). It was never written, and the event was redelivered for ever, holding its partition.
  const status = 'x'.repeat(600_000);
  const id = await deadLetter('45', { id: 45, seq: 1, status });
  const { entry } = (await h.engine.deadLetters.get(id))!;
  expect(entry.event).toEqual({ id: 45, seq: 1, status });
  expect(entry.request?.body).toMatch(
    /^\[omitted: the dead letter with it was 12\d{5} bytes, over the NATS server's max_payload\]$/,
  );
  expect(entry.responseExcerpt).toBeUndefined();
  expect(entry.error).toMatchObject({ code: 'validation', status: 422 });

  expect((await replayOverApi(id)).status).toBe(202);
  await waitFor(() => h.target.records.get('45')?.status === status, '45 written by its replay');
  await expectDrained(h.nats.url);
  expect(writes('45')).toHaveLength(2);
});

it('dead-letters and replays an event that grows when serialised again: its entry keeps the bytes stored', async () => {
  // 300 KB as sent; parsed and serialised again, each `1e20` is 21 digits: 1.5 MB, over max_payload (1 MiB). Its
  // dead letter held the event as JSON, was never written, and the event was redelivered for ever.
  const numbers = Array(60_000).fill('1e20').join(',');
  const body = `{"id":48,"seq":1,"status":"v1 of 48","n":[${numbers}]}`;
  const id = await deadLetter('48', body);
  const { entry } = (await h.engine.deadLetters.get(id))!;
  expect(storedEventBytes(entry).toString() === body).toBe(true);
  expect((entry.event as { n: number[] }).n).toHaveLength(60_000);

  expect((await replayOverApi(id)).status).toBe(202);
  await waitFor(() => h.target.records.get('48')?.status === 'v1 of 48', '48 written by its replay');
  await expectDrained(h.nats.url);
  expect(writes('48')).toHaveLength(2);
});

it('refuses an event that leaves no room for its dead letter, and dead-letters the largest it takes', async () => {
  const maxPayload = 1024 * 1024;
  const padded = (bytes: number) => {
    const text = JSON.stringify({ id: 46, seq: 1, status: '' });
    return JSON.stringify({ id: 46, seq: 1, status: 'x'.repeat(bytes - text.length) });
  };
  h.target.fault = (req) => (req.body && req.key === '46' ? { respond: { status: 422 } } : undefined);
  // Under max_payload with its headers, but its dead letter (the event with its id, error and times) is not. Before:
  // taken (202), never dead-lettered, redelivered for ever and holding its partition.
  const nearLimit = await h.post('orders', padded(maxPayload - 2000));
  expect(nearLimit).toEqual({
    status: 413,
    body: {
      error: 'event-too-large',
      message: expect.stringMatching(
        new RegExp(
          `^the event is \\d+ bytes as a message \\(body ${maxPayload - 2000}, key 2, other headers \\d+\\), over ` +
            `the ${maxPayload - 16384} bytes an event may take \\(the NATS server's max_payload of ${maxPayload} ` +
            'bytes, less 16384 kept for its dead-letter entry\\): send a smaller body or a shorter key, or raise ' +
            'max_payload on the NATS server to at least \\d+$',
        ),
      ),
    },
  });
  // The largest body taken, found from the refusal's figures (the headers are the same size: the id is a hash).
  const headers = /key (\d+), other headers (\d+)\)/.exec((nearLimit.body as { message: string }).message)!;
  const largest = padded(maxPayload - 16384 - Number(headers[1]) - Number(headers[2]));
  expect((await h.post('orders', largest)).status).toBe(202);
  let id: string | undefined;
  await waitFor(
    async () => {
      id = (await h.engine.deadLetters.list({ status: 'open' })).find((e) => e.key === '46')?.id;
      return id !== undefined;
    },
    '46 dead-lettered',
    60_000,
  );
  h.target.fault = undefined;
  await expectDrained(h.nats.url, 60_000);
  const { entry } = (await h.engine.deadLetters.get(id!))!;
  expect(entry.event).toEqual(JSON.parse(largest));
  expect(entry.error).toMatchObject({ code: 'validation', status: 422 });
});

it('refuses to replay a dead letter of an integration the active spec set no longer has', async () => {
  const id = await deadLetter('43');
  // The specs changed: `orders` is gone (a replay would wait in the events stream, unprocessed, until it is back).
  await h.engine.stop();
  const engine = await h.startEngine({
    specSet: compileRuntimeSpecs(h.target.url, [integrationYaml({ name: 'invoices' })]),
  });

  const refused = await rawRequest(`${engine.operatorUrl}/api/dlq/${id}/replay`, { method: 'POST' });

  expect({ status: refused.status, body: refused.json }).toEqual({
    status: 409,
    body: {
      error: 'integration-missing',
      message:
        `dead letter ${id} is of integration orders, which is not in the active spec set: a replay would wait ` +
        'unprocessed in the events stream until it is back; restore the integration first, or resolve or discard ' +
        'the entry',
    },
  });
  expect((await engine.deadLetters.get(id))!.entry).toMatchObject({ status: 'open' });
  expect((await engine.deadLetters.get(id))!.entry.replayStartedAt).toBeUndefined();
  expect((await brokerBacklog(h.nats.url)).stored).toBe(0);
});
