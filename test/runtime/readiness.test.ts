/**
 * `GET /readyz` says why an engine is not ready, in JSON (and plain text when asked), with the status codes probes
 * read: the broker connection lost, the events stream deleted, no spec set applied yet (an engine following Git).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { emptySpecSet } from '../../engine/gitops/empty-spec-set.js';
import { startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const orders = integrationYaml({
  name: 'orders',
  body: '{ "key": $string(id), "status": status }',
  owns: '  - { connection: target, object: record, fields: [status] }',
});

async function readyz(url: string, accept?: string) {
  const res = await fetch(`${url}/readyz`, { headers: accept ? { accept } : {} });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

it('names the lost broker connection, and is ready again once reconnected', async () => {
  h = await startRuntimeHarness({ integrations: [orders] });
  expect(await readyz(h.engine.url!)).toEqual({ status: 200, type: 'application/json', body: '{"ready":true}' });
  await h.nats.stop();
  await waitFor(async () => (await readyz(h!.engine.url!)).status === 503, 'not ready');
  const json = JSON.parse((await readyz(h.engine.url!)).body);
  expect(json).toEqual({ ready: false, reasons: [{ check: 'nats', message: expect.any(String) }] });
  expect(json.reasons[0].message).toMatch(/^NATS disconnected since \d{4}-\d\d-\d\dT[\d:.]+Z, reconnecting$/);
  expect(await readyz(h.engine.url!, 'text/plain')).toEqual({
    status: 503,
    type: 'text/plain; charset=utf-8',
    body: `not ready\n- nats: ${json.reasons[0].message}\n`,
  });
  await h.nats.restart();
  await waitFor(async () => (await readyz(h!.engine.url!)).status === 200, 'ready again');
  expect(await readyz(h.engine.url!, 'text/plain')).toMatchObject({ status: 200, body: 'ready\n' });
});

it('names a broker that stopped answering (frozen, its connections open) within seconds, and recovers', async () => {
  h = await startRuntimeHarness({ integrations: [orders] });
  const pid = h.nats.pid!;
  expect((await readyz(h.engine.url!)).status).toBe(200);
  // SIGSTOP: the TCP connection stays up and nothing answers, as with a broker stuck on a disk or a network that
  // drops packets. The client's own pings (every 5 s, 3 unanswered) take 15 s to call the connection lost.
  process.kill(pid, 'SIGSTOP');
  try {
    await waitFor(async () => (await readyz(h!.engine.url!)).status === 503, 'not ready');
    const json = JSON.parse((await readyz(h.engine.url!)).body);
    expect(json).toEqual({ ready: false, reasons: [{ check: 'nats', message: expect.any(String) }] });
    expect(json.reasons[0].message).toMatch(
      /^NATS has not answered a ping for \d+\.\d s \(sent at \d{4}-\d\d-\d\dT[\d:.]+Z\): the broker is stalled or the network to it drops packets$/,
    );
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  await waitFor(async () => (await readyz(h!.engine.url!)).status === 200, 'ready again');
});

it('names a deleted events stream (checked on the broker at most every 5 s, never waited on by the probe)', async () => {
  h = await startRuntimeHarness({ integrations: [orders] });
  const nc = await connect({ servers: h.nats.url });
  await (await jetstreamManager(nc)).streams.delete(EVENTS_STREAM);
  await nc.close();
  await waitFor(async () => (await readyz(h!.engine.url!)).status === 503, 'not ready', 20_000);
  expect(JSON.parse((await readyz(h.engine.url!)).body)).toEqual({
    ready: false,
    reasons: [
      {
        check: 'events-stream',
        message:
          'the events stream JUNCTION_EVENTS does not exist on the broker (deleted?): restart the engine to create it again',
      },
    ],
  });
});

it('is not ready before an engine following Git has applied a spec set', async () => {
  h = await startRuntimeHarness({ integrations: [orders] });
  const engine = await h.startEngine({ specSet: emptySpecSet(), port: 0 });
  expect(await readyz(engine.url!)).toEqual({
    status: 503,
    type: 'application/json',
    body: JSON.stringify({
      ready: false,
      reasons: [{ check: 'specs', message: 'no spec set applied yet (waiting for the first bundle from Git)' }],
    }),
  });
  await engine.applySpecSet(h.specSet);
  expect((await readyz(engine.url!)).status).toBe(200);
});
