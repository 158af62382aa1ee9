/**
 * A consumer waiting for the ack of an event that no longer exists. nats-server before PR #7984 (2026-03; Debian
 * ships 2.9.10) can come back from a crash (kill -9, power loss) with a consumer state older than its stream: the
 * event was acked and removed from the work-queue stream, but the consumer's rewound state still lists it as
 * ack-pending. The broker never redelivers a message that is gone, so with max_ack_pending 1 the partition waits for
 * ever. It shows in the consumer's info: events are ack-pending, yet no message of its subject exists between its
 * ack floor and the last one it delivered. A consumer nats-server 2.9.10 stepped back onto a redelivery
 * (rewound-onto-redelivery.ts) shows the same figures while the message it waits for is stored one above the last it
 * delivered: that message is real work, not a phantom.
 */
import type { JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import { rewoundOntoRedelivery } from './rewound-onto-redelivery.js';
import { EVENTS_STREAM } from './subjects.js';

/** Where a consumer stands: stream sequences of its ack floor and of the last event it delivered. */
interface PendingRange {
  ackFloor: number;
  delivered: number;
}

/**
 * Whether a stored message can be what a consumer really waits for. A consumer that acks out of order (the retry
 * consumer, many tickets in flight) can have messages above its ack floor that it acked but the stream still stores:
 * a crash can lose the stream's removal of an acked message as it can lose the consumer's ack. Such a leftover is no
 * real work, and must not hide a phantom.
 */
export type LiveMessage = (msg: StoredMsg) => Promise<boolean>;

/** Messages looked at per check at most: a consumer with more stored above its floor counts as working. */
const MAX_STORED_CHECKED = 5_000;

/**
 * The consumer's pending range when every event it waits for is gone from the stream (a phantom); undefined when it
 * waits for nothing, or for at least one event that still exists (real work in progress). With `live`, only the
 * stored messages it accepts count as real work (default: every stored message of the subject).
 */
export async function phantomPending(
  jsm: JetStreamManager,
  consumer: string,
  subject: string,
  live?: LiveMessage,
): Promise<PendingRange | undefined> {
  const info = await jsm.consumers.info(EVENTS_STREAM, consumer);
  if (info.num_ack_pending === 0) return undefined;
  const range = { ackFloor: info.ack_floor.stream_seq, delivered: info.delivered.stream_seq };
  // The message a 2.9.10 consumer stepped back onto is ack-pending although above the last one it delivered.
  const lastWaitedFor = rewoundOntoRedelivery(info) ? range.delivered + 1 : range.delivered;
  let seq = range.ackFloor + 1;
  for (let checked = 0; checked < MAX_STORED_CHECKED; checked++) {
    // The first message of the subject from `seq` on (null: none). STREAM.MSG.GET takes `next_by_subj` since
    // nats-server 2.9; the client types it for direct gets only.
    const query = { next_by_subj: subject, seq } as unknown as MsgRequest;
    const next = await jsm.streams.getMessage(EVENTS_STREAM, query);
    if (!next || next.seq > lastWaitedFor) return range;
    if (!live || (await live(next))) return undefined;
    seq = next.seq + 1;
  }
  return undefined;
}
