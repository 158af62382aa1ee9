/**
 * One attempt's view of an event, whichever way it came: straight from its partition consumer, or from the parking
 * of its key (key-parking.ts). The worker reads the event only through this, so both paths run the same code.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { headerValues } from '../broker/header-values.js';
import { HEADER, eventIdOf } from '../broker/subjects.js';

export interface EventDelivery {
  integration: string;
  /** `junction.events.<integration>.<partition>`: where ingest stored the event (DLQ entries keep it). */
  subject: string;
  /** `<integration>:<event id>`, or `<integration>:seq-<stream seq>` for an event without one. */
  eventId: string;
  /** The record key (per-key order). */
  key: string;
  /** The dead letter this event replays. */
  replayOf?: string;
  /** Written even when it looks like an echo (`junction reconcile --fix`). */
  force?: boolean;
  /** 1-based: this attempt's number, crash redeliveries and waits for a cross-reference included. */
  attempt: number;
  /** When the stream stored the event (latency is measured from here). */
  storedAtMs: number;
  data: Uint8Array;
}

/** The headers every delivery reads, in the order `headerValues` answers them. */
const EVENT_HEADERS = [HEADER.eventId, HEADER.key, HEADER.replayOf, HEADER.force, HEADER.msgId] as const;

/** The delivery of a message of a partition consumer. */
export function partitionDelivery(msg: JsMsg, integration: string): EventDelivery {
  const [eventId, key, replayOf, force, msgId] =
    headerValues(msg, EVENT_HEADERS) ?? EVENT_HEADERS.map((name) => msg.headers?.get(name) ?? '');
  return {
    integration,
    subject: msg.subject,
    eventId: eventIdOf(integration, eventId!, msgId!, msg.seq),
    key: key!,
    replayOf: replayOf || undefined,
    ...(force === '1' ? { force: true } : {}),
    attempt: msg.info.deliveryCount,
    storedAtMs: Number(msg.info.timestampNanos) / 1e6,
    data: msg.data,
  };
}

const decoder = new TextDecoder();

export function deliveryText(d: EventDelivery): string {
  return decoder.decode(d.data);
}
