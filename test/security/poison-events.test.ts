/**
 * Security item: poison events. An event nested thousands of levels deep parses, but every recursive walk after it
 * overflows the stack; the dead-letter write did, so the event was redelivered forever and every key behind it on
 * its partition waited. Now webhook ingest refuses bodies deeper than MAX_EVENT_DEPTH (counted on the bytes, without
 * recursion), and an event that gets past ingest anyway (here through a NATS subject source, which has no sender to
 * answer 400 to) reaches the DLQ on its first attempt, stored as its raw text, while the keys behind it move on.
 */
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventData } from '../../engine/runtime/ingest/event-publisher.js';
import { MAX_EVENT_DEPTH, jsonTextDepth, valueDepth } from '../../engine/runtime/ingest/json-depth.js';
import { brokerBacklog, expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** `{"id":<id>,"seq":1,"status":"new","n":[[[…]]]}`, `depth` levels deep in all, built as text (no recursion). */
function nestedEvent(id: number, depth: number): string {
  const inner = depth - 1;
  return `{"id":${id},"seq":1,"status":"new","n":${'['.repeat(inner)}${']'.repeat(inner)}}`;
}

describe('poison events', () => {
  it('are refused at webhook ingest beyond the documented depth, with a reason and nothing stored', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    expect(MAX_EVENT_DEPTH).toBe(64);
    const deepest = await h.post('orders', nestedEvent(1, MAX_EVENT_DEPTH));
    expect(deepest.status).toBe(202);
    for (const depth of [MAX_EVENT_DEPTH + 1, 6_000]) {
      const refused = await h.post('orders', nestedEvent(2, depth));
      expect(refused).toEqual({
        status: 400,
        body: { error: 'too-deep', message: 'body is nested deeper than 64 levels' },
      });
    }
    // Too deep and malformed at once: still too deep (the bytes are counted when the body does not parse).
    expect(await h.post('orders', `{"id":3,"n":${'['.repeat(6_000)}`)).toEqual({
      status: 400,
      body: { error: 'too-deep', message: 'body is nested deeper than 64 levels' },
    });
    expect(await h.post('orders', `{"id":3,"n":${'['.repeat(10)}`)).toMatchObject({
      status: 400,
      body: { error: 'malformed-json' },
    });
    await waitFor(() => h!.target.records.has('1'), 'the event at the limit delivered');
    await expectDrained(h.nats.url);
    expect(h.target.records.has('2')).toBe(false);
  });

  it('that get past ingest reach the DLQ on the first attempt, and the keys behind them move on', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ name: 'deep', source: '{ nats: { subject: app.deep } }' })],
      // One partition: every key waits behind the poison event unless it leaves at once.
      tuning: { partitions: 1 },
    });
    h.target.fault = (r) => (r.key === '1' ? { respond: { status: 422, body: { message: 'rejected' } } } : undefined);
    const poison = nestedEvent(1, 6_000);
    expect(jsonTextDepth(Buffer.from(poison))).toBe(6_000);
    const nc = await connect({ servers: h.nats.url });
    try {
      for (const body of [poison, nestedEvent(2, 2), nestedEvent(3, 2)]) {
        const reply = await nc.request('app.deep', body, { timeout: 5000 });
        expect(reply.json()).toMatchObject({ ok: true, duplicate: false });
      }
    } finally {
      await nc.close();
    }
    await waitFor(() => h!.target.records.has('2') && h!.target.records.has('3'), 'the keys behind it delivered');
    await expectDrained(h.nats.url);
    expect(await brokerBacklog(h.nats.url)).toEqual({ pending: 0, ackPending: 0, stored: 0 });
    const [entry] = await h.engine.deadLetters.list({ integration: 'deep' });
    expect(entry).toMatchObject({
      key: '1',
      attempts: 1,
      reason: 'permanent',
      error: { code: 'validation', status: 422 },
    });
    // Kept as the exact bytes that were stored, so a replay republishes the same event.
    expect(entry.event).toBe(poison);
    expect(h.target.requests.filter((r) => r.key === '1')).toHaveLength(1);
  });

  it('are measured without recursion, in text and in values', () => {
    expect(jsonTextDepth(Buffer.from('{"a":"[[[{{","b":[{"c":"\\"["}]}'))).toBe(3);
    expect(jsonTextDepth(Buffer.from('['.repeat(100_000)), 10)).toBe(11);
    let deep: unknown = 1;
    for (let i = 0; i < 50_000; i++) deep = [deep];
    expect(valueDepth(deep)).toBe(50_000);
    expect(valueDepth(deep, 64)).toBe(65);
    expect(valueDepth({ a: [1, { b: {} }] })).toBe(4);
    // A polled record too deep for JSON.stringify still becomes stream bytes (schedule sources).
    expect(valueDepth(JSON.parse(eventData({ id: 1, n: deep }).toString()))).toBe(50_001);
  });
});
