/**
 * Target faults (fault cases 6-11, 13): retryable errors are retried by the engine with nak(delay), permanent ones
 * and exhausted retries go to the DLQ at once, and a retry after a lost answer never writes twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { CREATE_STEP, FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function deadLetters(): Promise<Awaited<ReturnType<RuntimeHarness['engine']['deadLetters']['list']>>> {
  return h!.engine.deadLetters.list();
}

describe('retries and dead letters', () => {
  it('fault 6: 429 with Retry-After is retried after the delay the target asked for, once', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    h.target.fault = (r) =>
      r.attempt === 1
        ? { respond: { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } } }
        : undefined;
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.effectiveWrites.get('1') === 1, 'delivered after the 429');
    await expectDrained(h.nats.url);
    expect(h.target.requests.map((r) => r.attempt)).toEqual([1, 2]);
    // Lower bound only: the broker must not redeliver before the nak delay.
    expect(h.target.requests[1].at - h.target.requests[0].at).toBeGreaterThanOrEqual(950);
    expect(await deadLetters()).toEqual([]);
  });

  it('fault 6: 429 with Retry-After more times than max_attempts, then 200: waited out, delivered once', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 2 })] });
    const throttled = { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } };
    h.target.fault = (r) => (r.attempt <= 3 ? { respond: throttled } : undefined);
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.effectiveWrites.get('1') === 1, 'delivered after three 429s', 20_000);
    await expectDrained(h.nats.url);
    // Before: the second 429 used up max_attempts (2) and the event was dead-lettered.
    expect(h.target.requests.map((r) => `${r.method} ${r.path} ${r.attempt}`)).toEqual([
      'PUT /records/1 1',
      'PUT /records/1 2',
      'PUT /records/1 3',
      'PUT /records/1 4',
    ]);
    expect(await deadLetters()).toEqual([]);
  });

  it('fault 6: a target throttling past retry.throttle_deadline dead-letters the event, naming the throttling', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 50, throttleDeadline: '2s' })] });
    h.target.fault = () => ({
      respond: { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } },
    });
    await h.post('orders', { id: 2, seq: 1, status: 'new' });
    await waitFor(async () => (await deadLetters()).length === 1, 'dead-lettered at the throttle deadline', 20_000);
    await expectDrained(h.nats.url);
    const [entry] = await deadLetters();
    expect(entry).toMatchObject({
      key: '2',
      reason: 'throttle-deadline',
      error: { code: 'rate-limited', status: 429 },
      responseExcerpt: '{"error":"slow down"}',
    });
    expect(entry.error.message).toMatch(
      /^throttled by the target \(rate limit\) \d+ times over \ds, past the throttle deadline of 2s \(retry\.throttle_deadline\); last answer: target answered 429$/,
    );
    // Every request was answered 429: nothing was written.
    expect(h.target.requests.length).toBeGreaterThanOrEqual(2);
    expect(h.target.effectiveWrites.get('2')).toBeUndefined();
  });

  it('fault 7: 503 three times then 200: four attempts with growing delays, delivered once', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ initial: '100ms', max: '1s', maxAttempts: 6 })] });
    h.target.fault = (r) => (r.attempt <= 3 ? { respond: { status: 503 } } : undefined);
    await h.post('orders', { id: 1, seq: 1, status: 'new' });
    await waitFor(() => h!.target.effectiveWrites.get('1') === 1, 'delivered after three 503s', 15_000);
    await expectDrained(h.nats.url);
    const at = h.target.requests.map((r) => r.at);
    expect(at).toHaveLength(4);
    // Equal jitter: attempt n waits at least half of initial * 2^(n-1).
    [50, 100, 200].forEach((min, i) => expect(at[i + 1] - at[i]).toBeGreaterThanOrEqual(min));
    expect(await deadLetters()).toEqual([]);
  });

  it('fault 8: a stalled target times out below the ack wait and is retried with the same idempotency key', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ steps: CREATE_STEP })], timeout: '300ms' });
    h.target.fault = (r) => (r.attempt === 1 ? { stall: true } : undefined);
    await h.post('orders', { id: 1, seq: 1 });
    await waitFor(() => h!.target.records.has('1'), 'created after the stall');
    await expectDrained(h.nats.url);
    const [first, second] = h.target.requests;
    expect(h.target.requests).toHaveLength(2);
    expect(second.idempotencyKey).toBe(first.idempotencyKey);
    expect(h.target.effectiveWrites.get('1')).toBe(1);
  });

  it('fault 9: the answer is lost after the target committed: the retry finds the record and does not create it again', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ steps: FOUND_CREATE_STEP })] });
    h.target.fault = (r) => (r.method === 'POST' && r.attempt === 1 ? { afterCommit: 'destroy' } : undefined);
    await h.post('orders', { id: 1, seq: 1 });
    await waitFor(() => h!.target.requests.length === 2, 'looked up after the lost answer');
    await expectDrained(h.nats.url);
    // The target ignores Idempotency-Key, as Salesforce, Magento and M3 do: the look-up prevents a second create.
    expect(h.target.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /records', 'GET /records?key=1']);
    expect(h.target.effectiveWrites.get('1')).toBe(1);
    expect(await deadLetters()).toEqual([]);
  });

  it('fault 9 without a find: the same lost answer makes a target that ignores Idempotency-Key create twice', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ steps: CREATE_STEP })] });
    h.target.fault = (r) => (r.attempt === 1 ? { afterCommit: 'destroy' } : undefined);
    await h.post('orders', { id: 1, seq: 1 });
    await waitFor(() => h!.target.requests.length === 2, 'retried after the lost answer');
    await expectDrained(h.nats.url);
    expect(h.target.effectiveWrites.get('1')).toBe(2);
  });

  it('fault 10: a permanent 422 goes to the DLQ at once with status, body excerpt, step and request', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    h.target.fault = () => ({ respond: { status: 422, body: { message: 'status is not a valid value' } } });
    const posted = await h.post('orders', { id: 5, seq: 1, status: 'bogus' });
    await waitFor(async () => (await deadLetters()).length === 1, 'one dead letter');
    await expectDrained(h.nats.url);
    expect(h.target.requests).toHaveLength(1);
    const [entry] = await deadLetters();
    expect(entry).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9]+-0$/),
      integration: 'orders',
      eventId: posted.body.id,
      key: '5',
      subject: expect.stringMatching(/^junction\.events\.orders\.\d$/),
      event: { id: 5, seq: 1, status: 'bogus' },
      commit: 'working-tree',
      step: 'write',
      request: {
        step: 'write',
        connection: 'target',
        operation: 'records.upsert',
        method: 'PUT',
        path: '/records/5',
        body: { key: '5', seq: 1, status: 'bogus' },
      },
      responseExcerpt: '{"message":"status is not a valid value"}',
      error: {
        code: 'validation',
        message: 'target answered 422: {"message":"status is not a valid value"}',
        status: 422,
      },
      reason: 'permanent',
      attempts: 1,
      createdAt: expect.any(String),
      status: 'open',
    });
  });

  it('fault 11: a schema-invalid event fails its transform and is dead-lettered on the first attempt', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ body: '{ "key": $string(id), "seq": $number(seq) }' })],
    });
    await h.post('orders', { id: 6, seq: 'not-a-number' });
    await waitFor(async () => (await deadLetters()).length === 1, 'one dead letter');
    await expectDrained(h.nats.url);
    const [entry] = await deadLetters();
    expect(entry).toMatchObject({
      key: '6',
      step: 'write',
      reason: 'permanent',
      attempts: 1,
      error: { code: 'transform-error' },
    });
    expect(entry.error.message).toMatch(/^JSONata D3030: /);
    expect(h.target.requests).toEqual([]);
  });

  it('fault 13: always 503: exactly max_attempts attempts, then the DLQ', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ maxAttempts: 4, initial: '10ms', max: '40ms' })],
    });
    h.target.fault = () => ({ respond: { status: 503, body: { error: 'down' } } });
    await h.post('orders', { id: 9, seq: 1, status: 'new' });
    await waitFor(async () => (await deadLetters()).length === 1, 'one dead letter');
    await expectDrained(h.nats.url);
    expect(h.target.requests).toHaveLength(4);
    const [entry] = await deadLetters();
    expect(entry).toMatchObject({
      key: '9',
      reason: 'exhausted',
      attempts: 4,
      error: { code: 'http-5xx', status: 503 },
      responseExcerpt: '{"error":"down"}',
    });
  });
});
