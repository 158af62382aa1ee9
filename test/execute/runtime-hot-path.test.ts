/**
 * Unit tests of the runtime's per-event hot path (no broker): the pool-wide heartbeat, lazy event logging, one digest
 * per record key, the key digest as stored, checkpoints stored without the request body, the ledger key from a known
 * digest, KV failures of an event's state as retryable errors, and the webhook body reader.
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { pino } from 'pino';
import { Readable, Writable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsumerPool, heartbeatIntervalMs } from '../../engine/runtime/worker/consumer-pool.js';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import { EventLog } from '../../engine/runtime/worker/event-log.js';
import type { WorkerContext } from '../../engine/runtime/worker/event-worker.js';
import { RunningEvents } from '../../engine/runtime/worker/running-events.js';
import { CallLeases } from '../../engine/runtime/worker/call-leases.js';
import type { AttemptLeases } from '../../engine/runtime/worker/call-leases.js';
import { EngineStateError } from '../../engine/execute/engine-state-error.js';
import { checkpointJson, eventExecutionState } from '../../engine/runtime/worker/execution-state.js';
import { keyDigest } from '../../engine/runtime/broker/subjects.js';
import { IngestBudget, readWebhookBody } from '../../engine/runtime/ingest/read-webhook-body.js';
import type { XrefReplica } from '../../engine/runtime/stores/xref-replica.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('consumer pool heartbeat', () => {
  function fakeMessage() {
    return {
      subject: 'junction.events.orders.0',
      seq: 1,
      headers: undefined,
      info: { deliveryCount: 1, timestampNanos: 0 },
      working: vi.fn(),
      ack: vi.fn(),
      nak: vi.fn(),
      term: vi.fn(),
    };
  }

  async function poolWithOneEvent(ackWaitMs: number) {
    let deliver: ((msg: JsMsg) => void) | undefined;
    const js = {
      consumers: {
        get: async () => ({
          consume: async (opts: { callback: (m: JsMsg) => void }) => (
            (deliver = opts.callback),
            { close: async () => undefined, status: async function* () {} }
          ),
        }),
      },
    };
    let finishLedgerRead: (value: unknown) => void = () => undefined;
    const ctx = {
      ledger: { get: () => new Promise((resolve) => (finishLedgerRead = resolve)) },
      parking: { marker: async () => undefined },
      running: new RunningEvents(),
      leases: new CallLeases('test', ackWaitMs),
      tuning: { ackWaitMs },
      metrics: { perEvent: { inFlight: () => undefined }, duplicates: { inc: () => undefined } },
      log: pino({ level: 'silent' }),
    } as unknown as WorkerContext;
    const pool = new ConsumerPool(js as never, {} as never, ctx);
    await pool.start('orders', 1);
    const msg = fakeMessage();
    deliver!(msg as unknown as JsMsg);
    return { pool, msg, finish: () => finishLedgerRead({ entry: { status: 'delivered' }, revision: 1 }) };
  }

  it('tells the broker every in-flight event is being worked on, every third of the ack wait, until it is settled', async () => {
    vi.useFakeTimers();
    const { pool, msg, finish } = await poolWithOneEvent(3_000);
    expect(pool.inFlightCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(3 * heartbeatIntervalMs(3_000));
    expect(msg.working).toHaveBeenCalledTimes(3);

    finish(); // the ledger says it is done: acked without delivery
    await vi.advanceTimersByTimeAsync(0);
    expect(msg.ack).toHaveBeenCalledTimes(1);
    expect(pool.inFlightCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5 * heartbeatIntervalMs(3_000));
    expect(msg.working).toHaveBeenCalledTimes(3);
  });

  it('beats at least every 100 ms however short the ack wait', () => {
    expect(heartbeatIntervalMs(30_000)).toBe(10_000);
    expect(heartbeatIntervalMs(150)).toBe(100);
  });
});

describe('EventLog', () => {
  function capture(level: string) {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
    return { base: pino({ level }, sink), lines };
  }

  it('makes no child logger for lines below the level', () => {
    const { base, lines } = capture('warn');
    const child = vi.spyOn(base, 'child');
    const log = new EventLog(base, { integration: 'orders', eventId: 'orders:1', attempt: 1 });
    log.info({ outcome: 'delivered' }, 'delivered');
    expect(child).not.toHaveBeenCalled();
    expect(lines).toEqual([]);
  });

  it('writes the event fields with each line, through one child', async () => {
    const { base, lines } = capture('info');
    const child = vi.spyOn(base, 'child');
    const log = new EventLog(base, { integration: 'orders', eventId: 'orders:1', attempt: 2 });
    log.info({ outcome: 'delivered' }, 'delivered');
    log.warn('integration is not in the active spec set: retrying later');
    log.error({ code: 'validation' }, 'dead-lettered');
    await new Promise((r) => setImmediate(r));
    expect(child).toHaveBeenCalledTimes(1);
    expect(lines.map((l) => [l.level, l.msg, l.integration, l.eventId, l.attempt])).toEqual([
      [30, 'delivered', 'orders', 'orders:1', 2],
      [40, 'integration is not in the active spec set: retrying later', 'orders', 'orders:1', 2],
      [50, 'dead-lettered', 'orders', 'orders:1', 2],
    ]);
    expect(lines[0].outcome).toBe('delivered');
  });
});

describe('event execution state', () => {
  function fakeKv() {
    const store = new Map<string, string>();
    const kv = {
      get: vi.fn(async (key: string) =>
        store.has(key)
          ? {
              operation: 'PUT',
              length: store.get(key)!.length,
              string: () => store.get(key)!,
              json: () => JSON.parse(store.get(key)!),
            }
          : null,
      ),
      put: vi.fn(async (key: string, value: string) => void store.set(key, value)),
    };
    return { kv, store };
  }
  const xref = { xref: { get: () => undefined, set: async () => undefined } } as unknown as XrefReplica;

  it('keys last-written hashes by the digest of the record key', async () => {
    const written = fakeKv();
    const state = eventExecutionState({
      written: written.kv as unknown as KV,
      checkpoints: fakeKv().kv as unknown as KV,
      xref,
      integration: 'orders',
      eventDigest: 'd',
      echoState: true,
    });
    expect(await state.lastWritten!.get('erp/order/1')).toBeUndefined();
    await state.lastWritten!.set('erp/order/1', 'h1');
    await state.lastWritten!.set('erp/order/2', 'h2');
    expect(await state.lastWritten!.get('erp/order/1')).toBe('h1');
    expect([...written.store.keys()]).toEqual([keyDigest('erp/order/1'), keyDigest('erp/order/2')]);
  });

  it('keeps no last-written hashes without a reverse partner: no KV round trip, every write is sent', async () => {
    const written = fakeKv();
    const state = eventExecutionState({
      written: written.kv as unknown as KV,
      checkpoints: fakeKv().kv as unknown as KV,
      xref,
      integration: 'orders',
      eventDigest: 'd',
      echoState: false,
    });
    // The executor then sends every write and hashes no body (call-step.ts).
    expect(state.lastWritten).toBeUndefined();
  });

  it('resumes from a checkpoint stored without the request body', async () => {
    const checkpoints = fakeKv();
    const state = eventExecutionState({
      written: fakeKv().kv as unknown as KV,
      checkpoints: checkpoints.kv as unknown as KV,
      xref,
      integration: 'orders',
      eventDigest: 'd',
      echoState: true,
    });
    const request = {
      step: 'write',
      connection: 'erp',
      operation: 'put',
      method: 'PUT',
      path: '/orders/1',
      body: { key: 1, lines: [1, 2, 3] },
    };
    await state.checkpoint!.set('write', { result: { id: 1 }, request });
    const { body: _body, ...withoutBody } = request;
    expect(await state.checkpoint!.get('write')).toEqual({ result: { id: 1 }, request: withoutBody });
    expect([...checkpoints.store.keys()]).toEqual(['orders.d.write']);
  });

  it('turns every KV failure into a retryable state-unavailable error, never a DLQ', async () => {
    const down = new Error('TIMEOUT');
    const failing = {
      get: vi.fn(async () => Promise.reject(down)),
      put: vi.fn(async () => Promise.reject(down)),
      delete: vi.fn(async () => Promise.reject(down)),
    } as unknown as KV;
    const replica = {
      xref: { get: () => 'T-1', set: async () => Promise.reject(down) },
    } as unknown as XrefReplica;
    const state = eventExecutionState({
      written: failing,
      checkpoints: failing,
      xref: replica,
      integration: 'orders',
      eventDigest: 'd',
      echoState: true,
    });
    const calls: Promise<unknown>[] = [
      state.xref.set('m', 's', 't'),
      state.lastWritten!.get('erp/order/1'),
      state.lastWritten!.set('erp/order/1', 'h'),
      state.createdBy!.get('erp/order/1'),
      state.createdBy!.set('erp/order/1', 'orders'),
      state.checkpoint!.get('write'),
      state.checkpoint!.set('write', { sent: true }),
      state.checkpoint!.clear('write'),
    ];
    for (const call of calls) {
      const error = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(EngineStateError);
      expect(error).toMatchObject({
        code: 'state-unavailable',
        disposition: 'retryable',
        message: 'runtime state unavailable: TIMEOUT',
        cause: down,
      });
    }
    // The replica's reads never fail; without leases a mark is a plain checkpoint (no claim, nothing to hold).
    expect(state.xref.get('m', 's')).toBe('T-1');
    expect(state.checkpoint!.claim).toBeUndefined();
    expect(state.checkpoint!.holds).toBeUndefined();
  });

  it('passes a claim refused for the event as it is, and a failed one as state-unavailable', async () => {
    const kv = fakeKv().kv as unknown as KV;
    const inFlight = Object.assign(new Error('in flight'), { code: 'call-in-flight' });
    const awaiting = Object.assign(new Error('awaiting commit'), { code: 'awaiting-commit' });
    const down = new Error('no responders');
    const claims = [inFlight, awaiting, down];
    const leases = {
      claim: vi.fn(async () => Promise.reject(claims.shift())),
      holdsForCall: vi.fn(async (key: string) => key === 'orders.d.write'),
      settled: vi.fn(),
    } as unknown as AttemptLeases;
    const state = eventExecutionState({
      written: kv,
      checkpoints: kv,
      xref,
      integration: 'orders',
      eventDigest: 'd',
      echoState: false,
      leases,
    });
    const checkpoint = state.checkpoint!;
    expect(await checkpoint.get('write')).toBeUndefined();
    await expect(checkpoint.claim!('write')).rejects.toBe(inFlight);
    await expect(checkpoint.claim!('write')).rejects.toBe(awaiting);
    await expect(checkpoint.claim!('write')).rejects.toMatchObject({ code: 'state-unavailable', cause: down });
    // The claim compares against the entry the attempt read (none), under the checkpoint's key.
    expect(leases.claim).toHaveBeenCalledWith('orders.d.write', null);
    expect(await checkpoint.holds!('write')).toBe(true);
    await checkpoint.set('write', { sent: true });
    expect(leases.settled).toHaveBeenCalledWith('orders.d.write');
  });

  it('stores a checkpoint without the request body', () => {
    const json = checkpointJson({
      result: { id: 'A-1' },
      request: {
        step: 's',
        index: 2,
        connection: 'erp',
        operation: 'put',
        method: 'PUT',
        path: '/x',
        body: { big: 'x'.repeat(1000) },
      },
    });
    expect(JSON.parse(json)).toEqual({
      result: { id: 'A-1' },
      request: { step: 's', index: 2, connection: 'erp', operation: 'put', method: 'PUT', path: '/x' },
    });
  });
});

describe('keyDigest', () => {
  // Ledger, parking and checkpoint keys are these digests: they must not move.
  it('is sha256 of the UTF-8 text, base64url, cut at 32', () => {
    // As createHash('sha256').update(value).digest('base64url').slice(0, 32) gave them before.
    const stored: [string, string][] = [
      ['orders:42', 'il8hfdsMnwPRbA2zjyuhw6-6Vsqb4xpr'],
      ['', '47DEQpj8HBSa-_TImW-5JCeuQeRkm5NM'],
      ['é ü ✓ 日本', 'ar7xN5vsyX5rwE8wU4KRVHXKrdoFmUVS'],
      ['\ud800x', 'qHzkZ5PMZZt5vRh-mY-EiGNfcH1b4JV-'],
      ['a'.repeat(300), 'mDX6a_TiCpueqBJQYwLpiYJyGmz40srm'],
    ];
    for (const [value, digest] of stored) expect(keyDigest(value)).toBe(digest);
  });
});

describe('DeliveryLedger.key', () => {
  it('is the same with a digest the caller already has', () => {
    expect(DeliveryLedger.key('orders', 'orders:42', keyDigest('orders:42'))).toBe(
      DeliveryLedger.key('orders', 'orders:42'),
    );
  });
});

describe('readWebhookBody', () => {
  function request(chunks: string[], headers: Record<string, string> = {}) {
    const req = Readable.from(
      chunks.map((c) => Buffer.from(c)),
      { objectMode: false },
    ) as Readable & { headers: Record<string, string> };
    req.headers = headers;
    return req as unknown as IncomingMessage;
  }
  const read = (req: IncomingMessage, limit: number, budget = new IngestBudget(1000)) =>
    readWebhookBody(req, limit, budget).then((r) => ('body' in r ? String(r.body) : r));

  it('returns the whole body', async () => {
    expect(await read(request(['{"a":', '1}']), 100)).toBe('{"a":1}');
    expect(await read(request(['{}']), 100)).toBe('{}');
    expect(await read(request([]), 100)).toBe('');
  });

  it('stops keeping bytes at the limit and gives back what it took', async () => {
    const budget = new IngestBudget(1000);
    const req = request(['x'.repeat(60), 'x'.repeat(60), 'x'.repeat(60)]);
    expect(await read(req, 100, budget)).toEqual({ refused: 'too-large' });
    expect(budget.used).toBe(0);
  });

  it('refuses a declared length over the limit without reading', async () => {
    const req = request(['{}'], { 'content-length': '500' });
    expect(await read(req, 100)).toEqual({ refused: 'too-large' });
  });

  it('answers busy when the bytes in flight across requests would pass the budget', async () => {
    const budget = new IngestBudget(100);
    expect(budget.tryTake(90)).toBe(true);
    expect(await read(request(['{}'], { 'content-length': '20' }), 100, budget)).toEqual({ refused: 'busy' });
    expect(await read(request(['x'.repeat(20)]), 100, budget)).toEqual({ refused: 'busy' });
    expect(budget.used).toBe(90);
  });

  it('fails when the request breaks off, giving back what it took', async () => {
    const budget = new IngestBudget(1000);
    const req = new Readable({ read() {} }) as Readable & { headers: Record<string, string> };
    req.headers = {};
    const body = readWebhookBody(req as unknown as IncomingMessage, 100, budget);
    req.push('{"a"');
    req.destroy(new Error('socket hang up'));
    await expect(body).rejects.toThrow('socket hang up');
    expect(budget.used).toBe(0);
  });
});
