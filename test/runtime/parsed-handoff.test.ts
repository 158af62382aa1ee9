/**
 * The ingest-to-worker handoff of parsed webhook events (engine/runtime/worker/parsed-handoff.ts): the target gets
 * exactly what it gets when the worker parses, a worker in another process parses, a retry never sees what an earlier
 * attempt did to the event, expressions that can write to the event are not handed on, and the handoff stays bounded
 * when nothing takes from it, and keeps nothing for a worker far behind.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ParsedHandoff, handsOffEvents } from '../../engine/runtime/worker/parsed-handoff.js';
import { identifyEvent } from '../../engine/runtime/ingest/event-publisher.js';
import type { PublishRequest } from '../../engine/runtime/ingest/event-publisher.js';
import { IngestBudget } from '../../engine/runtime/ingest/read-webhook-body.js';
import { ingestWebhook } from '../../engine/runtime/ingest/webhook-ingest.js';
import type { WebhookIngestDeps } from '../../engine/runtime/ingest/webhook-ingest.js';
import { DEFAULT_GUARDS } from '../../engine/transform/compiled/evaluate.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.dispose();
  h = undefined;
});

/** Values a second parse must reproduce exactly: an own `__proto__` key, non-ASCII text, odd numbers, nesting. */
const EVENT_TEXT =
  '{"id":7,"seq":1,"status":"new","__proto__":{"polluted":true},"name":"Zoë 😀 \\u2028","n":[1e21,0.1,-0,1.5e-7],' +
  '"lines":[{"sku":"A","qty":2},{"sku":"B","qty":[[]]}],"empty":{},"nil":null}';

/** The step sends the whole event (plus its key), so any difference in the parsed event reaches the target. */
const WHOLE_EVENT = integrationYaml({ body: '$merge([$, {"key": $string(id)}])' });

/** How often JSON.parse is called on exactly the webhook body's text (ingest's parse, and the worker's if any). */
function countParsesOf(text: string): () => number {
  const parse = JSON.parse;
  let count = 0;
  vi.spyOn(JSON, 'parse').mockImplementation((source: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (source === text) count++;
    return parse(source, reviver);
  });
  return () => count;
}

/** Posts the event, waits until it is delivered, and returns what the target received. */
async function deliverOnce(harness: RuntimeHarness) {
  expect((await harness.post('orders', EVENT_TEXT)).status).toBe(202);
  await waitFor(() => harness.target.effectiveWrites.get('7') === 1, 'delivered');
  await expectDrained(harness.nats.url);
  return harness.target.requests.map((r) => ({
    method: r.method,
    path: r.path,
    idempotencyKey: r.idempotencyKey,
    body: JSON.stringify(r.body),
  }));
}

describe('parsed handoff from ingest to worker', () => {
  it('the target receives the same request whether the worker was handed the event or parsed it itself', async () => {
    const parses = countParsesOf(EVENT_TEXT);
    h = await startRuntimeHarness({ integrations: [WHOLE_EVENT] });
    const handed = await deliverOnce(h);
    expect(parses()).toBe(1);
    await h.dispose();

    // Ingest in one engine, delivery in another: no handoff, the worker parses the stored bytes.
    h = await startRuntimeHarness({ integrations: [WHOLE_EVENT], engine: { roles: { workers: false } } });
    await h.startEngine({ roles: { http: false, workers: true } });
    const parsed = await deliverOnce(h);
    expect(parses()).toBe(3);

    expect(handed).toEqual(parsed);
    expect(handed).toHaveLength(1);
    expect(handed[0].body).toBe(JSON.stringify({ ...JSON.parse(EVENT_TEXT), key: '7' }));
    expect(handed[0].body).toContain('"__proto__":{"polluted":true}');
  });

  it('a retry parses the stored bytes: what the first attempt did to its event does not carry over', async () => {
    // The body reads `status`, then (a transform with `$clone` rebound to the identity) overwrites it in the event
    // object it was given: the handed one on the first attempt. The 503 parks the key; the retry comes by its ticket.
    // (A redelivery of the partition message itself gets nothing either: `ParsedHandoff bounds` below.)
    const mutating = integrationYaml({
      body:
        '{"key": $string(id), "status": status, ' +
        '"touched": ($clone := function($x) { $x }; $ ~> |$|{"status": "mutated"}|; true)}',
    });
    const parses = countParsesOf(EVENT_TEXT);
    h = await startRuntimeHarness({ integrations: [mutating] });
    h.target.fault = (r) => (r.attempt === 1 ? { respond: { status: 503 } } : undefined);
    expect((await h.post('orders', EVENT_TEXT)).status).toBe(202);
    await waitFor(() => h!.target.effectiveWrites.get('7') === 1, 'delivered on the retry');
    await expectDrained(h.nats.url);
    expect(h.target.requests.map((r) => [r.attempt, r.body])).toEqual([
      [1, { key: '7', status: 'new', touched: true }],
      [2, { key: '7', status: 'new', touched: true }],
    ]);
    // Ingest's parse was handed to the first attempt; the retry parsed the stored bytes.
    expect(parses()).toBe(2);
  });

  it('events whose key or dedup expression can write to the event are not handed on', () => {
    const compile = (knobs: { key?: string; dedupId?: string }) => {
      const yaml = integrationYaml({ dedupId: knobs.dedupId }).replace(
        'key: $string(id)',
        `key: '${knobs.key ?? '$string(id)'}'`,
      );
      const set = compileRuntimeSpecs('http://127.0.0.1:9', [yaml], { engine: junctionEngine });
      return set.integrations.get('orders')!;
    };
    expect(handsOffEvents(compile({}))).toBe(true);
    expect(handsOffEvents(compile({ dedupId: '$string(seq) & status' }))).toBe(true);
    expect(handsOffEvents(compile({ key: '$string($count(lines[]))' }))).toBe(false);
    expect(handsOffEvents(compile({ key: '$string(id)', dedupId: '$eval("status")' }))).toBe(false);
    expect(handsOffEvents(compile({ key: '$string(($ ~> |$|{}|).id)' }))).toBe(false);
  });

  it('why `[]` is refused: evaluating it flags an array of the event itself', async () => {
    const set = compileRuntimeSpecs(
      'http://127.0.0.1:9',
      [integrationYaml().replace('key: $string(id)', "key: '$string($count(lines[]))'")],
      { engine: junctionEngine },
    );
    const event = JSON.parse(EVENT_TEXT) as { lines: unknown[] };
    expect((await identifyEvent(set.integrations.get('orders')!, event)).key).toBe('2');
    expect(Object.keys(event.lines)).toEqual(['0', '1', 'keepSingleton']);
  });
});

/** A stored body of `n` bytes. */
const body = (n: number) => Buffer.alloc(n, 'x');

describe('ParsedHandoff bounds', () => {
  const message = (seq: number, deliveryCount = 1, stream = 'JUNCTION_EVENTS', data = body(10)) =>
    ({ seq, data, info: { stream, deliveryCount } }) as unknown as JsMsg;

  it('gives an entry once, to the first delivery of the same stream and sequence only', () => {
    const handoff = new ParsedHandoff(() => 0);
    const event = { id: 1 };
    handoff.put('JUNCTION_EVENTS', 5, event, body(10));
    expect(handoff.take(message(5, 1, 'OTHER'))).toBeUndefined();
    expect(handoff.take(message(6))).toBeUndefined();
    expect(handoff.take(message(5))).toBe(event);
    expect(handoff.take(message(5))).toBeUndefined();
    handoff.put('JUNCTION_EVENTS', 9, event, body(10));
    // A redelivery takes the entry away and parses.
    expect(handoff.take(message(9, 2))).toBeUndefined();
    expect(handoff.take(message(9))).toBeUndefined();
    expect(handoff.size).toBe(0);
  });

  it('stays bounded in entries, bytes and age when nothing takes, keeping the oldest (taken first)', () => {
    let now = 0;
    const handoff = new ParsedHandoff(() => now);
    for (let seq = 1; seq <= 5_000; seq++) handoff.put('S', seq, { seq }, body(100));
    expect(handoff.size).toBe(256);
    expect(handoff.take(message(257, 1, 'S'))).toBeUndefined();
    expect(handoff.take(message(1, 1, 'S', body(100)))).toEqual({ seq: 1 });

    const big = new ParsedHandoff(() => now);
    for (let seq = 1; seq <= 100; seq++) big.put('B', seq, { seq }, body(1024 * 1024));
    expect(big.size).toBe(8);
    expect(big.take(message(9, 1, 'B'))).toBeUndefined();
    expect(big.take(message(8, 1, 'B', body(1024 * 1024)))).toEqual({ seq: 8 });

    // Past their age, entries give nothing and go with the next put.
    now = 2_001;
    expect(handoff.take(message(2, 1, 'S'))).toBeUndefined();
    handoff.put('C', 1, { seq: 1 }, body(100));
    expect(handoff.size).toBe(1);
    expect(handoff.take(message(1, 1, 'C', body(100)))).toEqual({ seq: 1 });
  });

  it('keeps no event stored more than 256 places after the last message the worker had from its stream', () => {
    const handoff = new ParsedHandoff(() => 0);
    // Nothing delivered yet: kept (bounded as ever).
    handoff.put('S', 1_000, { seq: 1_000 }, body(10));
    expect(handoff.take(message(10, 1, 'S'))).toBeUndefined();
    // The worker had message 10 of S: 266 is 256 places on, 267 beyond; another stream is measured on its own.
    handoff.put('S', 266, { seq: 266 }, body(10));
    handoff.put('S', 267, { seq: 267 }, body(10));
    handoff.put('T', 5_000, { seq: 5_000 }, body(10));
    expect(handoff.take(message(266, 1, 'S', body(10)))).toEqual({ seq: 266 });
    expect(handoff.take(message(267, 1, 'S', body(10)))).toBeUndefined();
    expect(handoff.take(message(5_000, 1, 'T', body(10)))).toEqual({ seq: 5_000 });
    // A redelivery of an older message does not move the worker back: 267 + 256 is still close enough.
    expect(handoff.take(message(3, 2, 'S'))).toBeUndefined();
    handoff.put('S', 523, { seq: 523 }, body(10));
    expect(handoff.take(message(523, 1, 'S', body(10)))).toEqual({ seq: 523 });
    expect(handoff.take(message(1_000, 1, 'S', body(10)))).toEqual({ seq: 1_000 });
  });
});

describe('ParsedHandoff after the broker gave a sequence again', () => {
  it('a message stored at the place of an entry whose message is gone is parsed, not given that entry', async () => {
    // A stream made again (as after a crash that lost its tail) gives its sequences again: the entry left by the
    // first event must not reach the worker as another event (here of another integration, never handed on).
    const nats = await startTestNatsServer();
    const nc = await connect({ servers: nats.url, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      const stream = { name: 'EVENTS', subjects: ['ev.>'] };
      await jsm.streams.add(stream);
      const handoff = new ParsedHandoff();
      const first = Buffer.from('{"id":1,"for":"orders"}');
      const stored = await js.publish('ev.orders', first);
      handoff.put(stored.stream, stored.seq, JSON.parse(first.toString()), first);

      await jsm.streams.delete(stream.name);
      await jsm.streams.add(stream);
      const second = Buffer.from('{"id":2,"for":"customers"}');
      const again = await js.publish('ev.customers', second);
      expect([again.stream, again.seq]).toEqual([stored.stream, stored.seq]);
      // A rewound broker can also store a new event of the same length at a reused place.
      handoff.put('S', 1, { id: 1 }, Buffer.from('{"id":1}'));

      await jsm.consumers.add(stream.name, { durable_name: 'worker', ack_policy: AckPolicy.Explicit });
      const msg = await (await js.consumers.get(stream.name, 'worker')).next({ expires: 5_000 });
      expect(msg?.seq).toBe(stored.seq);
      expect(msg?.info.deliveryCount).toBe(1);
      expect(handoff.take(msg!)).toBeUndefined();
      const sameLength = { seq: 1, data: Buffer.from('{"id":2}'), info: { stream: 'S', deliveryCount: 1 } };
      expect(handoff.take(sameLength as unknown as JsMsg)).toBeUndefined();
      expect(handoff.size).toBe(0);
    } finally {
      await nc.close();
      await nats.dispose();
    }
  });

  it('an entry put again at the same place replaces the first and frees its bytes', () => {
    const handoff = new ParsedHandoff(() => 0);
    const big = body(5 * 1024 * 1024);
    handoff.put('S', 1, { v: 1 }, big);
    handoff.put('S', 1, { v: 2 }, big);
    handoff.put('S', 2, { v: 3 }, body(2 * 1024 * 1024));
    const msg = (seq: number, data: Buffer) => ({ seq, data, info: { stream: 'S', deliveryCount: 1 } }) as unknown;
    expect(handoff.take(msg(1, big) as JsMsg)).toEqual({ v: 2 });
    expect(handoff.take(msg(2, body(2 * 1024 * 1024)) as JsMsg)).toEqual({ v: 3 });
  });
});

describe('ingest parses a body whole only for an event the handoff will keep', () => {
  const message = (seq: number) =>
    ({ seq, data: body(1), info: { stream: 'S', deliveryCount: 1 } }) as unknown as JsMsg;

  it('keepsNext says whether the next put keeps its event, for a worker behind or not and a handoff full or not', () => {
    let now = 0;
    const handoff = new ParsedHandoff(() => now);
    let seq = 0;
    let reached = 0;
    let random = 7;
    const next = (n: number) => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const seen = { kept: 0, behind: 0, full: 0 };
    const bytes = body(4 * 1024 * 1024);
    let lag = 0;
    for (let step = 0; step < 30_000; step++) {
      const roll = next(20);
      if (roll < 9) {
        // The next event, one place on; now and then a large one, so the byte bound is reached too.
        seq += 1;
        const size = next(50) === 0 ? 1 + next(4 * 1024 * 1024) : 1 + next(2048);
        const predicted = handoff.keepsNext(size);
        const before = handoff.size;
        handoff.put('S', seq, { seq }, bytes.subarray(0, size));
        const kept = handoff.size > before;
        expect(kept, `put at ${seq}, worker at ${reached}`).toBe(predicted);
        if (kept) seen.kept++;
        else if (seq - reached > 256) seen.behind++;
        else seen.full++;
      } else if (roll < 17) {
        // The worker has a message `lag` places back (it never goes back: a redelivery does not move it).
        reached = Math.max(reached, seq - lag);
        handoff.take(message(reached));
      } else if (roll === 17) lag = next(400);
      else now += next(3_000);
    }
    // Each way a put can go came up many times.
    expect(Math.min(seen.kept, seen.behind, seen.full), JSON.stringify(seen)).toBeGreaterThan(200);
  });

  it('a body the handoff would not keep is scanned, not parsed whole; parsed again once the worker is close', async () => {
    const specSet = compileRuntimeSpecs('http://127.0.0.1:9', [integrationYaml({ dedupId: 'ref' })]);
    const handoff = new ParsedHandoff();
    const published: PublishRequest[] = [];
    const counter = { inc: () => undefined };
    const deps = {
      specs: { active: specSet },
      publisher: {
        // The broker stores them from place 1,000 on.
        publish: (r: PublishRequest) => {
          published.push(r);
          return Promise.resolve({ subject: 's', stream: 'S', seq: 999 + published.length, duplicate: false });
        },
      },
      broker: { unavailable: () => undefined, answered: () => undefined },
      metrics: { duplicates: counter, eventsIn: counter },
      log: pino({ level: 'silent' }),
      guards: DEFAULT_GUARDS,
      budget: new IngestBudget(1 << 26),
      handoff,
    } as unknown as WebhookIngestDeps;
    const text = (id: number) => `{"id": ${id}, "ref": "r-${id}", "status": "new", "lines": [{"sku": "A"}]}`;
    const ingestOne = async (id: number) => {
      const parses = countParsesOf(text(id));
      const req = new PassThrough() as unknown as IncomingMessage;
      Object.assign(req, { method: 'POST', url: '/hooks/orders', headers: { 'content-length': '70' } });
      setImmediate(() => (req as unknown as PassThrough).end(Buffer.from(text(id))));
      const reply = await ingestWebhook('orders', req, deps);
      vi.restoreAllMocks();
      return { status: reply.status, key: reply.body.key, parsedWhole: parses() };
    };

    // The worker had message 100 of S; nothing was stored yet, so the first body is parsed whole (and the event,
    // stored at 1,000, is not kept: 900 places ahead of the worker).
    handoff.take(message(100));
    expect(await ingestOne(1)).toEqual({ status: 202, key: '1', parsedWhole: 1 });
    expect(handoff.size).toBe(0);
    // Stored at 1,000, with the worker at 100: the next ones are scanned (only their identity fields are read).
    expect(await ingestOne(2)).toEqual({ status: 202, key: '2', parsedWhole: 0 });
    expect(await ingestOne(3)).toEqual({ status: 202, key: '3', parsedWhole: 0 });
    expect(handoff.size).toBe(0);
    // The worker caught up to 1,000: parsed whole again, and kept for it.
    handoff.take(message(1_000));
    expect(await ingestOne(4)).toEqual({ status: 202, key: '4', parsedWhole: 1 });
    expect(handoff.size).toBe(1);
    expect(published.map((r) => r.identity.key)).toEqual(['1', '2', '3', '4']);
  });
});
