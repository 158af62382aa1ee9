/**
 * Stores one polled or streamed record as an event. A record over the NATS server's max_payload, less the room its
 * dead letter would need (a KV value has the same limit), is not taken: its source stops at it, losing nothing (its
 * position does not move), until max_payload is raised. The error names the record, its size and what to raise.
 */
import { FieldRedaction } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import { EventTooLargeError } from '../ingest/event-publisher.js';
import { DEAD_LETTER_RESERVE } from '../stores/dead-letter-room.js';
import type { EventPublisher, PublishRequest, PublishResult } from '../ingest/event-publisher.js';

export async function storeRecord(
  publisher: EventPublisher,
  request: PublishRequest,
  /** The record as the vendor sent it: a key taken from a `redact` path is masked in the error. */
  record: unknown,
  redact: readonly FieldPath[],
): Promise<PublishResult> {
  try {
    return await publisher.publish(request);
  } catch (error) {
    if (!(error instanceof EventTooLargeError)) throw error;
    const key = new FieldRedaction(redact, [record]).text(JSON.stringify(request.identity.key));
    const max = error.maxPayload === undefined ? '' : ` of ${error.maxPayload} bytes`;
    throw new Error(
      `record ${key} of ${request.integration} is ${error.bytes} bytes as an event, over the NATS server's ` +
        `max_payload${max} less ${DEAD_LETTER_RESERVE} kept for its dead-letter entry: the source stops at it (its ` +
        'position stays, nothing is lost) until it fits; raise max_payload in nats-server.conf to at least ' +
        `${error.bytes + DEAD_LETTER_RESERVE} and restart nats-server`,
      { cause: error },
    );
  }
}
