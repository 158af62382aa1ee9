/**
 * The delivery ledger and the DLQ operations: duplicates beyond the broker's dedup window (fault 15), replay after
 * a fix (fault 16) through the HTTP API, and the status and metrics endpoints that report them.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_PREFIX, EVENTS_STREAM, keyDigest } from '../../engine/runtime/broker/subjects.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const api = async (path: string, method = 'GET') => {
  const res = await fetch(`${h!.engine.operatorUrl}${path}`, { method });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/**
 * Resolves once the broker's dedup window no longer holds `msgId` (it purges expired ids on a timer, late under
 * load). A probe with that id and an expected last sequence the stream never reaches is answered as a duplicate
 * while the id is held, and refused with "wrong last sequence" once it is gone: nats-server checks the id first.
 * Either way nothing is stored, and the probe's subject has no consumer.
 */
async function dedupWindowPassed(natsUrl: string, msgId: string): Promise<void> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const js = jetstream(nc);
    const held = () =>
      js
        .publish(`${EVENTS_PREFIX}.dedup-probe.0`, '', {
          msgID: msgId,
          expect: { lastSequence: Number.MAX_SAFE_INTEGER },
        })
        .then(
          (ack) => {
            if (!ack.duplicate) throw new Error(`the dedup probe for ${msgId} was stored: ${JSON.stringify(ack)}`);
            return true;
          },
          (error: Error) => {
            if (/wrong last sequence/.test(error.message)) return false;
            throw error;
          },
        );
    await waitFor(async () => !(await held()), `the broker's dedup window to drop ${msgId}`);
  } finally {
    await nc.close();
  }
}

describe('ledger and dead-letter queue', () => {
  it('fault 15: a duplicate beyond the dedup window is stored again but skipped by the ledger: one write', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ dedupId: '$string(id) & "-" & $string(seq)' })],
      tuning: { duplicateWindowMs: 200 },
    });
    // Nothing delivered yet: no live figures.
    expect((await api('/api/status')).body.integrations).toMatchObject([
      { name: 'orders', latencyP50Ms: null, latencyP99Ms: null, throughputPerS: null },
    ]);
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.records.has('1'), 'first copy delivered');
    // The engine's Nats-Msg-Id of an event: <integration>:<event id>.
    await dedupWindowPassed(h.nats.url, 'orders:1-1');
    const late = await h.post('orders', { id: 1, seq: 1, status: 'new' });
    expect(late.body).toMatchObject({ id: '1-1', duplicate: false });
    await expectDrained(h.nats.url);
    expect(h.target.requests).toHaveLength(1);
    const status = await api('/api/status');
    expect(status.body).toMatchObject({ commit: 'working-tree', nats: { connected: true }, partitions: 4 });
    const [orders] = status.body.integrations as { latencyP50Ms: number; latencyP99Ms: number }[];
    expect(orders).toEqual({
      name: 'orders',
      source: 'webhook',
      hash: expect.any(String),
      commit: 'working-tree',
      inFlight: 0,
      lag: 0,
      deadLetters: 0,
      waiting: 0,
      counts: { in: 2, delivered: 1, skipped: 0, echoSuppressed: 0, retried: 0, deadLettered: 0, duplicates: 1 },
      latencyP50Ms: expect.any(Number),
      latencyP99Ms: expect.any(Number),
      // One delivery (the skipped duplicate is not one) averaged over the 60 s window.
      throughputPerS: 0.02,
    });
    // A single sample is both percentiles.
    expect(orders.latencyP99Ms).toBe(orders.latencyP50Ms);
    expect(orders.latencyP50Ms).toBeGreaterThanOrEqual(0);
  });

  it('fault 15 while the event is parked: the late duplicate queues behind it, no second ticket, one write', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ dedupId: '$string(id) & "-" & $string(seq)', maxAttempts: 50, max: '1s' })],
      tuning: { duplicateWindowMs: 200 },
    });
    let down = true;
    h.target.fault = () => (down ? { respond: { status: 503 } } : undefined);
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.requests.length > 0, 'the first attempt failed and parked the key');
    // Past the window for the event and for its ticket (`park:<integration>:<key digest>:<gen>:<n>`) alike.
    await dedupWindowPassed(h.nats.url, 'orders:1-1');
    await dedupWindowPassed(h.nats.url, `park:orders:${keyDigest('1')}:${keyDigest('orders:1-1')}:0`);
    expect((await h.post('orders', { id: 1, seq: 1, status: 'new' })).body).toMatchObject({ duplicate: false });
    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(nc);
      const partitionsBusy = async () => {
        let busy = 0;
        for await (const c of jsm.consumers.list(EVENTS_STREAM))
          if (!c.name.endsWith('-retry')) busy += c.num_pending + c.num_ack_pending;
        return busy;
      };
      await waitFor(async () => (await partitionsBusy()) === 0, 'the duplicate taken from its partition');
      // Still failing, so the parked event's ticket is stored until it is delivered: one, not a second one that
      // would run the event beside it with its attempt count started again.
      const tickets = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: `${EVENTS_PREFIX}.orders.retry` });
      expect(tickets.state.subjects).toEqual({ [`${EVENTS_PREFIX}.orders.retry`]: 1 });
    } finally {
      await nc.close();
    }
    down = false;
    await waitFor(() => h!.target.records.has('1'), 'delivered once the target is back');
    await expectDrained(h.nats.url);
    expect(h.target.effectiveWrites.get('1')).toBe(1);
  });

  it('fault 16: replay after the target is fixed delivers once and marks the entry replayed', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    h.target.fault = () => ({ respond: { status: 400, body: { message: 'warehouse W9 unknown' } } });
    await h.post('orders', { id: 4, seq: 1, status: 'new' });
    await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
    const listed = await api('/api/dlq?status=open');
    const [entry] = listed.body.entries as { id: string; status: string; request: { body: unknown } }[];
    expect(entry.status).toBe('open');

    h.target.fault = undefined;
    expect(await api(`/api/dlq/${entry.id}/replay`, 'POST')).toEqual({
      status: 202,
      body: { replayed: entry.id, seq: expect.any(Number) },
    });
    await waitFor(() => h!.target.effectiveWrites.get('4') === 1, 'delivered by the replay');
    await expectDrained(h.nats.url);
    expect(h.target.requests).toHaveLength(2);
    expect(await api(`/api/dlq/${entry.id}`)).toMatchObject({
      status: 200,
      body: { id: entry.id, status: 'replayed', replayedAt: expect.any(String) },
    });
    expect(await api(`/api/dlq/${entry.id}/replay`, 'POST')).toEqual({
      status: 409,
      body: { error: 'already-replayed', message: `dead letter ${entry.id} was already replayed` },
    });
    expect(await api('/api/dlq/nope/replay', 'POST')).toEqual({
      status: 404,
      body: { error: 'not-found', message: 'no dead letter nope' },
    });
    expect((await h.engine.deadLetters.list({ status: 'open' })).length).toBe(0);
  });

  it('a replay that fails again becomes a new entry of the next generation', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    h.target.fault = () => ({ respond: { status: 422 } });
    await h.post('orders', { id: 8, seq: 1, status: 'new' });
    await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered');
    const [first] = await h.engine.deadLetters.list();
    expect((await h.engine.replay(first.id)).status).toBe('replayed');
    await waitFor(
      async () => (await h!.engine.deadLetters.list({ status: 'open' })).length === 1,
      'dead-lettered again',
    );
    await expectDrained(h.nats.url);
    const [second] = await h.engine.deadLetters.list({ status: 'open' });
    expect(second.id).toBe(first.id.replace(/-0$/, '-1'));
    expect(second.eventId).toBe(first.eventId);
    expect(h.target.requests).toHaveLength(2);
  });

  it('a replay that fails again with a retry, within the dedup window, parks its key anew and is delivered', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    h.target.fault = () => ({ respond: { status: 503 } });
    await h.post('orders', { id: 5, seq: 1, status: 'new' });
    // Parked after its first failure, retried from its ticket until the budget ran out.
    await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'dead-lettered after its retries');
    const [entry] = await h.engine.deadLetters.list();
    // The replay's first call fails once more (the target is not quite back), well inside the 2-minute window.
    let failures = 0;
    h.target.fault = () => (failures++ === 0 ? { respond: { status: 503 } } : undefined);
    expect((await h.engine.replay(entry.id)).status).toBe('replayed');
    await waitFor(() => failures > 0, 'the replay attempted');
    // A later event of the key queues behind the replay.
    await h.post('orders', { id: 5, seq: 2, status: 'paid' });
    await waitFor(
      () => h!.target.committedOrder.get('5')?.length === 2,
      () =>
        `the replay and the later event delivered (committed: ${JSON.stringify(h!.target.committedOrder.get('5'))})`,
    );
    expect(h.target.committedOrder.get('5')).toEqual([1, 2]);
    await expectDrained(h.nats.url);
    expect((await h.engine.deadLetters.list({ status: 'open' })).length).toBe(0);
  });

  it('exposes Prometheus metrics on the operator listener, health and readiness on the public one', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.records.has('1'), 'delivered');
    await expectDrained(h.nats.url);
    expect(await (await fetch(`${h.engine.url}/healthz`)).json()).toEqual({ ok: true });
    expect(await (await fetch(`${h.engine.url}/readyz`)).json()).toEqual({ ready: true });
    const metrics = await (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
    expect(metrics).toContain('junction_events_in_total{integration="orders",source="webhook"} 1');
    expect(metrics).toContain('junction_events_delivered_total{integration="orders",outcome="delivered"} 1');
    expect(metrics).toContain('junction_delivery_latency_seconds_count{integration="orders"} 1');
    expect(metrics).toContain('junction_consumer_lag{integration="orders"}');
    expect(metrics).toContain('junction_events_in_flight{integration="orders"} 0');
  });
});
