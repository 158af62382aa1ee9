/**
 * Lag when nats-server 2.9.10 counts an event twice: a consumer whose only pull was closed while a redelivery came
 * due steps its next sequence back onto that event, which stays ack-pending and is pending again
 * (nats-io/nats-server#5305, fixed in 2.10.14). The broker's figures below are those of a real run of
 * integration-removed.test.ts: `orders` removed while its parked key's ticket waited out its backoff; the stream stored
 * that one ticket. Which goroutine wins the race inside the server cannot be chosen from a test, so these are the
 * figures it answered with, replayed.
 */
import type { ConsumerInfo, JetStreamManager, StreamInfoRequestOptions } from '@nats-io/jetstream';
import { expect, it } from 'vitest';
import { consumerBacklog } from '../../engine/runtime/observe/consumer-lag.js';

const RETRY_SUBJECT = 'junction.events.orders.retry';

/** A consumer as the broker lists it; the figures not given are those of an idle one. */
function consumer(name: string, subject: string, figures: Partial<ConsumerInfo> = {}): ConsumerInfo {
  return {
    name,
    config: { durable_name: name, filter_subject: subject },
    num_pending: 0,
    num_ack_pending: 0,
    num_redelivered: 0,
    num_waiting: 0,
    ...figures,
  } as ConsumerInfo;
}

/** Every consumer of `orders` and `refunds`, idle but for `retry`, which is `orders-retry`. */
function consumers(retry: Partial<ConsumerInfo>): ConsumerInfo[] {
  return ['orders', 'refunds'].flatMap((name) => [
    ...[0, 1, 2, 3].map((p) => consumer(`${name}-p${p}`, `junction.events.${name}.p${p}`)),
    consumer(`${name}-retry`, `junction.events.${name}.retry`, name === 'orders' ? retry : {}),
  ]);
}

/** A broker holding `listed` and `tickets` stored tickets of `orders`; records the stream reads asked of it. */
function broker(listed: ConsumerInfo[], tickets: number) {
  const reads: (string | undefined)[] = [];
  const jsm = {
    consumers: {
      list: () =>
        (async function* () {
          yield* listed;
        })(),
    },
    streams: {
      info: async (_stream: string, options?: Partial<StreamInfoRequestOptions>) => {
        reads.push(options?.subjects_filter);
        return { state: { subjects: options?.subjects_filter === RETRY_SUBJECT ? { [RETRY_SUBJECT]: tickets } : {} } };
      },
    },
  } as unknown as JetStreamManager;
  return { jsm, reads };
}

it("counts a removed integration's parked key once when the broker counts its ticket both pending and ack-pending", async () => {
  // As the run's broker listed it: delivered up to stream sequence 4 (its next is the ticket at 5, delivered twice).
  const { jsm, reads } = broker(
    consumers({ num_pending: 1, num_ack_pending: 1, num_redelivered: 1, num_waiting: 0 }),
    1,
  );
  const backlog = await consumerBacklog(jsm, ['refunds'], 4);
  expect(backlog.lag).toEqual(
    new Map([
      ['refunds', 0],
      ['orders', 1],
    ]),
  );
  expect(backlog.missing).toEqual(new Map());
  expect(reads).toEqual([RETRY_SUBJECT]);
});

it('takes a pulled consumer at its word, without reading the stream', async () => {
  // Two parked keys: one ticket waits out its backoff, the other has just been stored. A live pull waits, so a rewind
  // would last only until it is served, and a stream read would walk the stream's blocks for nothing.
  const { jsm, reads } = broker(
    consumers({ num_pending: 1, num_ack_pending: 1, num_redelivered: 1, num_waiting: 1 }),
    2,
  );
  expect((await consumerBacklog(jsm, ['orders', 'refunds'], 4)).lag).toEqual(
    new Map([
      ['orders', 2],
      ['refunds', 0],
    ]),
  );
  expect(reads).toEqual([]);
});
