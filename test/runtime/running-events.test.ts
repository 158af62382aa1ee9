/**
 * A delivery of an event whose attempt this process is still running waits for that attempt and is settled as it
 * was: never acked when the attempt is to be retried. Driven through processEvent with a worker context whose stores
 * answer when the test says; the real-broker cases are in redelivery-in-flight.test.ts.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { pino } from 'pino';
import { expect, it, vi } from 'vitest';
import { processEvent } from '../../engine/runtime/worker/event-worker.js';
import type { InFlight, WorkerContext } from '../../engine/runtime/worker/event-worker.js';
import { UNKNOWN_INTEGRATION_DELAY_MS } from '../../engine/runtime/worker/error-fate.js';
import { RunningEvents } from '../../engine/runtime/worker/running-events.js';
import { HEADER } from '../../engine/runtime/broker/subjects.js';

/** A delivery of stream message `seq`; without an event id the event is `orders:seq-<seq>`. */
function delivery(seq: number, deliveryCount: number, eventId?: string): InFlight {
  const msg = {
    subject: 'junction.events.orders.0',
    seq,
    headers: eventId === undefined ? undefined : { get: (h: string) => (h === HEADER.eventId ? eventId : '') },
    info: { deliveryCount, timestampNanos: 0 },
    working: vi.fn(),
    ack: vi.fn(),
    nak: vi.fn(),
    term: vi.fn(),
  };
  return { msg: msg as unknown as JsMsg, settled: false };
}

/** A worker whose ledger reads wait for `answer()`, and whose spec set lacks the integration (so it retries). */
function worker() {
  const answers: (() => void)[] = [];
  const ledgerReads = vi.fn(() => new Promise((resolve) => answers.push(() => resolve(undefined))));
  const ctx = {
    ledger: { get: ledgerReads },
    parking: { marker: async () => undefined },
    running: new RunningEvents(),
    specs: { active: { integrations: new Map() } },
    metrics: { joined: { inc: vi.fn() } },
    log: pino({ level: 'silent' }),
  } as unknown as WorkerContext;
  return { ctx, ledgerReads, answer: () => answers.shift()!() };
}

it('a redelivery of the running message waits, then is nakked with the same delay as the attempt it waited for', async () => {
  const { ctx, ledgerReads, answer } = worker();
  const first = delivery(7, 1);
  const again = delivery(7, 2);
  const running = processEvent(first, ctx);
  const joined = processEvent(again, ctx);
  await vi.waitFor(() => expect(ctx.metrics.joined.inc).toHaveBeenCalledOnce());
  // The redelivery read nothing and started no attempt of its own.
  expect(ledgerReads).toHaveBeenCalledOnce();
  answer();
  await Promise.all([running, joined]);
  expect(first.msg.nak).toHaveBeenCalledWith(UNKNOWN_INTEGRATION_DELAY_MS);
  expect(again.msg.nak).toHaveBeenCalledWith(UNKNOWN_INTEGRATION_DELAY_MS);
  expect(again.msg.ack).not.toHaveBeenCalled();
  expect(ctx.running.of('orders:seq-7')).toBeUndefined();
});

it('another message of the same event waits for the running attempt, then is processed on its own', async () => {
  const { ctx, ledgerReads, answer } = worker();
  // Two stream messages with one event id (a copy stored beyond the dedup window).
  const first = delivery(7, 1, 'e1');
  const copy = delivery(8, 1, 'e1');
  const running = processEvent(first, ctx);
  const other = processEvent(copy, ctx);
  await vi.waitFor(() => expect(ctx.metrics.joined.inc).toHaveBeenCalledOnce());
  expect(ledgerReads).toHaveBeenCalledOnce();
  answer();
  await running;
  // Once the attempt ended, the copy reads the ledger itself (where a delivered event would be found).
  await vi.waitFor(() => expect(ledgerReads).toHaveBeenCalledTimes(2));
  answer();
  await other;
  expect(copy.msg.nak).toHaveBeenCalledWith(UNKNOWN_INTEGRATION_DELAY_MS);
  expect(copy.msg.ack).not.toHaveBeenCalled();
});
