/**
 * The engine's NATS connections (`connectNats`) write each event-loop turn's frames to the socket at once. Against a
 * real nats-server: publishes issued by several macrotasks of one turn reach the socket in one write (the stock
 * client writes once per macrotask) and arrive in order; request/reply and JetStream still answer; after the server
 * restarts, the reconnected connection coalesces too; frames handed to the transport before a drain or close arrive.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Socket } from 'node:net';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { connectNats } from '../../engine/runtime/broker/connect.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { nextStatus } from '../helpers/next-status.js';

let nats: TestNatsServer;
const opened: NatsConnection[] = [];
beforeEach(async () => {
  nats = await startTestNatsServer();
});
afterEach(async () => {
  for (const nc of opened.splice(0)) if (!nc.isClosed()) await nc.close();
  await nats.dispose();
});

async function open(how: 'engine' | 'stock'): Promise<NatsConnection> {
  const nc =
    how === 'engine'
      ? await connectNats(nats.url, 'engine', 'coalescing-test')
      : await connect({ servers: nats.url, noAsyncTraces: true });
  opened.push(nc);
  return nc;
}

/** The socket of the connection's current transport (nats.js internals: there is no public way to it). */
function socketOf(nc: NatsConnection): Socket {
  return (nc as unknown as { protocol: { transport: { socket: Socket } } }).protocol.transport.socket;
}

/** Collects the payloads `sub` receives until it has `count`. */
async function receive(sub: Subscription, count: number): Promise<string[]> {
  const got: string[] = [];
  for await (const m of sub) {
    got.push(m.string());
    if (got.length === count) break;
  }
  return got;
}

/** Publishes `count` messages, each from its own `setImmediate` callback: one macrotask each, all in one turn. */
function publishFromMacrotasks(nc: NatsConnection, subject: string, count: number): Promise<void> {
  return new Promise((resolve) => {
    for (let i = 0; i < count; i++) {
      setImmediate(() => {
        nc.publish(subject, `m${i}`);
        if (i === count - 1) resolve();
      });
    }
  });
}

/** Counts the writes on the connection's socket while `act` runs, up to the next turn after it. */
async function socketWrites(nc: NatsConnection, act: () => Promise<void>): Promise<number> {
  const write = vi.spyOn(socketOf(nc), 'write');
  await act();
  await new Promise((r) => setImmediate(r));
  const writes = write.mock.calls.length;
  write.mockRestore();
  return writes;
}

const expected = (count: number) => Array.from({ length: count }, (_, i) => `m${i}`);

it('writes the publishes of several macrotasks of one turn in one socket write, and they arrive in order', async () => {
  const reader = await open('stock');
  // One subject per connection: the server keeps each connection's order, not an order across connections.
  const fromStock = receive(reader.subscribe('orders.stock'), 20);
  const fromEngine = receive(reader.subscribe('orders.engine'), 20);
  await reader.flush();
  const stock = await open('stock');
  const engine = await open('engine');

  // The control: the stock transport writes once per macrotask.
  expect(await socketWrites(stock, () => publishFromMacrotasks(stock, 'orders.stock', 20))).toBe(20);
  expect(await socketWrites(engine, () => publishFromMacrotasks(engine, 'orders.engine', 20))).toBe(1);
  expect(await fromStock).toEqual(expected(20));
  expect(await fromEngine).toEqual(expected(20));
});

it("hands the client's pending pieces to the transport unjoined, and the server gets the same messages", async () => {
  const reader = await open('stock');
  const sub = reader.subscribe('pieces.>');
  await reader.flush();
  const engine = await open('engine');
  const drain = vi.spyOn(
    (engine as unknown as { protocol: { outbound: { drain(): Uint8Array } } }).protocol.outbound,
    'drain',
  );
  const h = headers();
  h.set('Nats-Msg-Id', 'ü-1');
  engine.publish('pieces.ü', 'Grüße', { headers: h, reply: 'answer.ü' });
  engine.publish('pieces.plain', new Uint8Array([0, 1, 2, 255]));
  engine.publish('pieces.empty');
  await engine.flush();
  expect(drain).not.toHaveBeenCalled();
  const got = [];
  for await (const m of sub) {
    got.push({ subject: m.subject, reply: m.reply, id: m.headers?.get('Nats-Msg-Id'), data: [...m.data] });
    if (got.length === 3) break;
  }
  expect(got).toEqual([
    { subject: 'pieces.ü', reply: 'answer.ü', id: 'ü-1', data: [...Buffer.from('Grüße')] },
    { subject: 'pieces.plain', reply: '', id: undefined, data: [0, 1, 2, 255] },
    { subject: 'pieces.empty', reply: '', id: undefined, data: [] },
  ]);
});

it('still answers a request/reply and a JetStream publish, and flush() waits for the server', async () => {
  const engine = await open('engine');
  const responder = engine.subscribe('echo', {
    callback: (_err, m) => {
      m.respond(`re:${m.string()}`);
    },
  });
  await engine.flush();
  expect((await engine.request('echo', 'hello', { timeout: 5_000 })).string()).toBe('re:hello');

  await jetstreamManager(engine).then((jsm) => jsm.streams.add({ name: 'ORDERS', subjects: ['js.orders'] }));
  const ack = await jetstream(engine).publish('js.orders', 'one');
  expect(ack).toMatchObject({ stream: 'ORDERS', seq: 1, duplicate: false });
  responder.unsubscribe();
  await engine.flush();
  expect(engine.isClosed()).toBe(false);
});

it('coalesces on the new socket after a reconnect, and delivers what it publishes then', async () => {
  const engine = await open('engine');
  const before = socketOf(engine);
  const reconnected = nextStatus(engine, 'reconnect');
  await nats.restart();
  await reconnected;
  expect(socketOf(engine)).not.toBe(before);

  const reader = await open('stock');
  const sub = reader.subscribe('after');
  await reader.flush();
  const arrived = receive(sub, 10);
  expect(await socketWrites(engine, () => publishFromMacrotasks(engine, 'after', 10))).toBe(1);
  expect(await arrived).toEqual(expected(10));
});

it('writes frames still queued when the client drains or closes, as the stock client does', async () => {
  const reader = await open('stock');
  const sub = reader.subscribe('last');
  await reader.flush();
  const arrived = receive(sub, 6);

  const drained = await open('engine');
  for (let i = 0; i < 3; i++) drained.publish('last', `m${i}`);
  await drained.drain();
  // The client's microtask flush has handed the frames to the transport, whose turn has not ended yet.
  const closed = await open('engine');
  for (let i = 3; i < 6; i++) closed.publish('last', `m${i}`);
  await null;
  await closed.close();
  expect(await arrived).toEqual(expected(6));
});
