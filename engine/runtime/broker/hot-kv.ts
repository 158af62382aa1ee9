/**
 * The KV calls every delivered event makes (the ledger read, the parking marker read, the ledger create), with what
 * depends only on the bucket done once. nats.js's `Bucket` redoes it on every call: the key's encoding (split, a
 * codec call per token, join) and validation, the stream name's validation, the subjects, a new headers object for
 * the create's expectation, a copy of the publish options and a retry backoff (issue #16; docs/runtime.md, "Broker
 * messages per event").
 *
 * The wire form and the decoding are nats.js's own (`@nats-io/kv` 3.4.0 `Bucket.get` and `Bucket.create`): a read is
 * the subject-appended direct get `<api prefix>.DIRECT.GET.<stream>.<key's subject>` with no payload, its reply
 * decoded by nats.js's `DirectMsgImpl` and `smToEntry`, a `404` status read as no entry; a create publishes to the
 * key's subject with `Nats-Expected-Last-Subject-Sequence: 0` and reads the PubAck's sequence. Requests go through
 * the bucket's own connection (the engine's reply inbox, reply-inbox.ts). A create that is refused for any reason
 * (the key exists, or was deleted or purged and its marker must be written over, or the stream answers an error) is
 * handed to nats.js's `create()`, which sends it again and answers or fails exactly as it would have: the expected
 * sequence keeps a second publish from ever writing twice. Buckets this cannot serve as nats.js would (not the stock
 * `Bucket`, no direct gets, a key or value codec) use nats.js's calls.
 */
import { DirectMsgImpl, JetStreamStatus } from '@nats-io/jetstream/internal';
import type { BaseApiClientImpl } from '@nats-io/jetstream/internal';
import { Bucket } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';
import { errors, headers } from '@nats-io/transport-node';
import type { Msg, MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import { subjectSafe } from './built-subject-publish.js';
import { isNotFoundReply } from './not-found-reply.js';
import { plainPubAck } from './pub-ack.js';
import { replyInboxOf } from './reply-inbox.js';
import type { ReplyInbox } from './reply-inbox.js';

export interface HotKv {
  /** As `kv.get(key)`. */
  get(key: string): Promise<KvEntry | null>;
  /** As `kv.create(key, value)`: the new entry's revision; fails when the key holds a value. */
  create(key: string, value: string): Promise<number>;
}

/** The per-event calls on `kv`: done once per bucket where nats.js's semantics allow, else nats.js's calls. */
export function hotKv(kv: KV): HotKv {
  if (!(kv instanceof Bucket) || !kv.direct || !plainCodecs(kv))
    return { get: (k) => kv.get(k), create: (k, v) => kv.create(k, v) };
  return new PrefixedKv(kv);
}

/** A key nats.js accepts (its `validateKey`): the same check, the same error. */
const VALID_KEY = /^[-/=.\w]+$/;

class PrefixedKv implements HotKv {
  readonly #kv: Bucket;
  readonly #nc: NatsConnection;
  readonly #timeout: number;
  /** The direct get subject up to the key. */
  readonly #readPrefix: string;
  /** The key's subject for writes, up to the key. */
  readonly #writePrefix: string;
  readonly #mustBeNew: MsgHdrs = headers();
  /**
   * The connection's reply inbox, when the prefixes hold no whitespace: a subject is then a prefix and a key
   * `validateKey` accepted, and the inbox's publish does not scan it again (built-subject-publish.ts).
   */
  readonly #inbox: ReplyInbox | undefined;

  constructor(kv: Bucket) {
    this.#kv = kv;
    // The client the bucket was built on: its connection and timeout are what nats.js's calls would use.
    const client = kv.js as unknown as BaseApiClientImpl;
    this.#nc = client.nc;
    this.#timeout = client.timeout;
    this.#readPrefix = `${kv.js.apiPrefix}.DIRECT.GET.${kv.bucketName()}.${withoutKey(kv.subjectForKey('_'))}`;
    this.#writePrefix = withoutKey(kv.subjectForKey('_', true));
    this.#mustBeNew.set('Nats-Expected-Last-Subject-Sequence', '0');
    const inbox = replyInboxOf(this.#nc);
    this.#inbox = inbox && subjectSafe(this.#readPrefix) && subjectSafe(this.#writePrefix) ? inbox : undefined;
  }

  /** A request on `prefix + key`, `key` validated. */
  #request(subject: string, payload: Uint8Array | undefined, opts: { timeout: number; headers?: MsgHdrs }) {
    return this.#inbox ? this.#inbox.request(subject, payload, opts, true) : this.#nc.request(subject, payload, opts);
  }

  async get(key: string): Promise<KvEntry | null> {
    validateKey(key);
    const reply = await this.#request(this.#readPrefix + key, undefined, { timeout: this.#timeout });
    if (isNotFoundReply(reply)) return null;
    if (reply.headers?.code !== 0) {
      const status = new JetStreamStatus(reply);
      if (status.isMessageNotFound()) return null;
      throw status.toError();
    }
    const entry = this.#kv.smToEntry(new DirectMsgImpl(reply));
    return entry.key === key ? entry : null;
  }

  async create(key: string, value: string): Promise<number> {
    validateKey(key);
    let ack: Msg;
    try {
      // The UTF-8 nats.js would send for the string, from Node's buffer pool: its TextEncoder gives every value an
      // ArrayBuffer of its own, one more for each young-generation collection to sweep.
      ack = await this.#request(this.#writePrefix + key, Buffer.from(value), {
        timeout: this.#timeout,
        headers: this.#mustBeNew,
      });
    } catch (error) {
      // No JetStream to answer: nats.js's create fails with its own error for that (a timeout stays a timeout).
      if (error instanceof errors.RequestError && error.isNoResponders()) return this.#kv.create(key, value);
      throw error;
    }
    return storedSeq(ack) ?? this.#kv.create(key, value);
  }
}

/** The sequence of a PubAck that stored the message; undefined for an error or anything else. */
function storedSeq(ack: Msg): number | undefined {
  if (ack.headers !== undefined) return undefined; // a status, not a PubAck
  // The server's own form, read from its bytes (pub-ack.ts): no TextDecoder and JSON.parse per ledger entry.
  const plain = plainPubAck(ack.data);
  if (plain) return plain.stream ? plain.seq : undefined;
  try {
    const parsed = ack.json<{ stream?: unknown; seq?: unknown; error?: unknown }>();
    return parsed.error === undefined && parsed.stream && typeof parsed.seq === 'number' ? parsed.seq : undefined;
  } catch {
    return undefined;
  }
}

function validateKey(key: string): void {
  if (key.startsWith('.') || key.endsWith('.') || !VALID_KEY.test(key)) throw new Error(`invalid key: ${key}`);
}

/** `subjectForKey('_')` minus the `_`. */
function withoutKey(subject: string): string {
  return subject.slice(0, -1);
}

/** nats.js's default codecs (identity): keys and values go on the wire as given. */
function plainCodecs(kv: Bucket): boolean {
  const bytes = new Uint8Array([1]);
  return kv.codec.key.encode('a.b') === 'a.b' && kv.codec.value.encode(bytes) === bytes;
}
