/**
 * The consumer watchdog and nats-server 2.9.10's rewound consumer (nats-io/nats-server#5305, fixed in 2.10.14): a
 * consumer whose only pull waits with nobody listening when a redelivery comes due steps its next sequence back onto
 * the last message it delivered, which stays ack-pending and is pending again. The ticket it waits for is then stored
 * above the last sequence it reports delivered, as an event lost by a crash is missing below it: the watchdog must not
 * take the one for the other (before the fix it recreated this consumer after two rounds, as a crash's). The engine's
 * own pull meets that state when a pause lands while the ticket waits out its backoff, but a consumer info between the
 * two drops the pull first, so the test is the last worker once `orders` is paused: it takes the parked key's ticket
 * with a pull of its own, stops listening and fails it, until the broker shows the state. */
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConsumerInfo, JetStreamManager, MsgRequest } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it } from 'vitest';
import { phantomPending } from '../../engine/runtime/broker/phantom-pending.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_STREAM, retryConsumerName } from '../../engine/runtime/broker/subjects.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it(
  "leaves a paused integration's retry consumer alone when the broker rewound it onto the parked key's ticket",
  { timeout: 60_000 },
  async () => {
    h = await startRuntimeHarness({
      integrations: [integrationYaml({ maxAttempts: 100, initial: '300ms', max: '300ms' })],
      tuning: { stuckConsumerCheckMs: 300 },
    });
    const harness = h;
    let down = true;
    harness.target.fault = (r) => (down && r.key === '1' ? { respond: { status: 503 } } : undefined);
    await harness.post('orders', { id: 1, seq: 1, status: 'new' });
    const nc = await connect({ servers: harness.nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const consumer = retryConsumerName('orders');
      const info = () => jsm.consumers.info(EVENTS_STREAM, consumer);
      await waitFor(async () => (await info()).num_ack_pending === 1, 'key 1 parked, its ticket in flight');
      const nats = ['--nats', harness.nats.url];
      expect((await junction('pause', 'orders', '--reason', 'ERP upgrade', ...nats)).code).toBe(0);
      // The engine's pulls are closed once it follows the pause; the broker drops them when it next looks.
      await waitFor(async () => (await info()).num_waiting === 0, 'the engine stopped pulling orders');

      // The last worker takes the ticket when it is due, stops listening, and fails it (nak): the redelivery finds
      // its pull still waiting with nobody listening, and the broker steps back onto the ticket. A consumer info
      // drops such a pull, so one that comes first (the watchdog's, this test's) leaves the ticket ack-pending only:
      // the worker then takes it again.
      const retry = await jetstream(nc).consumers.get(EVENTS_STREAM, consumer);
      let ticket = 0;
      await waitFor(async () => {
        const batch = await retry.fetch({ max_messages: 2, expires: 30_000 });
        for await (const m of batch) {
          ticket = m.seq;
          batch.stop();
          m.nak();
        }
        await nc.flush();
        const c = await info();
        return c.num_pending === 1 && c.delivered.stream_seq === ticket - 1;
      }, 'the broker rewound the retry consumer onto the ticket');
      const rewound = await info();
      expect(rewound).toMatchObject({ num_pending: 1, num_ack_pending: 1, num_redelivered: 1, num_waiting: 0 });
      expect(
        (await jsm.streams.info(EVENTS_STREAM, { subjects_filter: rewound.config.filter_subject })).state,
      ).toMatchObject({ subjects: { [rewound.config.filter_subject!]: 1 } });

      // Two whole rounds of the watchdog with that state: each round renews its lease first, so the third renewal
      // from now comes after the second round ended. A renewal the polling misses only makes the wait longer.
      const control = await new Kvm(nc).open(BUCKET_NAMES.control);
      const renewals = new Set<number>();
      const from = (await control.get('consumer-watchdog-lease'))?.revision;
      await waitFor(async () => {
        const revision = (await control.get('consumer-watchdog-lease'))?.revision;
        if (revision !== undefined && revision !== from) renewals.add(revision);
        return renewals.size >= 3;
      }, 'two whole watchdog rounds');

      const recreated = await harness.engine.metrics.getSingleMetric('junction_consumers_recreated_total')!.get();
      expect(recreated.values).toEqual([]);
      expect((await info()).created).toBe(rewound.created);

      // Resumed, the engine takes the ticket again and key 1 is delivered once.
      down = false;
      expect((await junction('resume', 'orders', ...nats)).code).toBe(0);
      await waitFor(() => harness.target.records.get('1')?.status === 'new', 'key 1 delivered after the resume');
      await expectDrained(harness.nats.url);
      expect(harness.target.effectiveWrites.get('1')).toBe(1);
    } finally {
      await nc.close();
    }
  },
);

/** The retry consumer's figures in the run above, once rewound: the ticket at stream sequence 2. */
const REWOUND = { num_pending: 1, num_ack_pending: 1, num_redelivered: 1, num_waiting: 0 };

/** A broker whose consumer reports `figures` (delivered up to 1, ack floor 0) and whose subject stores `stored`. */
function broker(figures: Partial<ConsumerInfo>, stored: number[]): JetStreamManager {
  const info = { ...figures, ack_floor: { stream_seq: 0 }, delivered: { stream_seq: 1 } } as ConsumerInfo;
  return {
    consumers: { info: async () => info },
    streams: {
      getMessage: async (_stream: string, query: MsgRequest) => {
        const seq = stored.find((s) => s >= (query as { seq: number }).seq);
        return seq === undefined ? null : { seq };
      },
    },
  } as unknown as JetStreamManager;
}

it('takes the stored message one above the last delivered for what a rewound consumer waits for, nothing further', async () => {
  const subject = 'junction.events.orders.retry';
  expect(await phantomPending(broker(REWOUND, [2]), 'orders-retry', subject)).toBeUndefined();
  // A crash's phantom with a later event stored: the event it waits for is gone whatever else is stored.
  expect(await phantomPending(broker(REWOUND, [3]), 'orders-retry', subject)).toEqual({ ackFloor: 0, delivered: 1 });
  // Pulled, a consumer is taken at its word: it delivered up to 1, so a message at 2 is not what it waits for.
  const pulled = { ...REWOUND, num_waiting: 1 };
  expect(await phantomPending(broker(pulled, [2]), 'orders-retry', subject)).toEqual({ ackFloor: 0, delivered: 1 });
});
