/**
 * #14 item 2, the events stream's limits: `max_bytes` and discard `new` as documented, so a backlog cannot fill the
 * disk and nothing stored is dropped to make room; a full stream shows in a metric and a status warning, ingest
 * answers 507 (nothing lost: the sender keeps the event and retries), and once the backlog drains the retry is
 * stored and delivered.
 */
import { DiscardPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { DEFAULT_TUNING } from '../../engine/runtime/runtime-options.js';
import { dropsAtStreamLimit } from '../../engine/runtime/observe/engine-status.js';
import { junction } from '../ops/cli-in-process.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const MAX_BYTES = 4096;

async function streamServerVersion(natsUrl: string): Promise<string | undefined> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  const version = nc.info?.version;
  await nc.close();
  return version;
}

async function streamInfo(natsUrl: string) {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    return await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM);
  } finally {
    await nc.close();
  }
}

const post = (url: string, id: number) =>
  fetch(`${url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, seq: 1, status: 'new' }),
  });

it('a full events stream refuses new events with 507, a metric and a status warning, and drops nothing stored', async () => {
  expect(DEFAULT_TUNING.eventsMaxBytes).toBe(8 * 1024 ** 3);
  h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { eventsMaxBytes: MAX_BYTES } });
  const before = await streamInfo(h.nats.url);
  expect([before.config.max_bytes, before.config.discard]).toEqual([MAX_BYTES, DiscardPolicy.New]);

  // Paused, the integration stores and delivers nothing: the backlog grows until the stream is full.
  expect((await junction('pause', 'orders', '--reason', 'ERP down', '--nats', h.nats.url)).code).toBe(0);
  await waitFor(
    async () => (await h!.engine.status()).integrations[0].status === 'paused',
    'orders paused on the engine',
  );
  const accepted: number[] = [];
  let refused: Response | undefined;
  for (let id = 1; id <= 200 && !refused; id++) {
    const res = await post(h.engine.url!, id);
    if (res.status === 202) accepted.push(id);
    else refused = res;
  }
  expect(refused?.status).toBe(507);
  expect(refused!.headers.get('retry-after')).toBe('60');
  const body = (await refused!.json()) as { error: string; message: string };
  expect(body.error).toBe('events-stream-full');
  expect(body.message).toMatch(/^event not stored, retry later: the events stream is full \(maximum bytes exceeded/);
  const refusedId = accepted.length + 1;

  const after = await streamInfo(h.nats.url);
  expect(after.state.bytes).toBeLessThanOrEqual(MAX_BYTES);
  const version = (await streamServerVersion(h.nats.url))!;
  type Status = { warnings: string[]; eventsStream?: { bytes: number; maxBytes: number } };
  // The stream's figures are read from the broker on each request and left out when that read fails (seen once on a
  // loaded machine): asked again until the broker answered.
  let status: Status = { warnings: [] };
  await waitFor(async () => {
    status = (await (await fetch(`${h!.engine.operatorUrl}/api/status`)).json()) as Status;
    return status.eventsStream !== undefined;
  }, 'the status with the stream figures');
  // Every accepted event is still stored, the first included: nothing is dropped to make room. (A nats-server
  // before 2.10.5 would trim the oldest events at its limit; the engine refuses before it gets there.)
  expect([after.state.messages, after.state.first_seq]).toEqual([accepted.length, 1]);
  if (dropsAtStreamLimit(version))
    expect(status.warnings[2]).toBe(
      `nats-server ${version} deletes the oldest stored events when the events stream reaches its limit, ` +
        'instead of only refusing new ones (nats-io/nats-server#4771, fixed in 2.10.5); each engine refuses events ' +
        'before the limit by its own count, which other engines on the stream can outrun: upgrade nats-server',
    );

  const metrics = await (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
  expect(metrics).toContain('junction_events_refused_total{integration="orders",reason="stream-full"} 1');
  expect(metrics).toContain(`junction_events_stream_max_bytes ${MAX_BYTES}`);
  expect(metrics).toContain(`junction_events_stream_bytes ${after.state.bytes}`);
  expect(status.eventsStream).toEqual({ bytes: after.state.bytes, maxBytes: MAX_BYTES });
  expect(status.warnings[0]).toMatch(/^the events stream was full at \d{4}-.*: webhooks got 507 and must be resent/);
  expect(status.warnings[1]).toMatch(
    new RegExp(`^the events stream holds ${after.state.bytes} of its ${MAX_BYTES} bytes \\(\\d+%\\)`),
  );
  const cli = await junction('status', '--url', h.engine.operatorUrl!);
  expect(cli.stdout).toContain(`WARNING         ${status.warnings[0]}`);

  // Resumed, the backlog is delivered and the sender's retry of the refused event is stored and delivered too.
  expect((await junction('resume', 'orders', '--nats', h.nats.url)).code).toBe(0);
  await waitFor(() => accepted.every((id) => h!.target.records.has(String(id))), 'the backlog delivered', 30_000);
  // The sender retries until there is room (the engine may see it up to a second late: Retry-After says 60 s).
  await waitFor(async () => (await post(h!.engine.url!, refusedId)).status === 202, 'the retry stored');
  await waitFor(() => h!.target.records.has(String(refusedId)), 'the retried event delivered');
}, 90_000);

it('a changed limit updates the existing stream when an engine starts', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { eventsMaxBytes: MAX_BYTES } });
  await h.startEngine({ roles: { http: false }, tuning: { eventsMaxBytes: 2 * MAX_BYTES } });
  const info = await streamInfo(h.nats.url);
  expect([info.config.max_bytes, info.config.discard]).toEqual([2 * MAX_BYTES, DiscardPolicy.New]);
});

it('knows which nats-server versions trim the oldest events at a discard-new byte limit', () => {
  const versions = ['2.9.10', '2.10.4', '2.10.5', '2.10.22', '2.11.0', '3.0.0', 'unknown'];
  expect(versions.map(dropsAtStreamLimit)).toEqual([true, true, false, false, false, false, false]);
});
