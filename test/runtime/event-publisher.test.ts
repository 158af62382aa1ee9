/**
 * The event publish's message (engine/runtime/ingest/event-publisher.ts), through nats.js's own JetStream client on a
 * connection that records the request: the header bytes are the ones nats.js's `headers()`, `set()` and the `msgID`
 * publish option give for the same fields (random values, surrounding blanks and non-ASCII included), a value with
 * CR or LF is refused with nats.js's own error and nothing is sent, and the room the publish reserves is the stored
 * record's exact size.
 */
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs, MsgHdrsImpl, NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it, vi } from 'vitest';
import { EventPublisher } from '../../engine/runtime/ingest/event-publisher.js';
import type { PublishRequest } from '../../engine/runtime/ingest/event-publisher.js';
import { StreamRoom } from '../../engine/runtime/ingest/stream-room.js';
import { HEADER } from '../../engine/runtime/broker/subjects.js';
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

/** The header bytes as nats.js builds them for the same request: `headers()`, a `set` per field, then `msgID`. */
function referenceHeaders(request: PublishRequest): Uint8Array {
  const h = natsHeaders();
  h.set(HEADER.eventId, request.identity.eventId);
  h.set(HEADER.key, request.identity.key);
  h.set(HEADER.commit, request.commit);
  if (request.replayOf) h.set(HEADER.replayOf, request.replayOf);
  if (request.force) h.set(HEADER.force, '1');
  // As JetStream's publish sets its `msgID` option (`buildPublishHeaders`): last, and not at all when empty.
  const msgID = request.msgId ?? `${request.integration}:${request.identity.eventId}`;
  if (msgID) h.set('Nats-Msg-Id', msgID);
  return wire(h);
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
      expect(new TextDecoder().decode(wire(message.headers)), `request ${i}: ${JSON.stringify(request)}`).toBe(
        new TextDecoder().decode(referenceHeaders(request)),
      );
      expect(message.data).toBe(request.data);
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
