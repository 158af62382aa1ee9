/**
 * nats-server 2.9.10's rewound consumer: when a redelivery comes due while the consumer's only pull waits with nobody
 * listening (its puller stopped: an integration removed or paused, an engine stopping), the server drops that pull
 * and steps the consumer's next sequence back by one (`loopAndGatherMsgs`, "We will redo this one"), as if the
 * message were new. The last message it delivered, the parked key's ticket in the cases seen, is then both
 * ack-pending and pending again, one above the last delivered sequence its info reports, until someone pulls (fixed
 * in 2.10.14, nats-io/nats-server#5305). Consumer lag counts it once (observe/consumer-lag.ts); the consumer watchdog
 * does not take it for an event lost by a crash (phantom-pending.ts).
 */
import type { ConsumerInfo } from '@nats-io/jetstream';

/**
 * Whether the consumer may be in that state: no pull waiting (a consumer info drops the pulls nobody listens to) and
 * a message both pending and ack-pending after a redelivery. A consumer that is pulled is taken at its word.
 */
export function rewoundOntoRedelivery(c: ConsumerInfo): boolean {
  return c.num_waiting === 0 && c.num_redelivered > 0 && c.num_ack_pending > 0 && c.num_pending > 0;
}
