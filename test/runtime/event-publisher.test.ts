/**
 * The event publish's message (engine/runtime/ingest/event-publisher.ts), through nats.js's own JetStream client on a
 * connection that records the request: the header bytes are the ones nats.js's `headers()`, `set()` and the `msgID`
 * publish option give for the same fields (random values, surrounding blanks and non-ASCII included), a value with
 * CR or LF is refused with nats.js's own error and nothing is sent, and the room the publish reserves is the stored
 * record's exact size. And the event's identity: at once when the expressions give their values at once, through a
 * promise when they give promises (the reference engine's), the same identity or error either way.
 */
import { jetstream } from '@nats-io/jetstream';
import { MsgHdrsImpl, headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import {
  EventIdentityError,
  EventPublisher,
  identifyEvent,
  identifyEventNow,
} from '../../engine/runtime/ingest/event-publisher.js';
import type { CompiledIntegration } from '../../engine/compiler/compiled-spec.js';
import { stableHash } from '../../engine/execute/stable-hash.js';
import type { PublishRequest } from '../../engine/runtime/ingest/event-publisher.js';
import { StreamRoom } from '../../engine/runtime/ingest/stream-room.js';
import { HEADER, eventIdOf } from '../../engine/runtime/broker/subjects.js';
import { prng as seeded } from '../transform/fuzz-generator.js';

/** The header block as nats.js puts it on the wire (`MsgHdrsImpl.encode`, what the connection's publish sends). */
const wire = (h: MsgHdrs) => (h as MsgHdrsImpl).encode();

interface Sent {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
}

/** A JetStream client whose connection records each request and answers with a PubAck. */
function recordingPublisher(room?: StreamRoom): { publisher: EventPublisher; sent: Sent[] } {
  const sent: Sent[] = [];
  const nc = {
    options: {},
    request: (subject: string, data: Uint8Array, opts: { headers: MsgHdrs }) => {
      sent.push({ subject, data, headers: opts.headers });
      const ack = { stream: 'JUNCTION_EVENTS', seq: sent.length, duplicate: false };
      return Promise.resolve({ data: new TextEncoder().encode(JSON.stringify(ack)) });
    },
  } as unknown as NatsConnection;
  return { publisher: new EventPublisher(jetstream(nc), () => 8, 1000, undefined, room), sent };
}

/**
 * The header bytes as nats.js builds them for the same request: `headers()`, a `set` per field, then `msgID`. The
 * event id has its own header only when the msg id is not `<integration>:<event id>` (or the id would not survive
 * the header's trim): otherwise the worker reads it from `Nats-Msg-Id`.
 */
function referenceHeaders(request: PublishRequest): Uint8Array {
  const h = natsHeaders();
  const { eventId } = request.identity;
  const msgID = request.msgId ?? `${request.integration}:${eventId}`;
  if (msgID !== `${request.integration}:${eventId}` || eventId !== eventId.trim() || eventId === '')
    h.set(HEADER.eventId, eventId);
  h.set(HEADER.key, request.identity.key);
  h.set(HEADER.commit, request.commit);
  if (request.replayOf) h.set(HEADER.replayOf, request.replayOf);
  if (request.force) h.set(HEADER.force, '1');
  // As JetStream's publish sets its `msgID` option (`buildPublishHeaders`): last, and not at all when empty.
  if (msgID) h.set('Nats-Msg-Id', msgID);
  return wire(h);
}

/** The event id the worker keyed a delivery by while every event carried `Junction-Event-Id` (before session 15). */
function idWithBothHeaders(request: PublishRequest, seq: number): string {
  const id = request.identity.eventId.trim();
  return `${request.integration}:${id || `seq-${seq}`}`;
}

const PIECES = ['a', 'Z', '7', '-', ':', '.', ' ', '\t', 'é', '日', '😀', '"', '=', ','];

/** A random value of 0-11 pieces: blanks at either end, colons, quotes, and multi-byte characters. */
function randomValue(random: () => number): string {
  let value = '';
  for (let n = Math.floor(random() * 12); n > 0; n--) value += PIECES[Math.floor(random() * PIECES.length)];
  return value;
}

function randomRequest(random: () => number): PublishRequest {
  return {
    integration: 'orders',
    // A key must be non-empty to partition; the id is what the broker dedups on.
    identity: { key: `k${randomValue(random)}`, eventId: randomValue(random) },
    data: new TextEncoder().encode(`{"n":"${randomValue(random)}"}`),
    commit: randomValue(random),
    ...(random() < 0.3 ? { msgId: random() < 0.2 ? '' : `replay:${randomValue(random)}` } : {}),
    ...(random() < 0.3 ? { replayOf: randomValue(random) } : {}),
    ...(random() < 0.3 ? { force: true } : {}),
  };
}

describe('event publish message', () => {
  it('sends the header bytes nats.js builds for the same fields, for 3,000 random requests', async () => {
    const random = seeded(16);
    const { publisher, sent } = recordingPublisher();
    for (let i = 0; i < 3_000; i++) {
      const request = randomRequest(random);
      await publisher.publish(request);
      const message = sent.at(-1)!;
      // Byte for byte: the publisher's headers encode through Buffer.from, nats.js's through TextEncoder.
      expect(Buffer.from(wire(message.headers)), `request ${i}: ${JSON.stringify(request)}`).toEqual(
        Buffer.from(referenceHeaders(request)),
      );
      expect(message.data).toBe(request.data);
    }
  });

  it('carries the event id once, and the worker reads the id it read when the id was carried twice', async () => {
    const random = seeded(15);
    const { publisher, sent } = recordingPublisher();
    let once = 0;
    for (let i = 0; i < 3_000; i++) {
      const request = randomRequest(random);
      if (i % 3 === 0) request.identity.eventId = `100${i}-2026-11-21 14:06:02`;
      await publisher.publish(request);
      // What the worker decodes: the sent bytes as nats.js reads them back.
      const h = MsgHdrsImpl.decode(wire(sent.at(-1)!.headers));
      const seq = i + 1;
      expect(eventIdOf('orders', h.get(HEADER.eventId), h.get(HEADER.msgId), seq), JSON.stringify(request)).toBe(
        idWithBothHeaders(request, seq),
      );
      if (!h.has(HEADER.eventId)) {
        once++;
        expect(h.get(HEADER.msgId)).toBe(`orders:${request.identity.eventId}`);
      }
    }
    // Every request with the default msg id and an id without blanks at its ends: 2,000 and some of the random ones.
    expect(once).toBeGreaterThan(1_400);
    const identity = { key: '123', eventId: '100000123-2026-11-21 14:06:02' };
    await publisher.publish({ integration: 'orders', identity, data: new Uint8Array([123, 125]), commit: 'c0ffee' });
    expect(Buffer.from(wire(sent.at(-1)!.headers)).toString()).toBe(
      'NATS/1.0\r\nJunction-Key: 123\r\nJunction-Commit: c0ffee\r\nNats-Msg-Id: orders:100000123-2026-11-21 14:06:02\r\n\r\n',
    );
  });

  it('encodes the headers anew after they change, as a nats.js publish option would change them', async () => {
    const { publisher, sent } = recordingPublisher();
    const random = seeded(3);
    for (let i = 0; i < 20; i++) {
      const request = randomRequest(random);
      await publisher.publish(request);
      // The publisher's headers were encoded (sent, and sized for the room); nats.js's, decoded from the same bytes.
      const headers = sent.at(-1)!.headers;
      const reference = MsgHdrsImpl.decode(referenceHeaders(request));
      const changes: ((h: MsgHdrs) => void)[] = [
        (h) => h.set('Nats-Expected-Stream', `S${i}`),
        (h) => h.append(HEADER.key, 'second'),
        (h) => h.delete(HEADER.commit),
      ];
      for (const change of changes) {
        change(headers);
        change(reference);
        expect(Buffer.from(wire(headers))).toEqual(Buffer.from(wire(reference)));
      }
    }
  });

  it("refuses a value with CR or LF with nats.js's error, and sends nothing", async () => {
    const { publisher, sent } = recordingPublisher();
    for (const field of ['eventId', 'key', 'commit', 'replayOf'] as const) {
      for (const bad of ['a\r\nInjected: 1', 'a\nb', 'a\r']) {
        const request: PublishRequest = {
          integration: 'orders',
          identity: { key: field === 'key' ? bad : 'k', eventId: field === 'eventId' ? bad : 'id' },
          data: new Uint8Array([123, 125]),
          commit: field === 'commit' ? bad : 'c0ffee',
          ...(field === 'replayOf' ? { replayOf: bad } : {}),
        };
        let expected: unknown;
        try {
          referenceHeaders(request);
        } catch (error) {
          expected = error;
        }
        expect(expected).toBeInstanceOf(Error);
        await expect(publisher.publish(request)).rejects.toThrow((expected as Error).message);
      }
    }
    expect(sent).toHaveLength(0);
  });

  it("reserves the stored record's exact size in the stream's room", async () => {
    const room = new StreamRoom(() => Promise.resolve({ bytes: 0, maxBytes: 0 }));
    const take = vi.spyOn(room, 'take');
    const { publisher, sent } = recordingPublisher(room);
    const random = seeded(7);
    for (let i = 0; i < 200; i++) {
      const request = randomRequest(random);
      // Blanks only inside: the id as nats.js trims it is the id as counted.
      request.msgId = `id:${i}`;
      await publisher.publish(request);
      const message = sent.at(-1)!;
      // nats-server's file store record: 34 bytes around subject, header block and payload.
      const stored = 34 + Buffer.byteLength(message.subject) + wire(message.headers).length + message.data.length;
      expect(take).toHaveBeenLastCalledWith(stored);
    }
  });
});

/** An expression that gives `value` (or throws `error`) at once, or as a promise when `later`. */
function expression(source: string, value: unknown, later: boolean, error?: Error) {
  return {
    source,
    evaluate: () => {
      if (error) {
        if (later) return Promise.reject(error);
        throw error;
      }
      return later ? Promise.resolve(value) : value;
    },
  };
}

type Outcome = { identity: unknown } | { error: string; message: string };

async function identityOf(integration: CompiledIntegration, event: unknown): Promise<Outcome> {
  try {
    const now = identifyEventNow(integration, event);
    return { identity: now instanceof Promise ? await now : now };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

describe('event identity', () => {
  const event = { id: 7, name: 'Zoë' };
  const long = 'x'.repeat(201);
  const cases: { name: string; key: [unknown, Error?]; dedup?: [unknown, Error?]; expected: Outcome }[] = [
    { name: 'key and id', key: [7], dedup: ['ord-7'], expected: { identity: { key: '7', eventId: 'ord-7' } } },
    { name: 'no dedup_id', key: ['k'], expected: { identity: { key: 'k', eventId: stableHash(event) } } },
    { name: 'empty id', key: [true], dedup: [''], expected: { identity: { key: 'true', eventId: stableHash(event) } } },
    { name: 'null id', key: [0], dedup: [null], expected: { identity: { key: '0', eventId: stableHash(event) } } },
    { name: 'long id', key: ['k'], dedup: [long], expected: { identity: { key: 'k', eventId: stableHash(long) } } },
    { name: 'blanks', key: [' k\t'], dedup: [' d '], expected: { identity: { key: 'k', eventId: 'd' } } },
    { name: 'blank id', key: ['k'], dedup: ['  '], expected: { identity: { key: 'k', eventId: stableHash(event) } } },
    {
      name: 'line break in the key',
      key: ['a\nb'],
      expected: {
        error: 'EventIdentityError',
        message:
          'the key expression `k` gave a value with a line break (CR or LF), which an event\'s headers cannot carry: "a\\nb"',
      },
    },
    {
      name: 'line break in the id',
      key: ['k'],
      dedup: ['a\rb'],
      expected: {
        error: 'EventIdentityError',
        message:
          'the dedup_id expression `d` gave a value with a line break (CR or LF), which an event\'s headers cannot carry: "a\\rb"',
      },
    },
    {
      name: 'lone surrogate in the key',
      key: ['a\udc00b'],
      expected: {
        error: 'EventIdentityError',
        message:
          "the key expression `k` gave a value with a lone surrogate (not valid Unicode), which an event's headers " +
          'cannot carry: "a\\udc00b"',
      },
    },
    {
      name: 'lone surrogate in the id',
      key: ['k'],
      dedup: ['r\ud800'],
      expected: {
        error: 'EventIdentityError',
        message:
          "the dedup_id expression `d` gave a value with a lone surrogate (not valid Unicode), which an event's " +
          'headers cannot carry: "r\\ud800"',
      },
    },
    // A pair is one character; a long id goes into the headers as its hash, whatever it holds.
    {
      name: 'surrogate pairs',
      key: ['\u{1F600}'],
      dedup: ['r\u{1F600}'],
      expected: { identity: { key: '\u{1F600}', eventId: 'r\u{1F600}' } },
    },
    // JetStream takes 64 KiB of headers at most; the key may have 32 KiB of them, counted in UTF-8.
    {
      name: 'key of 32 KiB',
      key: ['日'.repeat(10_922)],
      expected: { identity: { key: '日'.repeat(10_922), eventId: stableHash(event) } },
    },
    {
      name: 'key over 32 KiB in UTF-8',
      key: ['日'.repeat(10_923)],
      expected: {
        error: 'EventIdentityError',
        message: `the key expression \`k\` gave a value with more than 32768 bytes (32769), which an event's headers cannot carry: "${'日'.repeat(100)}"`,
      },
    },
    {
      name: 'long id, lone surrogate',
      key: ['k'],
      dedup: [long + '\ud800'],
      expected: { identity: { key: 'k', eventId: stableHash(long + '\ud800') } },
    },
    {
      name: 'no key',
      key: [undefined],
      dedup: ['id'],
      expected: { error: 'EventIdentityError', message: 'the key expression `k` gave no scalar value for this event' },
    },
    {
      name: 'object key',
      key: [{ a: 1 }],
      expected: { error: 'EventIdentityError', message: 'the key expression `k` gave no scalar value for this event' },
    },
    {
      name: 'key fails',
      key: [undefined, new Error('$boom() is not a function')],
      expected: { error: 'EventIdentityError', message: 'key expression failed: $boom() is not a function' },
    },
    {
      name: 'dedup_id fails',
      key: ['k'],
      dedup: [undefined, new RangeError('too deep')],
      expected: { error: 'EventIdentityError', message: 'dedup_id expression failed: too deep' },
    },
  ];
  for (const c of cases)
    it(`is the same at once and through promises: ${c.name}`, async () => {
      for (const later of [false, true]) {
        const integration = {
          key: expression('k', c.key[0], later, c.key[1]),
          ...(c.dedup ? { dedupId: expression('d', c.dedup[0], later, c.dedup[1]) } : {}),
        } as unknown as CompiledIntegration;
        expect(await identityOf(integration, event), `later: ${later}`).toEqual(c.expected);
        // The async form answers the same, failing with a rejection.
        const settled = await identifyEvent(integration, event).then(
          (identity) => ({ identity }),
          (error: Error) => ({ error: error.name, message: error.message, typed: error instanceof EventIdentityError }),
        );
        expect(settled).toEqual('error' in c.expected ? { ...c.expected, typed: true } : c.expected);
      }
    });

  it('gives a plain value, not a promise, when the expressions do', () => {
    const integration = {
      key: expression('k', 1, false),
      dedupId: expression('d', 'x', false),
    } as unknown as CompiledIntegration;
    expect(identifyEventNow(integration, event)).toEqual({ key: '1', eventId: 'x' });
  });
});
