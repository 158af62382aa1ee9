/**
 * `nc.publish` for the engine's per-event messages, without nats.js's scan of each subject for whitespace when the
 * engine built the subject from parts it checked once. nats-core 3.4.0's `publish` (`lib/nats.js`, `_check`) tests
 * the subject and the reply subject against `/[ \n\r\t]/` on every call: about eight scans of 60-110 characters per
 * delivered event (the ledger and parking reads, the ledger create, their reply subjects, the trace record), 1.3 % of
 * the engine's busy samples on the engine bench (docs/performance.md, "Delivery CPU cuts, session 13"). A subject that
 * is only partly known is still scanned, by the same pattern, with the same error.
 *
 * Everything else is nats.js's: a closed connection throws `ClosedConnectionError` and a draining one
 * `DrainingConnectionError` before anything is queued, and the message goes through the client's own `publish`
 * (payload, headers, size limit, framing). A connection that is not nats-core's (no `protocol`) takes `nc.publish`.
 */
import { errors } from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection, Payload } from '@nats-io/transport-node';

/** nats-core's subject check (`whitespaceRegex` in `lib/nats.js`). */
const WHITESPACE = /[ \n\r\t]/;

/** The options the engine's messages use (not nats.js's message tracing, which its `publish` adds headers for). */
interface BuiltPublishOptions {
  reply?: string;
  headers?: MsgHdrs;
}

/** What this uses of nats-core 3.4.0's `NatsConnectionImpl`. */
interface ClientInternals {
  isClosed(): boolean;
  protocol?: {
    noMorePublishing: boolean;
    publish(subject: string, payload: Payload | undefined, options?: BuiltPublishOptions): void;
  };
}

/** Whether `part` can be put in a subject that is not scanned again: it is non-empty and holds no whitespace. */
export function subjectSafe(part: string): boolean {
  return part.length > 0 && !WHITESPACE.test(part);
}

/**
 * As `nc.publish(subject, payload, options)`. `subject` and `options.reply` (when given) must be built from parts
 * `subjectSafe` accepted (or that hold only characters a KV key or base64url allows); `scan: 'subject'` scans the
 * subject as nats.js does and trusts only the reply.
 */
export function publishBuilt(
  nc: NatsConnection,
  subject: string,
  payload: Payload | undefined,
  options?: BuiltPublishOptions,
  scan: 'none' | 'subject' = 'none',
): void {
  const client = nc as unknown as ClientInternals;
  const protocol = client.protocol;
  if (!protocol) return nc.publish(subject, payload, options);
  if (client.isClosed()) throw new errors.ClosedConnectionError();
  if (protocol.noMorePublishing) throw new errors.DrainingConnectionError();
  if (scan === 'subject' && !subjectSafe(subject)) throw new errors.InvalidSubjectError(subject);
  protocol.publish(subject, payload, options);
}
