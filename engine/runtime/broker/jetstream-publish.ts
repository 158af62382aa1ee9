/**
 * A JetStream publish that resolves with its PubAck, as `js.publish(subject, data, { headers, timeout, retries: 2 })`
 * does in `@nats-io/jetstream` 3.4.0 (pinned in package.json), with less around the first attempt. That call runs two
 * async layers, copies its options, looks for a dozen `Nats-*` options in them (`buildPublishHeaders`) and makes a
 * backoff object before its request: about 1.5 µs per event at ingest (docs/performance.md, "The ingest cuts").
 *
 * What stays nats.js's own: the request (the client's connection, so the engine's reply inbox), the parse of any
 * reply but the usual PubAck (pub-ack.ts) and its errors (the client's `parseJsResponse`: `JetStreamApiError` and the
 * rest), and everything after a first attempt that timed out or met no responders: nats.js waits its first backoff
 * step and makes the second and last attempt, as `retries: 2` does, with its own error if that fails too (`_publish`
 * in `lib/jsclient.js`).
 */
import { JetStreamError } from '@nats-io/jetstream';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { backoff, delay, errors } from '@nats-io/transport-node';
import type { Msg, MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { plainPubAck } from './pub-ack.js';

/** `JetStreamClientImpl`'s connection and PubAck parse (public members of the class in 3.4.0). */
interface ClientInternals {
  nc?: NatsConnection;
  parseJsResponse?: (msg: Msg) => unknown;
}

/**
 * nats.js's refusal of a message over the server's `max_payload`, thrown by `publish` before anything is written
 * (`@nats-io/nats-core` 3.4.0 `lib/protocol.js`, `publish`: `InvalidArgumentError.format("payload", "max_payload size
 * exceeded")`). Checked there once the client has the server's INFO; the server itself would close the connection.
 */
export const OVER_MAX_PAYLOAD = /max_payload size exceeded/;

/** The most bytes (headers and data) the client's server takes as one message, once the client has its INFO. */
export function maxPayloadOf(js: JetStreamClient): number | undefined {
  return (js as unknown as ClientInternals).nc?.info?.max_payload;
}

export function publishForAck(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  headers: MsgHdrs,
  timeout: number,
): Promise<PubAck> {
  const { nc, parseJsResponse } = js as unknown as ClientInternals;
  // A client without them (another implementation) publishes its own way, as does no timeout (the client's default).
  if (typeof nc?.request !== 'function' || typeof parseJsResponse !== 'function' || !timeout)
    return js.publish(subject, data, { headers, timeout, retries: 2 });
  return nc.request(subject, data, { timeout, headers }).then(
    (msg) => {
      // The usual PubAck is read from its bytes (pub-ack.ts); any other reply is nats.js's to parse, errors and all.
      const ack = (plainPubAck(msg.data) ?? parseJsResponse.call(js, msg)) as PubAck;
      if (ack.stream === '') throw new JetStreamError('invalid ack response');
      ack.duplicate = ack.duplicate ? ack.duplicate : false;
      return ack;
    },
    async (error: unknown) => {
      const retried =
        error instanceof errors.TimeoutError || (error instanceof errors.RequestError && error.isNoResponders());
      if (!retried) throw error;
      await delay(backoff().backoff(0));
      return js.publish(subject, data, { headers, timeout, retries: 1 });
    },
  );
}
