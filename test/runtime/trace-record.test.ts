/**
 * A trace record as stored (engine/runtime/stores/trace-log.ts, `traceJson`, published as `traceBytes`): every field
 * of the attempt, request bodies and step results kept whole up to 2 KB of JSON and cut beyond it, marked with their
 * full length. The JSON is assembled from each piece's own serialisation, so it must parse to exactly that record.
 * Through a real engine, a body is traced as the target received it (the HTTP client's text is reused), and masked
 * when it was recorded masked.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { REDACTED, jsonForms } from '../../engine/http/redact.js';
import type { EngineSecrets } from '../../engine/runtime/engine-secrets.js';
import { rememberSentJson } from '../../engine/http/sent-json.js';
import { TraceLog, traceBytes, traceJson } from '../../engine/runtime/stores/trace-log.js';
import { DeadLetterStore } from '../../engine/runtime/stores/dead-letter-store.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { Kvm } from '@nats-io/kv';
import type { TraceRecord } from '../../engine/runtime/stores/trace-log.js';
import { waitFor } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const base: TraceRecord = {
  integration: 'orders',
  key: 'o-"1"',
  eventId: 'evt-1',
  attempt: 2,
  outcome: 'dead_lettered',
  commit: 'c1',
  storedAt: '2026-12-04T18:00:00.000Z',
  at: '2026-12-04T18:00:01.000Z',
  requests: [],
};

describe('trace records', () => {
  it('keep small bodies and results whole, and every other field as it was', () => {
    const record: TraceRecord = {
      ...base,
      requests: [
        { step: 'order', method: 'PUT', path: '/orders/1', body: { id: 1, note: 'a "quoted" \u2028 text' } },
        { step: 'lines', index: 0, method: 'POST', path: '/lines' },
      ],
      results: { order: { id: 'erp-1' } },
      error: { code: 'validation', message: 'rejected', status: 422, step: 'order', response: '{"error":"no"}' },
      dlqId: 'dlq-1',
      replayOf: 'dlq-0',
      nextInMs: 500,
    };
    expect(JSON.parse(traceJson(record))).toStrictEqual(record);
  });

  it('cut a body or results over 2 KB of JSON to their first 2 KB, marked with the whole length', () => {
    const body = { lines: Array.from({ length: 100 }, (_, i) => ({ sku: `SKU-${i}`, qty: i })) };
    const results = { order: { echo: 'x'.repeat(3000) } };
    const bodyJson = JSON.stringify(body);
    const resultsJson = JSON.stringify(results);
    expect(bodyJson.length).toBeGreaterThan(2048);
    const text = traceJson({ ...base, requests: [{ step: 'order', method: 'PUT', path: '/o', body }], results });
    // The mark's `…` is written escaped: a record of ASCII JSON stays ASCII (a one-byte string, cheaper to encode).
    expect(text).toMatch(/^[\x20-\x7e]*$/);
    const stored = JSON.parse(text) as TraceRecord;
    expect(stored.requests[0].body).toBe(`${bodyJson.slice(0, 2048)}… (${bodyJson.length} bytes)`);
    expect(stored.results).toBe(`${resultsJson.slice(0, 2048)}… (${resultsJson.length} bytes)`);
    expect(stored).toMatchObject({ integration: 'orders', key: 'o-"1"', attempt: 2, outcome: 'dead_lettered' });
  });

  it('cut non-ASCII JSON the same way, also when 2 KB ends inside a character of two UTF-16 units', () => {
    const note = `${'a'.repeat(2048 - '{"note":"'.length - 1)}😀 é \u2028 "q"`;
    const bodyJson = JSON.stringify({ note });
    expect(bodyJson.charCodeAt(2047)).toBe(0xd83d); // the 2 KB cut keeps half of the emoji
    const stored = JSON.parse(
      traceJson({ ...base, requests: [{ step: 's', method: 'PUT', path: '/p', body: { note } }] }),
    ) as TraceRecord;
    expect(stored.requests[0].body).toBe(`${bodyJson.slice(0, 2048)}… (${bodyJson.length} bytes)`);
  });

  it('take a sent body from the text the HTTP client sent, not from serialising it again', () => {
    const body = { id: 1, note: 'x' };
    // The wire text differs here only to show where the record's text comes from.
    rememberSentJson(body, '{"id":1,"note":"x","sent":true}');
    const stored = JSON.parse(traceJson({ ...base, requests: [{ step: 's', method: 'PUT', path: '/p', body }] }));
    expect(stored.requests[0].body).toStrictEqual({ id: 1, note: 'x', sent: true });
  });

  it('keep a body of exactly 2 KB whole, and write no requests as an empty list', () => {
    const body = { pad: 'y'.repeat(2048 - '{"pad":""}'.length) };
    expect(JSON.stringify(body)).toHaveLength(2048);
    const stored = JSON.parse(
      traceJson({ ...base, requests: [{ step: 's', method: 'PUT', path: '/p', body }] }),
    ) as TraceRecord;
    expect(stored.requests[0].body).toStrictEqual(body);
    expect(JSON.parse(traceJson(base))).toStrictEqual(base);
  });
});

describe('trace records with secrets', () => {
  const secretsOf = (values: string[]): EngineSecrets => ({ values: () => values, jsonForms: () => jsonForms(values) });

  it('mask a secret in a body before the 2 KB cut, so no piece of one across the cut is kept', () => {
    const secret = 'tok-0123456789';
    const body = { pad: 'x'.repeat(2040 - '{"pad":"'.length), more: 'y'.repeat(3000) };
    body.pad += secret;
    const json = JSON.stringify(body);
    expect(json.indexOf(secret)).toBeLessThan(2048);
    expect(json.indexOf(secret) + secret.length).toBeGreaterThan(2048);
    const masked = JSON.stringify({ ...body, pad: body.pad.replace(secret, REDACTED) });
    const record = { ...base, requests: [{ step: 's', method: 'PUT', path: `/p/${secret}`, body }] };
    const stored = JSON.parse(traceJson(record, secretsOf([secret]))) as TraceRecord;
    expect(stored.requests[0]).toStrictEqual({
      step: 's',
      method: 'PUT',
      path: `/p/${REDACTED}`,
      body: `${masked.slice(0, 2048)}… (${masked.length} bytes)`,
    });
  });

  it('keep a result whose JSON text only seems to hold a secret (matched inside an escape): masked value by value', () => {
    // `line\n` + `ope-1234` is written `line\nope-1234`: its text holds `nope-1234` from the middle of `\n`, its
    // values do not. Masking the text broke the JSON (the result was then masked whole).
    const results = { note: 'line\nope-1234', other: 'kept', key: 'nope-1234' };
    const stored = JSON.parse(traceJson({ ...base, results }, secretsOf(['nope-1234']))) as TraceRecord;
    expect(stored.results).toEqual({ note: 'line\nope-1234', other: 'kept', key: REDACTED });
  });

  it('mask a numeric secret in a result as the string "[redacted]", so the record stays JSON', () => {
    const results = { pin: 604317, order: 1604317, note: 'key 604317 refused', id: '604317' };
    const stored = JSON.parse(traceJson({ ...base, results }, secretsOf(['604317']))) as TraceRecord;
    expect(stored.results).toEqual({ pin: REDACTED, order: 1604317, note: `key ${REDACTED} refused`, id: REDACTED });
  });
});

describe('trace record bytes', () => {
  /** A random string from ASCII, quotes and escapes, Latin-1, BMP, emoji (surrogate pairs) and lone surrogates. */
  function text(random: () => number, max: number): string {
    const pieces = [
      'a',
      'Z',
      '0',
      ' ',
      '"',
      '\\',
      '\n',
      '\u2028',
      'é',
      'ß',
      '€',
      '中',
      '😀',
      '\ud800',
      '\udfff',
      '\u0000',
    ];
    let out = '';
    const length = Math.floor(random() * max);
    for (let i = 0; i < length; i++) out += pieces[Math.floor(random() * pieces.length)];
    return out;
  }
  function value(random: () => number, depth: number): unknown {
    const pick = random();
    if (depth > 2 || pick < 0.3) return text(random, 12);
    if (pick < 0.4) return Math.round(random() * 1e6) / 100;
    if (pick < 0.45) return random() < 0.5;
    if (pick < 0.5) return null;
    if (pick < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(random, depth + 1));
    const object: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 5); i > 0; i--) object[text(random, 6)] = value(random, depth + 1);
    return object;
  }
  function record(random: () => number): TraceRecord {
    const requests = Array.from({ length: Math.floor(random() * 3) }, (_, i) => ({
      step: text(random, 8),
      ...(random() < 0.3 ? { index: i } : {}),
      method: 'PUT',
      path: `/${text(random, 10)}`,
      ...(random() < 0.8 ? { body: random() < 0.1 ? { big: text(random, 1500) } : value(random, 0) } : {}),
    }));
    // Every field a record can have, in the order traceAttempt builds them.
    return {
      ...base,
      key: text(random, 10),
      eventId: text(random, 10),
      requests,
      ...(random() < 0.5 ? { results: random() < 0.1 ? { big: text(random, 1500) } : value(random, 0) } : {}),
      ...(random() < 0.3
        ? {
            error: {
              code: 'validation',
              message: text(random, 40),
              ...(random() < 0.5 ? { status: 422 } : {}),
              ...(random() < 0.5 ? { step: text(random, 8) } : {}),
              ...(random() < 0.5 ? { response: text(random, 60) } : {}),
            },
          }
        : {}),
      ...(random() < 0.2 ? { replayOf: text(random, 10) } : {}),
      ...(random() < 0.2 ? { dlqId: text(random, 10) } : {}),
      ...(random() < 0.2 ? { nextInMs: 250 } : {}),
      ...(random() < 0.2 ? { superseded: [{ step: text(random, 8), ...(random() < 0.5 ? { index: 2 } : {}) }] } : {}),
    };
  }

  /**
   * The record as `JSON.stringify` writes it with its requests and results last, and a body or results over 2 KB of
   * JSON as the cut string, its mark's `…` escaped: the text written before the record was built field by field.
   */
  function reference(r: TraceRecord): string {
    const cut = (value: unknown) => {
      const json = JSON.stringify(value);
      return json.length <= 2048 ? value : `${json.slice(0, 2048)}\u2026 (${json.length} bytes)`;
    };
    const { requests, results, ...rest } = r;
    const record = {
      ...rest,
      requests: requests.map(({ body, ...q }) => (body === undefined ? q : { ...q, body: cut(body) })),
      ...(results === undefined ? {} : { results: cut(results) }),
    };
    return JSON.stringify(record).replaceAll('\u2026', '\\u2026');
  }

  it('are the UTF-8 of the record text, which is the record as JSON (bodies and results last), on 5,000 records', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const encoder = new TextEncoder();
    let cut = 0;
    for (let n = 0; n < 5_000; n++) {
      const r = record(random);
      const json = traceJson(r);
      expect(Buffer.from(traceBytes(r)).equals(Buffer.from(encoder.encode(json)))).toBe(true);
      expect(json).toBe(reference(r));
      if ([...r.requests.map((q) => q.body), r.results].some((v) => v !== undefined && JSON.stringify(v).length > 2048))
        cut++;
    }
    // Records with a body or results over 2 KB were among them.
    expect(cut).toBeGreaterThan(25);
  });
});

describe('trace record bytes of cut values', () => {
  const utf8 = (text: string) => Buffer.from(new TextEncoder().encode(text));
  /** A record whose requests' bodies were sent as the given texts (any text: the cut escapes what it holds). */
  function sent(texts: string[], results?: unknown): TraceRecord {
    const requests = texts.map((text, i) => {
      const body = { i };
      rememberSentJson(body, text);
      return { step: `s${i}`, method: 'PUT', path: '/p', body };
    });
    return { ...base, requests, ...(results === undefined ? {} : { results }) };
  }
  const every = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c)).join('');

  it('escape quotes, backslashes and every control character as JSON.stringify does, and keep the rest', () => {
    const text = `${every}é€中😀\u2028\u2029${'"\\'.repeat(400)}`.repeat(3);
    const record = sent([text]);
    const json = traceJson(record);
    expect(Buffer.from(traceBytes(record)).equals(utf8(json))).toBe(true);
    const body = (JSON.parse(json) as TraceRecord).requests[0].body;
    expect(body).toBe(`${text.slice(0, 2048)}… (${text.length} bytes)`);
  });

  it('write a cut through a surrogate pair as JSON.stringify escapes the half kept', () => {
    const text = `${'"'.repeat(2047)}😀 and more`;
    const record = sent([text]);
    const json = traceJson(record);
    expect(json).toContain('\\ud83d\\u2026');
    expect(Buffer.from(traceBytes(record)).equals(utf8(json))).toBe(true);
  });

  it('write many cut values of one record in order, more than the escape buffer first holds', () => {
    // 12 bodies of 2 KB of control characters, 12 KB each escaped, and cut results after them.
    const texts = Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(i + 1)}${every}`.repeat(40));
    const record = sent(texts, { echo: `${'\u0001'.repeat(3000)}` });
    const json = traceJson(record);
    expect(Buffer.from(traceBytes(record)).equals(utf8(json))).toBe(true);
    const stored = JSON.parse(json) as TraceRecord;
    expect(stored.requests.map((q) => q.body)).toStrictEqual(
      texts.map((text) => `${text.slice(0, 2048)}… (${text.length} bytes)`),
    );
    // A second record right after writes its own bytes, not what the first left in the buffer.
    const small = sent([`${'x'.repeat(3000)}`]);
    expect(Buffer.from(traceBytes(small)).equals(utf8(traceJson(small)))).toBe(true);
  });
});

describe('trace records of delivered events', () => {
  it('show each body as the target received it: whole, cut at 2 KB, or with secret fields masked', async () => {
    h = await startVendorEngine(
      {
        'orders.yaml': integrationYaml({ post: { path: '/orders', body: '$' }, schemaDefaults: true }),
      },
      {},
    );
    const events = [
      { id: 1, note: 'long "quoted" \u2028 text é'.repeat(120) },
      { id: 2, note: 'short' },
      { id: 3, password: 'hunter2-but-longer', note: 'n'.repeat(3000) },
    ];
    for (const event of events) {
      const res = await fetch(`${h.engine.url}/hooks/orders`, { method: 'POST', body: JSON.stringify(event) });
      expect(res.status).toBe(202);
    }
    await waitFor(() => h!.received('orders').length === 3, 'delivered');

    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const trace = new TraceLog(jetstream(nc), await jetstreamManager(nc));
      const traced = async (key: string) => {
        let records: TraceRecord[] = [];
        await waitFor(async () => (records = await trace.read('orders', key)).length === 1, `trace of ${key}`);
        return records[0].requests[0].body;
      };
      const received = (id: number) => h!.received('orders').find((body) => body.id === id)!;
      const cut = (json: string) => `${json.slice(0, 2048)}… (${json.length} bytes)`;

      const first = JSON.stringify(received(1));
      expect(first.length).toBeGreaterThan(2048);
      expect(await traced('1')).toBe(cut(first));
      expect(await traced('2')).toStrictEqual(received(2));
      expect(received(3).password).toBe('hunter2-but-longer');
      expect(await traced('3')).toBe(cut(JSON.stringify({ ...received(3), password: REDACTED })));
    } finally {
      await nc.close();
    }
  });
});

describe('trace records and dead letters of a target that echoes a secret', () => {
  it("mask the connections' secret values in step results, request bodies and paths, and the error", async () => {
    const token = 'echo-token-5f2c9a7e';
    h = await startVendorEngine(
      {
        'connections/echo.yaml': `apiVersion: junction/v1
kind: Connection
name: echo
type: http
base_url: \${env:TARGET_URL}
auth: { type: bearer, token: "\${env:ECHO_TOKEN}" }
`,
        'orders.yaml': `apiVersion: junction/v1
kind: Integration
name: orders
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: echo
    connection: echo
    operation: post
    params: { path: /echoes }
    body: '{ "id": id, "note": note }'
  - id: write
    connection: target
    operation: patch
    params: { path: "/missing/{seen}" }
    body: '{ "seen": $steps.echo.note }'
owns:
  - { connection: echo, object: resource, fields: ["*"] }
  - { connection: target, object: resource, fields: ["*"] }
`,
      },
      { ECHO_TOKEN: token },
    );
    // The event carries the token (a customer pasted it into a note): the echo API answers with it in its result.
    const res = await fetch(`${h.engine.url}/hooks/orders`, {
      method: 'POST',
      body: JSON.stringify({ id: 1, note: token }),
    });
    expect(res.status).toBe(202);

    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const trace = new TraceLog(jetstream(nc), await jetstreamManager(nc));
      let records: TraceRecord[] = [];
      await waitFor(async () => (records = await trace.read('orders', '1')).length === 1, 'trace of 1');
      const record = records[0];
      expect(record.outcome).toBe('dead_lettered');
      expect(JSON.stringify(record)).not.toContain(token);
      expect(record.results).toStrictEqual({ echo: { id: '1', note: REDACTED } });
      expect(record.requests).toStrictEqual([
        { step: 'echo', method: 'POST', path: '/echoes', body: { id: 1, note: REDACTED } },
        { step: 'write', method: 'PATCH', path: `/missing/${REDACTED}`, body: { seen: REDACTED } },
      ]);
      expect(record.error).toStrictEqual({
        code: 'not-found',
        status: 404,
        step: 'write',
        message: `missing ${REDACTED} not found`,
        response: `{"error":"not_found","message":"missing ${REDACTED} not found"}`,
      });

      const dlq = new DeadLetterStore(await new Kvm(jetstream(nc)).open(BUCKET_NAMES.dlq, { bindOnly: true }));
      const [entry] = await dlq.list({ status: 'open' });
      expect(entry.error.message).toBe(`missing ${REDACTED} not found`);
      expect(entry.request).toMatchObject({ path: `/missing/${REDACTED}`, body: { seen: REDACTED } });
      expect(entry.responseExcerpt ?? '').not.toContain(token);
      // The event stays exact: a replay sends what arrived.
      expect(entry.event).toStrictEqual({ id: 1, note: token });
    } finally {
      await nc.close();
    }
  });
});
