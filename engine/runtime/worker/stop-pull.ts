/**
 * Stops a `consume()` without losing what the broker already sent into it, or what this engine naks afterwards.
 *
 * `close()` unsubscribes the pull's inbox at once (`@nats-io/jetstream` 3.4.0 `lib/consumer.js`, `stop()` calls
 * `sub.unsubscribe()`): the client forgets the subscription before its UNSUB reaches the broker, so an event the broker
 * sent into the pull in that round trip is dropped by the client, and stays ack-pending until the consumer's ack wait
 * runs out (a partition handed over, an integration paused, an engine stopped: the partition waited up to the ack wait,
 * `test/runtime/partition-handover.test.ts`). Draining the inbox instead (`@nats-io/nats-core` 3.4.0
 * `SubscriptionImpl.drain()`: UNSUB, then a PING; the subscription stays until the PONG) hands every such event to the
 * consume's callback: the broker answers the PING after it removed the subscription, on the same connection, so
 * nothing it sent into the inbox comes after the PONG. The pull then ends as after `close()`.
 *
 * The pull's requests stay in the consumer's queue after the UNSUB until the consumer next looks at them (at their
 * heartbeat time, up to half the pull's expiry later). A nak that comes due in that time is lost on nats-server before
 * 2.10.15 while no other pull waits (2.9.10 `server/consumer.go`, `loopAndGatherMsgs`: `getNextMsg` takes the nakked
 * message off the redelivery queue, `nextWaiting` finds nobody listening to the stopped request and drops it, and "We
 * will redo this one" does not put the message back), so it waits out the ack wait; fixed by nats-io/nats-server#5338.
 * A consumer info drops every request nobody listens to (`infoWithSnapAndReply` calls `processWaiting`, which checks
 * each request's interest). So when a nak may follow, one is asked for once the broker has the UNSUB, and a nak made
 * meanwhile waits for its answer (PullStops): the broker takes acks on a queue of their own (`pushAck`), not in the
 * order of the connection, and a nak taken before the info is lost even with a delay (its timer looks 10 ms later).
 */
import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';

export interface StoppedRequests {
  /** Whether this engine holds a message of the consumer it may still nak (an event in flight). */
  nakMayFollow(): boolean;
  /** Asks the broker for the consumer's info, which drops the stopped pull's requests. */
  askInfo(): Promise<unknown>;
}

/**
 * Drains the pull's inbox for at most `withinMs` (a broker that does not answer: cut off, or a connection not yet
 * known dead), then closes it. The inbox is not part of the `ConsumerMessages` type: the pull's `sub`
 * (`PullConsumerMessagesImpl`); without one it is closed at once, as before. Then, if a nak may follow and the broker
 * answered, drops the pull's requests at the broker (the consumer info, waited for at most `withinMs` too).
 */
async function stopPull(messages: ConsumerMessages, withinMs: number, requests: StoppedRequests): Promise<void> {
  const inbox = (messages as ConsumerMessages & { sub?: Subscription }).sub;
  let answered = true;
  if (inbox && !inbox.isClosed() && !inbox.isDraining()) {
    answered = await within(inbox.drain(), withinMs);
  }
  // The UNSUB went before the info request on this connection: the broker has it when it answers.
  await messages.close().catch(() => undefined);
  if (answered && requests.nakMayFollow()) await within(requests.askInfo(), withinMs);
}

/**
 * The pulls being stopped, by consumer name. A nak of a consumer's message waits while one of its pulls is being
 * stopped, and that stop then drops the pull's requests at the broker before it ends (above).
 */
export class PullStops {
  /** Per consumer, its stops under way, each as what holds a nak until it is done (and makes it drop the requests). */
  readonly #underWay = new Map<string, Set<() => Promise<void>>>();

  /** Stops `messages`, a pull of `consumer` (stopPull), and lets the naks held meanwhile go. */
  async stop(consumer: string, messages: ConsumerMessages, withinMs: number, requests: StoppedRequests): Promise<void> {
    let nakWaits = false;
    const done = stopPull(messages, withinMs, {
      nakMayFollow: () => nakWaits || requests.nakMayFollow(),
      askInfo: requests.askInfo,
    });
    const holdNak = () => {
      nakWaits = true;
      return done;
    };
    const stops = this.#underWay.get(consumer) ?? new Set();
    this.#underWay.set(consumer, stops.add(holdNak));
    try {
      await done;
    } finally {
      stops.delete(holdNak);
      if (stops.size === 0 && this.#underWay.get(consumer) === stops) this.#underWay.delete(consumer);
    }
  }

  /** What a nak of a message of `consumer` waits for: the stops of its pulls under way (undefined: none). */
  beforeNak(consumer: string): Promise<unknown> | undefined {
    const stops = this.#underWay.get(consumer);
    return stops && Promise.all([...stops].map((holdNak) => holdNak()));
  }
}

/** Whether `work` succeeded within `ms`. */
async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const outwaited = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = work.then(
    () => true,
    () => false,
  );
  const ok = await Promise.race([done, outwaited]);
  clearTimeout(timer);
  return ok;
}
