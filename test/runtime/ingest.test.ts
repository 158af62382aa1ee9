/**
 * Webhook ingest against a real nats-server: 2xx only after the PubAck, refusals that store nothing (401, 400,
 * 413, 404), broker dedup (fault case 14) and a broker crash during ingest (fault case 4).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { signBody } from '../../engine/runtime/ingest/verify-signature.js';
import { brokerBacklog, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const SECRET = 'hook-secret-for-tests';
const sign = (body: string) => signBody({ encoding: 'hex', prefix: 'sha256=' }, SECRET, body);

describe('webhook ingest', () => {
  it('stores a signed event, answers 202 with its id after the PubAck, and delivers it', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ hmacEnv: 'HOOK_SECRET' })],
      env: { HOOK_SECRET: SECRET },
    });
    const body = JSON.stringify({ id: 7, seq: 1, status: 'new' });
    const reply = await h.post('orders', body, { 'x-signature': sign(body) });
    expect(reply).toEqual({ status: 202, body: { id: expect.any(String), key: '7', seq: 1, duplicate: false } });
    await waitFor(() => h!.target.records.has('7'), 'record 7 delivered');
    expect(h.target.records.get('7')).toEqual({ key: '7', seq: 1, status: 'new' });
    await expectDrained(h.nats.url);
  });

  it('refuses unsigned, badly signed, malformed, unidentifiable, oversized and unknown requests, storing nothing', async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ hmacEnv: 'HOOK_SECRET', maxBodyBytes: 200 })],
      env: { HOOK_SECRET: SECRET },
    });
    const good = JSON.stringify({ id: 1, seq: 1, status: 'new' });
    expect(await h.post('orders', good)).toEqual({
      status: 401,
      body: { error: 'bad-signature', message: 'missing or invalid X-Signature signature' },
    });
    expect((await h.post('orders', good, { 'x-signature': sign(good + ' ') })).status).toBe(401);
    expect((await h.post('orders', good, { 'x-signature': 'sha256=zz' })).status).toBe(401);
    const garbage = '{"id": 1, "seq":';
    const malformed = await h.post('orders', garbage, { 'x-signature': sign(garbage) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('malformed-json');
    expect(malformed.body.message).toMatch(/^body is not valid JSON: /);
    const keyless = JSON.stringify({ seq: 1 });
    expect(await h.post('orders', keyless, { 'x-signature': sign(keyless) })).toEqual({
      status: 400,
      body: {
        error: 'unidentifiable-event',
        message: 'the key expression `$string(id)` gave no scalar value for this event',
      },
    });
    const big = JSON.stringify({ id: 2, pad: 'x'.repeat(300) });
    expect(await h.post('orders', big, { 'x-signature': sign(big) })).toEqual({
      status: 413,
      body: { error: 'body-too-large', message: 'body exceeds 200 bytes' },
    });
    expect(await h.post('nope', good)).toEqual({
      status: 404,
      body: { error: 'unknown-integration', message: 'no integration named "nope"' },
    });
    expect(await brokerBacklog(h.nats.url)).toEqual({ pending: 0, ackPending: 0, stored: 0 });
    expect(h.target.requests).toEqual([]);
  });

  it('identifies an event by the key and id its headers carry: trimmed, and a line break refused with 400', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ dedupId: 'ref' })] });
    // A header value cannot hold CR or LF: before, the publish threw and the sender got 503 on every retry.
    expect(await h.post('orders', { id: 'A-1\nA-2', ref: 'r0', seq: 1, status: 'new' })).toEqual({
      status: 400,
      body: {
        error: 'unidentifiable-event',
        message:
          'the key expression `$string(id)` gave a value with a line break (CR or LF), which an event\'s headers cannot carry: "A-1\\nA-2"',
      },
    });
    expect((await h.post('orders', { id: 5, ref: 'r\r1', seq: 1, status: 'new' })).body).toMatchObject({
      error: 'unidentifiable-event',
      message: expect.stringContaining('the dedup_id expression `ref` gave a value with a line break'),
    });
    expect(await brokerBacklog(h.nats.url)).toEqual({ pending: 0, ackPending: 0, stored: 0 });
    // Padded as ERP fields often are: the headers carry the trimmed values, and so does the answer.
    expect(await h.post('orders', { id: ' 9 ', ref: 'r9\n', seq: 1, status: 'new' })).toEqual({
      status: 202,
      body: { id: 'r9', key: '9', seq: 1, duplicate: false },
    });
    // The broker's dedup id is the trimmed one too, as the ledger's is: the same event, not a second one.
    expect((await h.post('orders', { id: ' 9 ', ref: 'r9', seq: 1, status: 'new' })).body).toMatchObject({
      id: 'r9',
      duplicate: true,
    });
    await waitFor(() => h!.target.records.has(' 9 '), 'record " 9 " delivered');
    await expectDrained(h.nats.url);
    expect(h.target.requests).toHaveLength(1);
  });

  it('refuses with 400 a key or id with a lone surrogate, which its headers would carry as U+FFFD', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ dedupId: 'ref' })] });
    // Headers are UTF-8: a lone surrogate goes out as U+FFFD, so ids 'r\ud800' and 'r\udc00' were one dedup id to the
    // broker. Before: both answered 202, the second as a duplicate of the first, and never delivered.
    expect(await h.post('orders', { id: 1, ref: 'r\ud800', seq: 1, status: 'new' })).toEqual({
      status: 400,
      body: {
        error: 'unidentifiable-event',
        message:
          'the dedup_id expression `ref` gave a value with a lone surrogate (not valid Unicode), which an ' +
          'event\'s headers cannot carry: "r\\ud800"',
      },
    });
    expect((await h.post('orders', { id: 2, ref: 'r\udc00', seq: 1, status: 'new' })).status).toBe(400);
    // The key too: the worker would key the ledger and parking by 'k\ufffd', ingest partitioned by 'k\udbff'.
    expect((await h.post('orders', { id: 'k\udbff', ref: 'r2', seq: 1, status: 'new' })).body).toEqual({
      error: 'unidentifiable-event',
      message: expect.stringContaining('the key expression `$string(id)` gave a value with a lone surrogate'),
    });
    expect(await brokerBacklog(h.nats.url)).toEqual({ pending: 0, ackPending: 0, stored: 0 });
  });

  it("refuses with 413 an event over the broker's max_payload with its headers, and with 400 a key its headers cannot hold", async () => {
    // nats-server's default max_payload (the test server sets none): 1 MiB, which is also max_body_bytes' default.
    const maxPayload = 1024 * 1024;
    h = await startRuntimeHarness({ integrations: [integrationYaml({ maxBodyBytes: 2 * maxPayload })] });
    const padded = (event: Record<string, unknown>, bytes: number) => {
      const text = JSON.stringify({ ...event, pad: '' });
      return JSON.stringify({ ...event, pad: 'x'.repeat(bytes - text.length) });
    };
    // Under max_payload alone, over it with the event's headers and the room kept for its dead letter. Before: 503
    // on every retry, so the sender never stopped sending it.
    const body = padded({ id: 1, seq: 1, status: 'new' }, maxPayload - 50);
    expect(await h.post('orders', body)).toEqual({
      status: 413,
      body: {
        error: 'event-too-large',
        message: expect.stringMatching(
          new RegExp(
            `^the event is \\d+ bytes as a message \\(body ${maxPayload - 50}, key 1, other headers \\d+\\), over the ` +
              `${maxPayload - 16384} bytes an event may take \\(the NATS server's max_payload of ${maxPayload} bytes, ` +
              'less 16384 kept for its dead-letter entry\\): send a smaller body or a shorter key, or raise ' +
              'max_payload on the NATS server to at least \\d+$',
          ),
        ),
      },
    });
    // A key goes into the headers whole, and JetStream refuses a message whose headers pass 64 KiB (400, code
    // 10097). Before: 503 on every retry.
    const key = 'k'.repeat(70_000);
    expect(await h.post('orders', { id: key, seq: 1, status: 'new' })).toEqual({
      status: 400,
      body: {
        error: 'unidentifiable-event',
        message:
          "the key expression `$string(id)` gave a value with more than 32768 bytes (70000), which an event's " +
          `headers cannot carry: "${key.slice(0, 100)}"`,
      },
    });
    expect(await brokerBacklog(h.nats.url)).toEqual({ pending: 0, ackPending: 0, stored: 0 });
    // The connection is unharmed: the next event is stored and delivered.
    expect((await h.post('orders', { id: 2, seq: 1, status: 'new' })).status).toBe(202);
    await waitFor(() => h!.target.records.has('2'), 'record 2 delivered');
    expect(h.target.requests.map((r) => r.key)).toEqual(['2']);
  });

  it('fault 14: a duplicate webhook inside the dedup window is dropped by the broker: one write', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml({ dedupId: '$string(id) & "-" & $string(seq)' })] });
    const first = await h.post('orders', { id: 3, seq: 1, status: 'new' });
    const again = await h.post('orders', { id: 3, seq: 1, status: 'new', resent: true });
    expect(first.body).toMatchObject({ id: '3-1', duplicate: false });
    expect(again).toEqual({ status: 202, body: { id: '3-1', key: '3', seq: first.body.seq, duplicate: true } });
    await waitFor(() => h!.target.records.has('3'), 'record 3 delivered');
    await expectDrained(h.nats.url);
    expect(h.target.requests.length).toBe(1);
    expect(h.target.effectiveWrites.get('3')).toBe(1);
  });

  it('fault 4: nats-server kill -9 during ingest: 503 while down, every 2xx-ed event delivered after restart', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    const accepted: number[] = [];
    const send = async (id: number) => {
      const r = await h!.post('orders', { id, seq: 1, status: 'new' });
      if (r.status === 202) accepted.push(id);
      return r.status;
    };
    for (let id = 1; id <= 20; id++) expect(await send(id)).toBe(202);
    await h.nats.kill();
    const whileDown = await fetch(`${h.engine.url}/hooks/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 100, seq: 1, status: 'new' }),
    });
    expect({ status: whileDown.status, retryAfter: whileDown.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '5',
    });
    expect(await whileDown.json()).toEqual({
      error: 'unavailable',
      message: expect.stringMatching(/^event not stored, retry later: /),
    });
    await h.nats.restart();
    // A sender retries until it gets a 2xx: that is the contract that makes 503 safe.
    for (let id = 21; id <= 40; id++) {
      await waitFor(async () => (await send(id)) === 202, `event ${id} accepted after restart`, 15_000);
    }
    await waitFor(
      () => accepted.every((id) => h!.target.records.has(String(id))),
      () => `all accepted delivered; missing ${accepted.filter((id) => !h!.target.records.has(String(id)))}`,
      30_000,
    );
    expect(accepted).toHaveLength(40);
    for (const id of accepted) expect(h.target.effectiveWrites.get(String(id))).toBe(1);
    expect(h.target.records.has('100')).toBe(false);
    // After a kill -9 the WorkQueue stream may still hold acked messages whose removal was not flushed.
    await expectDrained(h.nats.url, 15_000, { streamEmpty: false });
  });
});
