/**
 * The ingest-to-worker handoff of parsed webhook events (engine/runtime/worker/parsed-handoff.ts): the target gets
 * exactly what it gets when the worker parses, a worker in another process parses, a retry never sees what an earlier
 * attempt did to the event, expressions that can write to the event are not handed on, and the handoff stays bounded
 * when nothing takes from it.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ParsedHandoff, handsOffEvents } from '../../engine/runtime/worker/parsed-handoff.js';
import { identifyEvent } from '../../engine/runtime/ingest/event-publisher.js';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
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

describe('ParsedHandoff bounds', () => {
  const message = (seq: number, deliveryCount = 1, stream = 'JUNCTION_EVENTS') =>
    ({ seq, info: { stream, deliveryCount } }) as unknown as JsMsg;

  it('gives an entry once, to the first delivery of the same stream and sequence only', () => {
    const handoff = new ParsedHandoff(() => 0);
    const event = { id: 1 };
    handoff.put('JUNCTION_EVENTS', 5, event, 10);
    expect(handoff.take(message(5, 1, 'OTHER'))).toBeUndefined();
    expect(handoff.take(message(6))).toBeUndefined();
    expect(handoff.take(message(5))).toBe(event);
    expect(handoff.take(message(5))).toBeUndefined();
    handoff.put('JUNCTION_EVENTS', 9, event, 10);
    // A redelivery takes the entry away and parses.
    expect(handoff.take(message(9, 2))).toBeUndefined();
    expect(handoff.take(message(9))).toBeUndefined();
    expect(handoff.size).toBe(0);
  });

  it('stays bounded in entries, bytes and age when nothing takes, keeping the oldest (taken first)', () => {
    let now = 0;
    const handoff = new ParsedHandoff(() => now);
    for (let seq = 1; seq <= 5_000; seq++) handoff.put('S', seq, { seq }, 100);
    expect(handoff.size).toBe(256);
    expect(handoff.take(message(257, 1, 'S'))).toBeUndefined();
    expect(handoff.take(message(1, 1, 'S'))).toEqual({ seq: 1 });

    const big = new ParsedHandoff(() => now);
    for (let seq = 1; seq <= 100; seq++) big.put('B', seq, { seq }, 1024 * 1024);
    expect(big.size).toBe(8);
    expect(big.take(message(9, 1, 'B'))).toBeUndefined();
    expect(big.take(message(8, 1, 'B'))).toEqual({ seq: 8 });

    // Past their age, entries give nothing and go with the next put.
    now = 2_001;
    expect(handoff.take(message(2, 1, 'S'))).toBeUndefined();
    handoff.put('C', 1, { seq: 1 }, 100);
    expect(handoff.size).toBe(1);
    expect(handoff.take(message(1, 1, 'C'))).toEqual({ seq: 1 });
  });
});
