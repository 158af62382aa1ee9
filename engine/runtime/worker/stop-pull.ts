/**
 * Stops a `consume()` without losing what the broker already sent into it.
 *
 * `close()` unsubscribes the pull's inbox at once (`@nats-io/jetstream` 3.4.0 `lib/consumer.js`, `stop()` calls
 * `sub.unsubscribe()`): the client forgets the subscription before its UNSUB reaches the broker, so an event the broker
 * sent into the pull in that round trip is dropped by the client, and stays ack-pending until the consumer's ack wait
 * runs out (a partition handed over, an integration paused, an engine stopped: the partition waited up to the ack wait,
 * `test/runtime/partition-handover.test.ts`). Draining the inbox instead (`@nats-io/nats-core` 3.4.0
 * `SubscriptionImpl.drain()`: UNSUB, then a PING; the subscription stays until the PONG) hands every such event to the
 * consume's callback: the broker answers the PING after it removed the subscription, on the same connection, so
 * nothing it sent into the inbox comes after the PONG. The pull then ends as after `close()`.
 */
import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/transport-node';

/**
 * Drains the pull's inbox for at most `withinMs` (a broker that does not answer: cut off, or a connection not yet
 * known dead), then closes it. The inbox is not part of the `ConsumerMessages` type: the pull's `sub`
 * (`PullConsumerMessagesImpl`); without one it is closed at once, as before.
 */
export async function stopPull(messages: ConsumerMessages, withinMs: number): Promise<void> {
  const inbox = (messages as ConsumerMessages & { sub?: Subscription }).sub;
  if (inbox && !inbox.isClosed() && !inbox.isDraining()) {
    let timer: NodeJS.Timeout | undefined;
    const outwaited = new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)));
    await Promise.race([inbox.drain().catch(() => undefined), outwaited]);
    clearTimeout(timer);
  }
  await messages.close().catch(() => undefined);
}
