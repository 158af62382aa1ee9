/**
 * Stores an event in JetStream: the single write path of webhook ingest, NATS subject sources, schedule polling and
 * DLQ replay. The subject carries the key's partition; `Nats-Msg-Id` carries the dedup id, so the broker drops a
 * retried delivery of the same event inside its dedup window.
 */
import { JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { InvalidArgumentError, MsgHdrsImpl } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import { stableHash, stableStringify } from '../../execute/stable-hash.js';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { HEADER, eventSubject, partitionOf } from '../broker/subjects.js';
import { OVER_MAX_PAYLOAD, maxPayloadOf, publishForAck } from '../broker/jetstream-publish.js';
import { DEAD_LETTER_RESERVE } from '../stores/dead-letter-room.js';
import { storedSize } from './stream-room.js';
import type { StreamRoom } from './stream-room.js';

/** What identifies an event: its record key (ordering) and its unique id (dedup, ledger, idempotency keys). */
export interface EventIdentity {
  key: string;
  eventId: string;
}

/** The event cannot be identified (the key expression gave nothing or failed): a 400 at ingest. */
export class EventIdentityError extends Error {
  override name = 'EventIdentityError';
}

/** Evaluates the integration's `key` and `dedup_id` (default: a hash of the body) for one event. */
export async function identifyEvent(
  integration: CompiledIntegration,
  event: unknown,
  guards?: TransformGuards,
): Promise<EventIdentity> {
  return identifyEventNow(integration, event, guards);
}

/**
 * As identifyEvent, without a promise when both expressions give their value at once, as the junction engine's do
 * (the reference engine's give promises): webhook ingest runs it for every event, and two async layers per expression
 * were about 1 KB of allocation per event. Fails as identifyEvent does, by throwing or with a rejected promise.
 * `whole` gives the whole event when `event` holds only the fields the expressions read (webhook ingest, see
 * identity-fields.ts): an event whose dedup id gives no value is identified by the hash of the whole.
 */
export function identifyEventNow(
  integration: CompiledIntegration,
  event: unknown,
  guards?: TransformGuards,
  whole?: () => unknown,
): EventIdentity | Promise<EventIdentity> {
  return afterValue(evaluateIdentity('key', integration.key, event, guards), (value) => {
    const key = value === undefined || value === null || typeof value === 'object' ? '' : headerForm(value);
    if (key === '')
      throw new EventIdentityError(
        `the key expression \`${integration.key.source}\` gave no scalar value for this event`,
      );
    const unfitKey = unfitForHeader(key);
    if (unfitKey) throw unfit('key', integration.key.source, key, unfitKey);
    const dedup = integration.dedupId ? evaluateIdentity('dedup_id', integration.dedupId, event, guards) : undefined;
    return afterValue(dedup, (given) => {
      const id = given === undefined || given === null ? '' : headerForm(given);
      // A longer id goes into the headers as its hash.
      const unfitId = id.length <= 200 ? unfitForHeader(id) : undefined;
      if (unfitId) throw unfit('dedup_id', integration.dedupId!.source, id, unfitId);
      const eventId = id === '' ? stableHash(whole ? whole() : event) : id;
      return { key, eventId: eventId.length > 200 ? stableHash(eventId) : eventId };
    });
  });
}

/**
 * The record key `integration`'s key expression gives `event`, as ingest would store it; undefined when it gives no
 * usable value or fails (a key change's drain asks what key an event would have had under the previous spec).
 */
export async function recordKeyOf(
  integration: Pick<CompiledIntegration, 'key'>,
  event: unknown,
  guards?: TransformGuards,
): Promise<string | undefined> {
  try {
    const value = await evaluateIdentity('key', integration.key, event, guards);
    if (value === undefined || value === null || typeof value === 'object') return undefined;
    const key = headerForm(value);
    return key === '' || unfitForHeader(key) ? undefined : key;
  } catch {
    return undefined;
  }
}

/** `next(value)`: at once for a plain value, once settled for a thenable (which `await` would adopt the same way). */
function afterValue<R>(value: unknown, next: (value: unknown) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function unfit(what: string, source: string, value: string, why: string): EventIdentityError {
  return new EventIdentityError(
    `the ${what} expression \`${source}\` gave a value with ${why}, which an event's headers cannot carry: ` +
      JSON.stringify(value.slice(0, 100)),
  );
}

/** What an event header refuses (nats.js `MsgHdrsImpl.validHeaderValue`, pinned 3.4.0). */
const LINE_BREAK = /[\r\n]/;

/**
 * Half of a surrogate pair without its other half. Headers go out as UTF-8, which has no such thing: the encoder
 * writes U+FFFD instead, so the broker would dedup 'r\ud800' and 'r\udc00' as one id and the worker would read a key
 * other than the one ingest partitioned by.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JetStream stores a message's headers in at most 65,535 bytes (their length is kept in 16 bits) and refuses a publish
 * with more (nats-server `processJetStreamMsg`, JSStreamHeaderExceedsMaximumErr 10097). The key goes into the headers
 * whole: it may take half of them, the rest is for the event's other headers (an id longer than 200 characters is
 * hashed).
 */
const MAX_KEY_BYTES = 32 * 1024;

/** Why the headers cannot carry this key or id as it is, or undefined when they can. */
function unfitForHeader(value: string): string | undefined {
  if (LINE_BREAK.test(value)) return 'a line break (CR or LF)';
  if (LONE_SURROGATE.test(value)) return 'a lone surrogate (not valid Unicode)';
  // UTF-8 takes at most 3 bytes per UTF-16 unit: only a long string needs counting.
  if (value.length > MAX_KEY_BYTES / 3 && Buffer.byteLength(value) > MAX_KEY_BYTES)
    return `more than ${MAX_KEY_BYTES} bytes (${Buffer.byteLength(value)})`;
  return undefined;
}

/**
 * A key or event id as the event's headers carry it, and so as the worker reads it: nats.js trims every header value
 * (`validHeaderValue`), so untrimmed, the partition and the broker's dedup id would be another value's than the
 * ledger, the parking and the dead letter the worker keys by the header's.
 */
function headerForm(value: unknown): string {
  return String(value).trim();
}

/** The expression's value, or a promise of it; an evaluation that fails throws (or rejects) EventIdentityError. */
function evaluateIdentity(
  what: string,
  expr: CompiledIntegration['key'],
  event: unknown,
  guards: TransformGuards | undefined,
): unknown {
  let value: unknown;
  try {
    value = expr.evaluate(event, { event }, guards);
  } catch (error) {
    throw identityFailure(what, error);
  }
  return isThenable(value)
    ? Promise.resolve(value).then(undefined, (error: unknown) => {
        throw identityFailure(what, error);
      })
    : value;
}

function identityFailure(what: string, error: unknown): EventIdentityError {
  return new EventIdentityError(`${what} expression failed: ${(error as Error).message}`);
}

/**
 * A parsed event as stream bytes (sources that do not receive the event's own bytes, like schedule polling). An event
 * too deep for JSON.stringify is written iteratively, keys sorted, so it still reaches the stream and the DLQ.
 */
export function eventData(event: unknown): Buffer {
  try {
    return Buffer.from(JSON.stringify(event));
  } catch (error) {
    if (error instanceof RangeError) return Buffer.from(stableStringify(event));
    throw error;
  }
}

export interface PublishRequest {
  integration: string;
  identity: EventIdentity;
  /** The event as JSON bytes. */
  data: Uint8Array;
  commit: string;
  /** Overrides the broker dedup id (replays use a fresh one). @default `<integration>:<eventId>` */
  msgId?: string;
  /** Dead-letter entry this publish replays. */
  replayOf?: string;
  /** Bypass echo suppression for this event (reconcile fixes). */
  force?: boolean;
}

export interface PublishResult {
  subject: string;
  /** Where the broker stored the event (or the earlier one this duplicates): its stream and sequence. */
  stream: string;
  seq: number;
  /** The broker had already stored this msg id inside its dedup window. */
  duplicate: boolean;
}

/** The events stream is at its `max_bytes` and refuses new events (discard `new`): nothing was stored. */
export class EventsStreamFullError extends Error {
  override name = 'EventsStreamFullError';
  constructor(cause: Error) {
    super(
      `the events stream is full (${cause.message}): it keeps every event not yet delivered and refuses new ones ` +
        'until deliveries make room; resume paused integrations, fix failing targets, or raise --events-max-bytes',
      { cause },
    );
  }
}

/** nats-server's store error for a stream at its byte or message limit with discard `new` (server/store.go). */
const STREAM_LIMIT = /maximum (bytes|messages) exceeded/i;

/**
 * The event with its headers is more than the NATS server takes as one message (its `max_payload`, 1 MiB by default),
 * less the room its dead-letter entry would need (DEAD_LETTER_RESERVE): nothing was stored, and no retry of the same
 * event can be. A webhook sender gets 413, not 503 (which it would retry for ever).
 */
export class EventTooLargeError extends Error {
  override name = 'EventTooLargeError';
  constructor(
    message: string,
    /** The event's size as a message, with its headers. */
    readonly bytes: number,
    /** The server's max_payload, when the connection has its INFO. */
    readonly maxPayload: number | undefined,
  ) {
    super(message);
  }
}

/** The headers of a message stay under 64 KiB (see MAX_KEY_BYTES): a body further than that from the limit fits. */
const MAX_HEADER_BYTES = 65_536;

/**
 * Whether the event with its headers leaves room for its dead letter: at most max_payload less DEAD_LETTER_RESERVE (an
 * event that leaves none could never be dead-lettered, and would be redelivered for ever, holding its partition).
 * Encodes the headers only for a body near the limit.
 */
function leavesRoom(data: Uint8Array, headers: MsgHdrs, max: number | undefined): boolean {
  const limit = max === undefined ? Infinity : max - DEAD_LETTER_RESERVE;
  return data.length <= limit - MAX_HEADER_BYTES || data.length + encodedSize(headers) <= limit;
}

function encodedSize(headers: MsgHdrs): number {
  return (headers as MsgHdrsImpl).encode().length;
}

function tooLarge(js: JetStreamClient, headers: MsgHdrs, data: Uint8Array, key: string): EventTooLargeError {
  const headerBytes = encodedSize(headers);
  const keyBytes = Buffer.byteLength(key);
  const max = maxPayloadOf(js);
  const bytes = data.length + headerBytes;
  const limit =
    max === undefined
      ? "the NATS server's max_payload"
      : `the ${max - DEAD_LETTER_RESERVE} bytes an event may take (the NATS server's max_payload of ${max} bytes, ` +
        `less ${DEAD_LETTER_RESERVE} kept for its dead-letter entry)`;
  return new EventTooLargeError(
    `the event is ${bytes} bytes as a message (body ${data.length}, key ${keyBytes}, other headers ` +
      `${headerBytes - keyBytes}), over ${limit}: send a smaller body or a shorter key, or raise max_payload on ` +
      `the NATS server to at least ${bytes + DEAD_LETTER_RESERVE}`,
    bytes,
    max,
  );
}

export class EventPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly partitions: () => number,
    private readonly timeoutMs: number,
    /** Told each time the stream refuses an event for being full (the engine counts it in a metric). */
    private readonly onStreamFull: (integration: string) => void = () => undefined,
    /** The stream's room as this process counts it, on servers that would trim stored events at the limit. */
    private readonly room?: StreamRoom,
  ) {}

  /** Resolves only after the PubAck: the event is durably stored (or was a duplicate of a stored one). */
  async publish(request: PublishRequest): Promise<PublishResult> {
    const subject = eventSubject(request.integration, partitionOf(request.identity.key, this.partitions()));
    const eventId = request.identity.eventId;
    const ownMsgId = `${request.integration}:${eventId}`;
    const msgID = request.msgId ?? ownMsgId;
    const fields: [string, string][] = [];
    // The worker reads the id from `Nats-Msg-Id` when that is `<integration>:<event id>` (`eventIdOf`), so it is not
    // stored and delivered twice; a replay's own msg id, or an id with blanks at its ends (a header trims), keeps it.
    if (msgID !== ownMsgId || eventId.trim() !== eventId || eventId === '') fields.push([HEADER.eventId, eventId]);
    fields.push([HEADER.key, request.identity.key], [HEADER.commit, request.commit]);
    if (request.replayOf) fields.push([HEADER.replayOf, request.replayOf]);
    if (request.force) fields.push([HEADER.force, '1']);
    // Last, as nats.js's publish would set it from its `msgID` option (and not at all when empty).
    if (msgID) fields.push([HEADER.msgId, msgID]);
    const h = eventHeaders(fields);
    if (!leavesRoom(request.data, h, maxPayloadOf(this.js)))
      throw tooLarge(this.js, h, request.data, request.identity.key);
    const size = this.room ? storedSize(subject, h.encode().length, request.data) : 0;
    if (this.room && !this.room.take(size)) {
      this.onStreamFull(request.integration);
      throw new EventsStreamFullError(new Error('maximum bytes exceeded, counted by this engine'));
    }
    // A publish that timed out may have been stored: counted, so the room errs on the safe side until a refresh.
    let stored = true;
    try {
      // With nats.js's `retries: 2`: during a broker restart "no responders" is transient; the caller answers 503 if
      // it persists. Awaited in a try, not through `.catch()`: one promise less per event.
      let ack: PubAck;
      try {
        ack = await publishForAck(this.js, subject, request.data, h, this.timeoutMs);
      } catch (error) {
        if (error instanceof InvalidArgumentError && OVER_MAX_PAYLOAD.test(error.message)) {
          stored = false;
          throw tooLarge(this.js, h, request.data, request.identity.key);
        }
        if (!(error instanceof JetStreamApiError && STREAM_LIMIT.test(error.message))) throw error;
        stored = false;
        this.onStreamFull(request.integration);
        throw new EventsStreamFullError(error);
      }
      stored = !ack.duplicate;
      return { subject, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
    } finally {
      this.room?.settle(size, stored);
    }
  }
}

/**
 * The headers as `headers()`, `set(name, value)` for each field and JetStream's publish with `msgID` build them in
 * nats.js 3.4.0 (`@nats-io/nats-core` `lib/headers.js`, `@nats-io/jetstream` `buildPublishHeaders`): in this order,
 * each value trimmed, a value with CR or LF refused with nats.js's own error. Each `set` would also search the names
 * twice and check the name's characters; these names are ours, fixed and valid. About 1 µs per event less
 * (docs/performance.md, "The ingest cuts").
 */
function eventHeaders(fields: [string, string][]): EventHeaders {
  const h = new EventHeaders();
  for (const [name, value] of fields)
    // `validHeaderValue` makes a new RegExp on every call: it runs only to throw its error for a refused value.
    h.headers.set(name, [LINE_BREAK.test(value) ? MsgHdrsImpl.validHeaderValue(value) : value.trim()]);
  return h;
}

/**
 * nats.js's header map, whose `encode` (called by the connection's publish) gives the same UTF-8 bytes through
 * `Buffer.from` instead of a `TextEncoder`: a slice of Node's buffer pool rather than a new ArrayBuffer outside V8's
 * heap per event. 0.56 -> 0.18 µs for the event's header block (docs/performance.md, "Ingest CPU cuts, session 11").
 * The bytes are kept until the headers change (`set` is a `delete` and an `append` in nats.js): the stream's room
 * counts the block's size from them, and the publish sends them (docs/performance.md, "Ingest CPU cuts, session 13").
 */
class EventHeaders extends MsgHdrsImpl {
  #encoded: Buffer | undefined;

  override encode(): Uint8Array {
    return (this.#encoded ??= Buffer.from(this.toString()));
  }

  override append(...args: Parameters<MsgHdrsImpl['append']>): void {
    this.#encoded = undefined;
    super.append(...args);
  }

  override delete(...args: Parameters<MsgHdrsImpl['delete']>): void {
    this.#encoded = undefined;
    super.delete(...args);
  }
}
