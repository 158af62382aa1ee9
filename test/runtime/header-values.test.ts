/**
 * The worker reads each delivered event's headers from the header bytes (engine/runtime/broker/header-values.ts)
 * instead of nats.js's header object. Against a real nats-server, messages stored with raw header blocks (written on
 * a plain socket, so nats.js's own encoder cannot tidy them) must read exactly as `msg.headers.get()` reads them,
 * and whatever nats.js's decode refuses must still fail as it did.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import { connect as dial } from 'node:net';
import { describe, expect, it } from 'vitest';
import { headerValues } from '../../engine/runtime/broker/header-values.js';
import { HEADER } from '../../engine/runtime/broker/subjects.js';
import { partitionDelivery } from '../../engine/runtime/worker/event-delivery.js';
import { natsForFile } from '../helpers/nats-for-file.js';

const nats = natsForFile();

const NAMES = [HEADER.eventId, HEADER.key, HEADER.replayOf, HEADER.force];

/** Header blocks as a publisher may store them (each ends the block with an empty line). */
const BLOCKS: Record<string, string> = {
  // As nats.js encodes the engine's event headers.
  engine:
    `NATS/1.0\r\n${HEADER.eventId}: 100000123-2026-11-21 14:06:02\r\n${HEADER.key}: 123\r\n${HEADER.commit}: abc123\r\n` +
    'Nats-Msg-Id: orders:100000123-2026-11-21 14:06:02\r\n\r\n',
  // As the engine stores an event since session 15: the id only in `Nats-Msg-Id` (`<integration>:<event id>`).
  engineIdOnce:
    `NATS/1.0\r\n${HEADER.key}: 123\r\n${HEADER.commit}: abc123\r\n` +
    'Nats-Msg-Id: hv:100000123-2026-11-21 14:06:02\r\n\r\n',
  // Another integration's msg id (not `hv:`), and an empty id after the prefix: neither is taken for the id.
  foreignMsgId: `NATS/1.0\r\n${HEADER.key}: 9\r\nNats-Msg-Id: orders:7\r\n\r\n`,
  bareMsgId: `NATS/1.0\r\n${HEADER.key}: 9\r\nNats-Msg-Id: hv:\r\n\r\n`,
  replayAndForce: `NATS/1.0\r\n${HEADER.eventId}: e-1\r\n${HEADER.key}: k\r\n${HEADER.replayOf}: dlq-7\r\n${HEADER.force}: 1\r\n\r\n`,
  repeated: `NATS/1.0\r\n${HEADER.key}: first\r\n${HEADER.key}: second\r\n\r\n`,
  caseVariants: `NATS/1.0\r\njunction-key: lower\r\nJUNCTION-EVENT-ID: upper\r\n${HEADER.key}: exact\r\n\r\n`,
  onlyOtherCase: `NATS/1.0\r\njunction-key: lower\r\n\r\n`,
  spacing: `NATS/1.0\r\n${HEADER.key}:\t  padded value \t\r\n${HEADER.eventId}:a:b: c\r\n${HEADER.force}:\r\n\r\n`,
  nonAscii: `NATS/1.0\r\n${HEADER.key}: Grüße 日本 ✓\r\n${HEADER.eventId}: é\r\n\r\n`,
  lineWithoutColon: `NATS/1.0\r\nnot a header line\r\n${HEADER.key}: k\r\n\r\n`,
  statusLine: `NATS/1.0 100 Idle Heartbeat\r\n${HEADER.key}: k\r\n\r\n`,
  emptyName: `NATS/1.0\r\n: nameless\r\n${HEADER.key}: k\r\n\r\n`,
  // nats.js's decode throws for these two: the delivery must fail as before, not read them differently.
  nameWithSpace: `NATS/1.0\r\nBad Name: x\r\n${HEADER.key}: k\r\n\r\n`,
  loneLineFeed: `NATS/1.0\r\n${HEADER.key}: a\nb\r\n\r\n`,
};

/** Stores each block (and one message without headers) on a raw connection, then returns them as delivered. */
async function delivered(stream: string): Promise<Map<string, JsMsg>> {
  const jsm = await jetstreamManager(nats.nc);
  await jsm.streams.add({ name: stream, subjects: [`${stream}.>`] });
  await jsm.consumers.add(stream, { durable_name: 'reader', ack_policy: AckPolicy.Explicit });
  const frames = Object.entries(BLOCKS).map(([name, block]) => {
    const bytes = Buffer.from(block);
    return Buffer.concat([
      Buffer.from(`HPUB ${stream}.${name} ${bytes.length} ${bytes.length + 2}\r\n`),
      bytes,
      Buffer.from('{}\r\n'),
    ]);
  });
  frames.push(Buffer.from(`PUB ${stream}.none 2\r\n{}\r\n`));
  await rawPublish(frames);
  const consumer = await jetstream(nats.nc).consumers.get(stream, 'reader');
  const out = new Map<string, JsMsg>();
  for (let i = 0; i < frames.length; i++) {
    const msg = await consumer.next({ expires: 10_000 });
    if (!msg) throw new Error(`message ${i} was not delivered`);
    out.set(msg.subject.slice(stream.length + 1), msg);
  }
  return out;
}

/** Writes frames on a plain socket after the server's INFO, then PING: its PONG says the frames were processed. */
function rawPublish(frames: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = dial(nats.server.port, '127.0.0.1');
    let text = '';
    socket.on('error', reject);
    socket.once('data', () => {
      socket.write('CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n');
      socket.write(Buffer.concat([...frames, Buffer.from('PING\r\n')]));
    });
    socket.on('data', (chunk) => {
      text += chunk.toString();
      if (text.includes('-ERR')) reject(new Error(text));
      else if (text.includes('PONG')) socket.end(resolve);
    });
  });
}

/** What the worker read before: nats.js's header object, or the error its decode throws. */
function stockValues(msg: JsMsg): string[] | Error {
  try {
    return NAMES.map((name) => msg.headers?.get(name) ?? '');
  } catch (error) {
    return error as Error;
  }
}

describe('header values read from the header bytes', () => {
  it('reads every stored block as msg.headers.get() does, and leaves what nats.js refuses to it', async () => {
    const messages = await delivered('HV');
    expect([...messages.keys()].sort()).toEqual([...Object.keys(BLOCKS), 'none'].sort());
    const refused: string[] = [];
    for (const [name, msg] of messages) {
      const stock = stockValues(msg);
      if (stock instanceof Error) {
        refused.push(name);
        expect(headerValues(msg, NAMES), name).toBeUndefined();
        expect(() => partitionDelivery(msg, 'hv'), name).toThrow(stock.message);
        continue;
      }
      // Read here, not handed back to nats.js: a fallback would hide a reader that no longer finds the bytes.
      expect(headerValues(msg, NAMES), name).toEqual(stock);
    }
    expect(refused.sort()).toEqual(['loneLineFeed', 'nameWithSpace']);
    expect(headerValues(messages.get('repeated')!, NAMES)?.[1]).toBe('first');
    expect(headerValues(messages.get('caseVariants')!, NAMES)?.slice(0, 2)).toEqual(['', 'exact']);
    expect(headerValues(messages.get('nonAscii')!, NAMES)?.[1]).toBe('Grüße 日本 ✓');
  });

  it('gives the worker the same delivery as nats.js headers would', async () => {
    const messages = await delivered('HVD');
    for (const name of ['engine', 'replayAndForce', 'spacing', 'none', 'caseVariants']) {
      const msg = messages.get(name)!;
      const [eventId, key, replayOf, force] = stockValues(msg) as string[];
      expect(partitionDelivery(msg, 'hv'), name).toEqual({
        integration: 'hv',
        subject: msg.subject,
        eventId: `hv:${eventId || `seq-${msg.seq}`}`,
        key,
        replayOf: replayOf || undefined,
        ...(force === '1' ? { force: true } : {}),
        attempt: 1,
        storedAtMs: Number(msg.info.timestampNanos) / 1e6,
        data: msg.data,
      });
    }
    // The id read from `Nats-Msg-Id` when the event has no `Junction-Event-Id`; an event stored with both (`engine`,
    // whose msg id names another integration) keeps reading `Junction-Event-Id`.
    expect(partitionDelivery(messages.get('engineIdOnce')!, 'hv')).toMatchObject({
      eventId: 'hv:100000123-2026-11-21 14:06:02',
      key: '123',
    });
    expect(partitionDelivery(messages.get('engine')!, 'hv').eventId).toBe('hv:100000123-2026-11-21 14:06:02');
    for (const name of ['foreignMsgId', 'bareMsgId']) {
      const msg = messages.get(name)!;
      expect(partitionDelivery(msg, 'hv').eventId, name).toBe(`hv:seq-${msg.seq}`);
    }
    expect(partitionDelivery(messages.get('replayAndForce')!, 'hv')).toMatchObject({
      eventId: 'hv:e-1',
      key: 'k',
      replayOf: 'dlq-7',
      force: true,
    });
    expect(partitionDelivery(messages.get('none')!, 'hv')).toMatchObject({
      eventId: `hv:seq-${Object.keys(BLOCKS).length + 1}`,
      key: '',
    });
  });
});
