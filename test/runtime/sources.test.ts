/**
 * Non-webhook sources: schedule polling (cursor in KV, moved only after the events are stored; a record over the
 * broker's max_payload stops the source with a status that says how to fix it) and NATS subjects (answered only after
 * the PubAck).
 */
import { Kvm } from '@nats-io/kv';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import {
  expectDrained,
  failedRounds,
  startRuntimeHarness,
  waitFor,
  waitForSourceHealth,
} from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function storedCursor(name: string): Promise<string | undefined> {
  const nc = await connect({ servers: h!.nats.url });
  try {
    const entry = await (await new Kvm(nc).open(BUCKET_NAMES.cursors)).get(name);
    return entry ? entry.json<{ cursor?: string }>().cursor : undefined;
  } finally {
    await nc.close();
  }
}

it('polls a schedule source, stores each record once, and moves the cursor after storing', async () => {
  const source =
    '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": updated }' })],
  });
  h.target.source = [1, 2, 3].map((n) => ({ cursor: n, record: { id: n, updated: n } }));
  await waitFor(() => h!.target.records.size === 3, 'first three polled and delivered');
  await waitFor(async () => (await storedCursor('poll')) === '3', 'cursor moved to 3');
  h.target.source.push({ cursor: 4, record: { id: 4, updated: 4 } });
  await waitFor(() => h!.target.records.has('4'), 'the new record polled');
  await waitFor(async () => (await storedCursor('poll')) === '4', 'cursor moved to 4');
  await expectDrained(h.nats.url);
  expect([...h.target.effectiveWrites.values()]).toEqual([1, 1, 1, 1]);
  const polls = h.target.requests.filter((r) => r.method === 'GET').map((r) => r.path);
  expect(polls[0]).toBe('/source?after=0');
  expect(polls).toContain('/source?after=3');
});

it("a polled record over the broker's max_payload stops its source: the status names the record, its size and the max_payload to set; the cursor stays until it fits", async () => {
  const source =
    '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": updated }' })],
  });
  // nats-server's default max_payload (the test server sets none): 1 MiB.
  const maxPayload = 1024 * 1024;
  const big = { id: 2, updated: 2, notes: 'x'.repeat(maxPayload + 100) };
  h.target.source = [
    { cursor: 1, record: { id: 1, updated: 1 } },
    { cursor: 2, record: big },
  ];
  const health = await failedRounds(h.engine, 'poll', 2);
  const bytes = Number(/ is (\d+) bytes as an event/.exec(health.lastFailure!.message)?.[1]);
  expect(bytes).toBeGreaterThan(maxPayload);
  expect(health.lastFailure!.message).toBe(
    `record "2" of poll is ${bytes} bytes as an event, over the NATS server's max_payload of ${maxPayload} bytes ` +
      'less 16384 kept for its dead-letter entry: the source stops at it (its position stays, nothing is lost) ' +
      `until it fits; raise max_payload in nats-server.conf to at least ${bytes + 16384} and restart nats-server`,
  );
  // Not moved past the record (a poll before the records were there may have stored the initial cursor).
  expect([undefined, '0']).toContain(await storedCursor('poll'));
  // The vendor's record shrinks (or max_payload is raised): the source goes on from where it stopped.
  h.target.source[1] = { cursor: 2, record: { id: 2, updated: 2 } };
  await waitFor(async () => (await storedCursor('poll')) === '2', 'cursor moved to 2');
  await waitFor(() => h!.target.records.has('1') && h!.target.records.has('2'), 'both records delivered');
  await waitForSourceHealth(h.engine, 'poll', (health) => health?.failedRounds === 0, 'the source healthy again');
}, 60_000);

it('a position the broker refuses to store fails the round: the status shows it, and the poll is not counted', async () => {
  const source =
    '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": updated }' })],
  });
  h.target.source = [{ cursor: 1, record: { id: 1, updated: 1 } }];
  await waitFor(async () => (await storedCursor('poll')) === '1', 'cursor moved to 1');
  // The cursors bucket takes no value this large any more (a write the broker refuses, not one lost to a poller).
  const nc = await connect({ servers: h.nats.url });
  const jsm = await jetstreamManager(nc);
  const stream = `KV_${BUCKET_NAMES.cursors}`;
  const config = (await jsm.streams.info(stream)).config;
  await jsm.streams.update(stream, { ...config, max_msg_size: 40 });
  const polls = async () =>
    Number(/ (\d+)$/m.exec(await h!.engine.metrics.getSingleMetricAsString('junction_polls_total'))?.[1]);
  h.target.source.push({ cursor: 2, record: { id: 2, updated: 2 } });
  // Counted once a round failed: every round after it lists record 2, while one that listed nothing before the push
  // may finish (and count) after it.
  await failedRounds(h.engine, 'poll', 1);
  const counted = await polls();
  const health = await failedRounds(h.engine, 'poll', 3);
  expect(health.lastFailure!.message).toMatch(/^the position of poll could not be stored \(its events are\): .*size/);
  expect(await polls()).toBe(counted);
  expect(await storedCursor('poll')).toBe('1');
  // Stored again: the source goes on, the record delivered once.
  await jsm.streams.update(stream, { ...config, max_msg_size: -1 });
  await nc.close();
  await waitFor(async () => (await storedCursor('poll')) === '2', 'cursor moved to 2');
  await expectDrained(h.nats.url);
  expect([...h.target.effectiveWrites.values()]).toEqual([1, 1]);
});

it("evaluates a schedule source's body with the steps' bindings: $lookup and $xref", async () => {
  const source =
    '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, body: \'{ "region": $lookup("regions", "EU") & ($xref("owners", "EU") ? "-owned" : "") }\', every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
  const regions = 'apiVersion: junction/v1\nkind: Lookup\nname: regions\nentries: { EU: eu-west }\n';
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": updated }' })],
    extra: { 'lookups/regions.yaml': regions },
  });
  h.target.source = [{ cursor: 1, record: { id: 1, updated: 1 } }];
  await waitFor(() => h!.target.records.size === 1, 'the record polled and delivered');
  const polls = h.target.requests.filter((r) => r.method === 'GET').map((r) => r.path);
  expect(polls[0]).toBe('/source?after=0&region=eu-west');
});

it('stores events from a NATS subject and answers the publisher after the PubAck', async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'from-nats', source: '{ nats: { subject: app.orders } }' })],
  });
  const nc = await connect({ servers: h.nats.url });
  try {
    const reply = await nc.request('app.orders', JSON.stringify({ id: 21, seq: 1, status: 'new' }), { timeout: 5000 });
    expect(reply.json()).toEqual({ ok: true, id: expect.any(String), duplicate: false });
    const bad = await nc.request('app.orders', 'not json', { timeout: 5000 });
    expect(bad.json()).toMatchObject({ ok: false, error: expect.stringMatching(/JSON/) });
  } finally {
    await nc.close();
  }
  await waitFor(() => h!.target.records.has('21'), 'delivered');
  await expectDrained(h.nats.url);
  expect(h.target.records.get('21')).toEqual({ key: '21', seq: 1, status: 'new' });
});

it('dead-letters a NATS message published without a reply subject that cannot become an event', async () => {
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'from-nats', source: '{ nats: { subject: app.orders } }' })],
  });
  const nc = await connect({ servers: h.nats.url });
  try {
    // Fire and forget: nobody to answer, so each must reach the DLQ rather than only the log.
    nc.publish('app.orders', 'not json');
    nc.publish('app.orders', '42');
    nc.publish('app.orders', JSON.stringify({ seq: 1, status: 'no id' }));
    nc.publish('app.orders', JSON.stringify({ id: 22, seq: 1, status: 'new' }));
    await nc.flush();
    // A publisher that asks still gets the reason, and nothing is dead-lettered for it.
    const asked = await nc.request('app.orders', JSON.stringify({ seq: 2 }), { timeout: 5000 });
    expect(asked.json()).toEqual({
      ok: false,
      error: expect.stringMatching(/^.+: the message on app\.orders was not stored as an event; fix the publisher/),
    });
  } finally {
    await nc.close();
  }
  await waitFor(() => h!.target.records.has('22'), 'the good message delivered');
  let entries = await h.engine.deadLetters.list({ integration: 'from-nats' });
  await waitFor(
    async () => (entries = await h!.engine.deadLetters.list({ integration: 'from-nats' })).length === 3,
    'three dead letters',
  );
  const byCode = new Map(entries.map((e) => [e.error.code, e]));
  expect([...byCode.keys()].sort()).toEqual(['malformed-json', 'no-key', 'not-an-object']);
  expect(byCode.get('malformed-json')).toMatchObject({
    integration: 'from-nats',
    key: '',
    event: 'not json',
    reason: 'permanent',
    attempts: 0,
    status: 'open',
    error: {
      message: expect.stringMatching(/^not valid JSON: .+: the message on app\.orders was not stored as an event/),
    },
  });
  expect(byCode.get('not-an-object')).toMatchObject({
    event: 42,
    error: {
      message:
        'not a JSON object or array: the message on app.orders was not stored as an event; fix the publisher (or the key expression) and replay it, or resolve it',
    },
  });
  expect(byCode.get('no-key')).toMatchObject({ event: { seq: 1, status: 'no id' }, reason: 'permanent' });
  expect(h.target.requests.map((r) => r.key)).toEqual(['22']);
  await expectDrained(h.nats.url);
});
