/**
 * Webhook ingest while the broker is frozen (a SIGSTOPped nats-server: its connections stay open, nothing answers).
 * Once the engine calls the broker stalled, as `/readyz` does, new webhooks are refused at once with 503 and
 * Retry-After instead of each holding its sender for the 5 s publish timeout; a webhook already publishing gets its
 * honest answer; after SIGCONT ingest takes events again, and the stream holds every accepted event once and no
 * refused one.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** The engine's default (runtime-options.ts); the harness's own is shorter. */
const PUBLISH_TIMEOUT_MS = 5_000;

const orders = integrationYaml({
  name: 'orders',
  body: '{ "key": $string(id), "status": status }',
  owns: '  - { connection: target, object: record, fields: [status] }',
});

async function post(url: string, id: number) {
  const res = await fetch(`${url}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id, status: 'new' }),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}

async function readyzStatus(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`)).status;
}

/** The `id` of every event in the events stream, in stored order (no worker runs here, so nothing is taken out). */
async function storedIds(natsUrl: string): Promise<number[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const { first_seq, last_seq } = (await jsm.streams.info(EVENTS_STREAM)).state;
    const ids: number[] = [];
    for (let seq = first_seq; seq <= last_seq; seq++)
      ids.push((await jsm.streams.getMessage(EVENTS_STREAM, { seq }))!.json<{ id: number }>().id);
    return ids;
  } finally {
    await nc.close();
  }
}

const STALLED =
  /^event not stored, retry later: NATS has not answered a ping for \d+\.\d s \(sent at \d{4}-\d\d-\d\dT[\d:.]+Z\): the broker is stalled or the network to it drops packets$/;

it('refuses new webhooks at once while the broker is frozen, answers the one publishing honestly, and takes events again after', async () => {
  h = await startRuntimeHarness({
    integrations: [orders],
    tuning: { publishTimeoutMs: PUBLISH_TIMEOUT_MS },
    // No worker takes events out of the stream: what it holds is what ingest stored.
    engine: { roles: { workers: false, sources: false } },
  });
  const url = h.engine.url!;
  expect((await post(url, 1)).status).toBe(202);
  const pid = h.nats.pid!;
  process.kill(pid, 'SIGSTOP');
  let publishing: ReturnType<typeof post>;
  try {
    // Sent before the engine can know: it publishes and waits for the PubAck (two attempts of 5 s outlast the freeze).
    publishing = post(url, 2);
    await waitFor(async () => (await readyzStatus(url)) === 503, 'not ready');
    const started = Date.now();
    const refused = await post(url, 3);
    const tookMs = Date.now() - started;
    expect(refused).toEqual({
      status: 503,
      retryAfter: '5',
      body: { error: 'unavailable', message: expect.stringMatching(STALLED) },
    });
    // Answered without a publish: a publish would have waited out its timeout (and said TIMEOUT).
    expect(tookMs).toBeLessThan(PUBLISH_TIMEOUT_MS);
    // A burst is refused the same way, none of it held.
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => post(url, 10 + i)));
    expect(burst.map((r) => [r.status, r.retryAfter, r.body.error])).toEqual(
      Array.from({ length: 10 }, () => [503, '5', 'unavailable']),
    );
    expect(Date.now() - started).toBeLessThan(PUBLISH_TIMEOUT_MS);
  } finally {
    process.kill(pid, 'SIGCONT');
  }
  expect(await publishing).toMatchObject({ status: 202, body: { key: '2' } });
  await waitFor(async () => (await readyzStatus(url)) === 200, 'ready again');
  // The sender's retry of the refused event is its first store: no earlier copy made it a duplicate.
  expect(await post(url, 3)).toMatchObject({ status: 202, body: { key: '3', duplicate: false } });
  expect(await storedIds(h.nats.url)).toEqual([1, 2, 3]);
  // Each refusal counted, for the operator: 3 once and the burst of 10.
  expect(await h.engine.metrics.metrics()).toContain(
    'junction_events_refused_total{integration="orders",reason="broker-unavailable"} 11',
  );
});
