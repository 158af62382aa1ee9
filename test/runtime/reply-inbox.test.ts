/**
 * The engine's per-event broker calls go through its own reply inbox (engine/runtime/broker/reply-inbox.ts) instead
 * of nats.js's request(). Against a real nats-server, KV buckets and JetStream publishes built on it must answer
 * exactly as the stock client does: missing, deleted and purged keys, revisions, create over a deleted key, lost
 * compare-and-sets, duplicate publishes; and requests fail as stock ones do on a timeout, with no responders, and
 * when the connection closes.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { JetStreamStatus } from '@nats-io/jetstream/internal';
import { MsgHdrsImpl } from '@nats-io/nats-core/internal';
import { connect, errors, headers } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import { ReplyInbox, withReplyInbox } from '../../engine/runtime/broker/reply-inbox.js';
import { publishBuilt } from '../../engine/runtime/broker/built-subject-publish.js';
import { isNotFoundReply } from '../../engine/runtime/broker/not-found-reply.js';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import type { LedgerEntry } from '../../engine/runtime/stores/delivery-ledger.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { outcome, seen } from './helpers/kv-outcomes.js';

let nats: TestNatsServer;
let nc: NatsConnection;
beforeEach(async () => {
  nats = await startTestNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
});
afterEach(async () => {
  if (!nc.isClosed()) await nc.close();
  await nats.dispose();
});

/** The same bucket, once through the stock client and once through the reply inbox. */
async function bothBuckets(name: string) {
  const stock = await new Kvm(jetstream(nc)).create(name, { history: 1 });
  const replies = new ReplyInbox(nc);
  const sent = vi.spyOn(replies, 'request');
  const inboxJs: JetStreamClient = jetstream(withReplyInbox(nc, replies));
  return { stock, inbox: await new Kvm(inboxJs).open(name), inboxJs, sent };
}

/** Runs `act` on both clients and expects the same outcome (value or error message). */
async function same<T>(stock: () => Promise<T>, inbox: () => Promise<T>): Promise<T | string> {
  const [a, b] = [await outcome(stock), await outcome(inbox)];
  expect(b).toEqual(a);
  return b;
}

describe('KV through the reply inbox', () => {
  it('answers a missing key, a value, a deleted key and a purged key as the stock client, with revisions', async () => {
    const { stock, inbox } = await bothBuckets('probe');
    expect(
      await same(
        async () => seen(await stock.get('a.b')),
        async () => seen(await inbox.get('a.b')),
      ),
    ).toBeNull();

    const revision = await inbox.put('a.b', 'one');
    const value = await same(
      async () => seen(await stock.get('a.b')),
      async () => seen(await inbox.get('a.b')),
    );
    expect(value).toEqual({ key: 'a.b', operation: 'PUT', revision, length: 3, value: 'one' });

    await stock.delete('a.b');
    const deleted = await same(
      async () => seen(await stock.get('a.b')),
      async () => seen(await inbox.get('a.b')),
    );
    expect(deleted).toEqual({ key: 'a.b', operation: 'DEL', revision: revision + 1, length: 0, value: '' });

    await inbox.put('c', 'two');
    await inbox.purge('c');
    const purged = await same(
      async () => seen(await stock.get('c')),
      async () => seen(await inbox.get('c')),
    );
    expect(purged).toMatchObject({ key: 'c', operation: 'PURGE', length: 0 });

    // An older revision by number still reads through the stock path (a payload request), the same either way.
    await same(
      async () => seen(await stock.get('a.b', { revision })),
      async () => seen(await inbox.get('a.b', { revision })),
    );
  });

  it('creates over a deleted or purged key, refuses a create over a live one and an update of a stale revision', async () => {
    const { stock, inbox } = await bothBuckets('probe');
    const first = await inbox.create('k', 'v1');
    expect(first).toBe(1);
    await same(
      () => stock.create('k', 'x'),
      () => inbox.create('k', 'x'),
    );
    await same(
      () => stock.update('k', 'x', first + 5),
      () => inbox.update('k', 'x', first + 5),
    );
    await expect(inbox.create('k', 'x')).rejects.toThrow(/wrong last sequence: 1/);

    await inbox.delete('k');
    expect(await inbox.create('k', 'v2')).toBe(3); // put over the DEL marker (revision 2), as nats.js does
    await inbox.purge('k');
    expect(await inbox.create('k', 'v3')).toBe(5);
    expect(seen(await stock.get('k'))).toMatchObject({ operation: 'PUT', revision: 5, value: 'v3' });
    expect(await inbox.update('k', 'v4', 5)).toBe(6);
  });

  it('keeps the delivery ledger exactly-once: one create wins, deleted entries read as missing', async () => {
    const { inbox } = await bothBuckets('ledger');
    const ledger = new DeliveryLedger(inbox);
    const entry: LedgerEntry = {
      status: 'delivered',
      commit: 'c1',
      attempts: 1,
      at: '2026-12-04T00:00:00Z',
      requests: 1,
    };
    expect(await ledger.get('orders', 'evt-1')).toBeUndefined();
    expect(
      await Promise.all([ledger.record('orders', 'evt-1', entry), ledger.record('orders', 'evt-1', entry)]),
    ).toEqual(expect.arrayContaining([true, false]));
    expect(await ledger.get('orders', 'evt-1')).toEqual({ entry, revision: 1 });
    await inbox.delete(DeliveryLedger.key('orders', 'evt-1'));
    expect(await ledger.get('orders', 'evt-1')).toBeUndefined();
  });
});

describe('JetStream publish through the reply inbox', () => {
  it('acks, reports a duplicate msg id, and refuses a subject no stream holds as the stock client', async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'EVENTS', subjects: ['ev.>'] });
    const stock = jetstream(nc);
    const { inboxJs, sent } = await bothBuckets('probe');

    const ack = await inboxJs.publish('ev.1', 'a', { msgID: 'm1' });
    expect(sent).toHaveBeenLastCalledWith('ev.1', expect.anything(), expect.objectContaining({ timeout: 5_000 }));
    expect(ack).toMatchObject({ stream: 'EVENTS', seq: 1, duplicate: false });
    expect(await inboxJs.publish('ev.1', 'a', { msgID: 'm1' })).toMatchObject({ seq: 1, duplicate: true });
    expect(
      await same(
        () => stock.publish('nowhere', 'a'),
        () => inboxJs.publish('nowhere', 'a'),
      ),
    ).toBe('JetStreamNotEnabled: jetstream is not enabled');
  });
});

describe('reply inbox requests', () => {
  it('times out with TimeoutError when nobody answers, and forgets the request', async () => {
    const silent = nc.subscribe('silent');
    const inbox = new ReplyInbox(nc);
    const error = await inbox.request('silent', 'x', { timeout: 50 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(errors.TimeoutError);
    expect(inbox.pending).toBe(0);
    silent.unsubscribe();
  });

  it('times out each unanswered request of two timeouts, never before its timeout, while the others are answered', async () => {
    // Answers only even numbers, after 0-6 ms: answers come out of order, and the odd ones never.
    const some = nc.subscribe('some', {
      callback: (_e, m) => {
        const n = Number(m.string());
        if (n % 2 === 0) setTimeout(() => m.respond(m.data), n % 7);
      },
    });
    await nc.flush();
    const inbox = new ReplyInbox(nc);
    const ask = async (n: number, timeout: number) => {
      const at = performance.now();
      const reply = await inbox.request('some', String(n), { timeout }).then(
        (m) => m.string(),
        (e: Error) => e,
      );
      return { reply, waited: performance.now() - at };
    };
    // Timeouts far above the answers' 0-6 ms: at a load of 30 an answer took longer than 150 ms.
    const asked = Array.from({ length: 40 }, (_, n) => ask(n, n % 4 < 2 ? 1000 : 2000));
    const outcomes = await Promise.all(asked);
    for (const [n, { reply, waited }] of outcomes.entries()) {
      if (n % 2 === 0) expect(reply).toBe(String(n));
      else {
        expect(reply).toBeInstanceOf(errors.TimeoutError);
        expect(waited).toBeGreaterThanOrEqual(n % 4 < 2 ? 1000 : 2000);
      }
    }
    expect(inbox.pending).toBe(0);
    // Once every request is over, a new one still times out (its queue's timer is armed again).
    expect((await ask(1, 50)).reply).toBeInstanceOf(errors.TimeoutError);
    some.unsubscribe();
  });

  it('fails with a no-responders RequestError at once when nothing subscribes', async () => {
    const error = await new ReplyInbox(nc).request('nobody.here', 'x', { timeout: 5_000 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(errors.RequestError);
    expect((error as InstanceType<typeof errors.RequestError>).isNoResponders()).toBe(true);
    expect((error as Error).message).toBe("no responders: 'nobody.here'");
  });

  it('answers each request with its own reply, also when many are in flight', async () => {
    const echo = nc.subscribe('echo', {
      callback: (_e, m) => void setTimeout(() => m.respond(m.data), Number(m.string()) % 7), // answers out of order
    });
    const inbox = new ReplyInbox(nc);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => inbox.request('echo', String(i))));
    expect(replies.map((m) => m.string())).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(inbox.pending).toBe(0);
    echo.unsubscribe();
  });

  it('fails a request at once when the connection may not publish to its subject', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'junction-perm-'));
    const config = join(dir, 'nats.conf');
    await writeFile(
      config,
      'authorization { users = [ { user: app, password: pw, permissions: { publish: { deny: ["forbidden.>"] } } } ] }\n',
    );
    const server = await startNatsServer({ storeDir: join(dir, 'js'), args: ['-c', config] });
    const limited = await connect({ servers: server.url, user: 'app', pass: 'pw', noAsyncTraces: true });
    try {
      limited.subscribe('forbidden.x'); // a responder exists, so only the permission stops the request
      const error = await new ReplyInbox(limited)
        .request('forbidden.x', 'x', { timeout: 20_000 })
        .catch((e: Error) => e);
      expect(error).toBeInstanceOf(errors.RequestError);
      expect((error as Error).cause).toBeInstanceOf(errors.PermissionViolationError);
      expect((error as Error).message).toMatch(/permissions violation for publish to "forbidden\.x"/i);
    } finally {
      await limited.close();
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('publishes a built subject without scanning it, and fails as nc.publish does on a bad subject, a drain or a close', async () => {
    const echo = nc.subscribe('built.>', { callback: (_e, m) => void m.respond(m.data) });
    await nc.flush();
    const inbox = new ReplyInbox(nc);
    const scans = vi.spyOn(nc as unknown as { _check: () => void }, '_check');
    expect((await inbox.request('built.a', 'x', undefined, true)).string()).toBe('x');
    expect((await inbox.request('built.b', 'y')).string()).toBe('y');
    expect(scans).not.toHaveBeenCalled();

    // A subject that is not built is scanned as nats.js scans it: the same error, nothing sent, nothing pending.
    for (const bad of ['built.a b', 'built.a\tb', '']) {
      expect(await outcome(() => inbox.request(bad, 'x'))).toBe(await outcome(async () => nc.publish(bad, 'x')));
      expect(inbox.pending).toBe(0);
    }
    expect(await outcome(() => inbox.request('built.a b', 'x'))).toMatch(/^InvalidSubjectError/);
    const closedOrDraining = async () => [
      await outcome(async () => nc.publish('built.c', 'x')),
      await outcome(() => inbox.request('built.c', 'x', undefined, true)),
      await outcome(async () => publishBuilt(nc, 'built.c', 'x')),
    ];
    // A drain refuses publishes once its subscriptions are drained (nats-core's `noMorePublishing`), then closes.
    const protocol = (nc as unknown as { protocol: { noMorePublishing: boolean } }).protocol;
    protocol.noMorePublishing = true;
    const draining = await closedOrDraining();
    protocol.noMorePublishing = false;
    expect(draining[0]).toMatch(/^DrainingConnectionError/);
    expect(draining).toEqual([draining[0], draining[0], draining[0]]);
    await nc.close();
    const closed = await closedOrDraining();
    expect(closed[0]).toMatch(/^ClosedConnectionError/);
    expect(closed).toEqual([closed[0], closed[0], closed[0]]);
    echo.unsubscribe();
  });

  it('tells the server’s direct-get miss from every other reply by its bytes', async () => {
    await new Kvm(jetstream(nc)).create('misses', { history: 1 });
    nc.subscribe('status.>', {
      callback: (_e, m) => {
        const [, code, description, extra] = m.subject.split('.');
        const h = headers(Number(code), description!.replaceAll('_', ' '));
        if (extra) h.set('Extra', extra);
        m.respond(extra === 'payload' ? 'x' : undefined, { headers: h });
      },
    });
    await nc.flush();
    const inbox = new ReplyInbox(nc);
    const decode = vi.spyOn(MsgHdrsImpl, 'decode');
    const miss = await inbox.request('$JS.API.DIRECT.GET.KV_misses.$KV.misses.nothing', undefined, undefined, true);
    expect(isNotFoundReply(miss)).toBe(true);
    expect(decode).not.toHaveBeenCalled();
    // What nats.js reads it as when it does decode it: a missing message.
    expect(new JetStreamStatus(miss).isMessageNotFound()).toBe(true);

    const exact = await inbox.request('status.404.Message_Not_Found', undefined);
    expect(isNotFoundReply(exact)).toBe(true);
    for (const subject of [
      'status.404.No_Results',
      'status.404.Message_not_found',
      'status.404.Message_Not_Found.more',
      'status.404.Message_Not_Found.payload',
      'status.408.Request_Timeout',
    ]) {
      const reply = await inbox.request(subject, undefined);
      expect(isNotFoundReply(reply)).toBe(false);
      expect(reply.headers?.code).toBe(Number(subject.split('.')[1]));
    }
  });

  it('rejects requests in flight when the connection closes', async () => {
    nc.subscribe('silent');
    const inbox = new ReplyInbox(nc);
    const waiting = inbox.request('silent', 'x', { timeout: 10_000 }).catch((e: Error) => e);
    await nc.flush();
    await nc.close();
    const error = await waiting;
    expect(error).toBeInstanceOf(errors.RequestError);
    expect((error as Error).message).toBe('connection closed');
    expect(inbox.pending).toBe(0);
  });
});
