/**
 * Request/reply for the per-event broker calls (the event publish at ingest, the delivery ledger's and parking's KV
 * reads and writes), on one wildcard reply subscription of the engine's own.
 *
 * Why not `nc.request()`: in `@nats-io/nats-core` 3.4.0 (`lib/request.js`), every completed request runs
 * `RequestOne.resolver`, which resolves the promise and then calls `cancel()`, which rejects the settled promise with
 * a new `RequestError("cancelled")`: an `Error` with its stack captured on every request, even with
 * `noAsyncTraces`, plus a `Promise.race` against a timer promise. It was about 4 % of the engine's CPU in the engine
 * bench (docs/performance.md, "CPU per event"). Here a request is one entry in a map, one timer and one publish.
 *
 * Everything else stays nats.js's own: `withReplyInbox(nc)` gives a view of the connection whose `request()` is this
 * one, and a JetStream client or KV bucket built on that view keeps its publish-ack parsing, `Nats-Expected-*`
 * headers, retries, direct-get decoding and KV semantics unchanged. Replies are what nats.js resolves and rejects
 * with: the message; `TimeoutError` after `timeout` ms; a `RequestError` caused by `NoRespondersError` for the
 * server's 503 "no responders" status (nats-core `lib/muxsubscription.js`, `dispatcher`); `RequestError("connection
 * closed")` when the connection closes; the server's `PermissionViolationError` for a request subject this
 * connection may not publish to (nats-core `lib/protocol.js`, `processError`, also sends it to `status()`), at once,
 * to the requests on that subject. A request made while the connection is down is published once it is back, as
 * `nc.request()` is on the engine's connections (requests-wait-for-reconnect.ts).
 */
import { createInbox, errors } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Payload, RequestOptions } from '@nats-io/transport-node';
import { publishBuilt, subjectSafe } from './built-subject-publish.js';
import { isNotFoundReply } from './not-found-reply.js';
import { untilReconnected } from './requests-wait-for-reconnect.js';

interface Pending {
  subject: string;
  resolve: (msg: Msg) => void;
  reject: (error: Error) => void;
  /** The queue of its timeout. */
  deadlines: DeadlineQueue;
}

/**
 * The requests of one timeout, oldest first, by token. Their deadlines come in the same order, so one timer, armed
 * for the oldest request still open, serves them all: a Node timer per request (an object, a timer-list insertion and
 * a removal, four requests per event) cost 0.2-0.45 % of the engine's busy samples (docs/performance.md, "Delivery CPU
 * cuts, session 12"). No request times out before its timeout; one may time out a millisecond or two after it. Only
 * tokens and numbers are queued: an answered request holds nothing here until the ones before it are over.
 */
class DeadlineQueue {
  readonly #tokens: string[] = [];
  /** `performance.now()` from which each request times out. */
  readonly #deadlines: number[] = [];
  #head = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    /** Whether the request is still open. */
    private readonly open: (token: string) => boolean,
    private readonly expire: (token: string) => void,
  ) {}

  add(token: string): void {
    this.#tokens.push(token);
    this.#deadlines.push(performance.now() + this.timeoutMs);
    this.#timer ??= setTimeout(this.#fire, this.timeoutMs);
  }

  /** Skips the requests over at the front (replies come mostly in order: the queue stays short). */
  dropSettled(): void {
    const tokens = this.#tokens;
    while (this.#head < tokens.length && !this.open(tokens[this.#head]!)) this.#head++;
    if (this.#head === tokens.length) {
      tokens.length = 0;
      this.#deadlines.length = 0;
      this.#head = 0;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    } else if (this.#head >= 1024 && this.#head * 2 >= tokens.length) {
      tokens.splice(0, this.#head);
      this.#deadlines.splice(0, this.#head);
      this.#head = 0;
    }
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    const now = performance.now();
    for (; this.#head < this.#tokens.length; this.#head++) {
      const token = this.#tokens[this.#head]!;
      if (!this.open(token)) continue;
      // Node's timers run on the event loop's clock, which can lag `performance.now()`: never before the deadline.
      if (this.#deadlines[this.#head]! > now) break;
      this.expire(token);
    }
    this.dropSettled();
    if (this.#head < this.#tokens.length) this.#timer = setTimeout(this.#fire, this.#deadlines[this.#head]! - now);
  };
}

export class ReplyInbox {
  readonly #nc: NatsConnection;
  /** `<inbox prefix>.<unique>.`; a request's reply subject is this plus its token. */
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  /** By timeout in ms. */
  readonly #deadlines = new Map<number, DeadlineQueue>();
  #next = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    // The connection's own inbox prefix (`inboxPrefix`), which its NATS permissions allow to subscribe to.
    const { inboxPrefix } = (nc as unknown as { options?: { inboxPrefix?: string } }).options ?? {};
    this.#prefix = `${createInbox(inboxPrefix)}.`;
    // Checked once here (nats.js's subscribe below checks it too): a reply subject is this and a base-36 token.
    if (!subjectSafe(this.#prefix)) throw new errors.InvalidSubjectError(this.#prefix);
    const sub = nc.subscribe(`${this.#prefix}*`, {
      callback: (error, msg) => (error ? this.#failAll(error) : this.#reply(msg)),
    });
    void sub.closed.then(() => this.#failAll(new errors.RequestError('connection closed')));
    void (async () => {
      for await (const s of nc.status())
        if (s.type === 'error' && s.error instanceof errors.PermissionViolationError && s.error.operation === 'publish')
          this.#failSubject(s.error.subject, s.error);
    })();
  }

  /** Requests in flight (tests). */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * As `nc.request(subject, payload, { timeout, headers })` (see the module comment for the replies). The reply
   * subject is the inbox's own and is not scanned for whitespace again; `subject` is, unless `subjectBuilt` says it
   * was built from parts checked before (built-subject-publish.ts).
   */
  request(
    subject: string,
    payload: Payload | undefined,
    opts?: Pick<RequestOptions, 'timeout' | 'headers'>,
    subjectBuilt = false,
  ): Promise<Msg> {
    const timeout = opts?.timeout || 1000;
    const token = (++this.#next).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const deadlines = this.#deadlinesOf(timeout);
      const pending = { subject, resolve, reject, deadlines };
      this.#pending.set(token, pending);
      deadlines.add(token);
      const send = () => {
        try {
          const options = { reply: this.#prefix + token, headers: opts?.headers };
          publishBuilt(this.#nc, subject, payload, options, subjectBuilt ? 'none' : 'subject');
        } catch (error) {
          this.#end(token, pending);
          reject(error as Error);
        }
      };
      // Published while down, it would be dropped at the next dial (requests-wait-for-reconnect.ts): sent once back,
      // unless timed out or failed by the close meanwhile.
      const back = untilReconnected(this.#nc);
      if (back) void back.then((reconnected) => reconnected && this.#pending.get(token) === pending && send());
      else send();
    });
  }

  #deadlinesOf(timeout: number): DeadlineQueue {
    let queue = this.#deadlines.get(timeout);
    if (!queue) {
      queue = new DeadlineQueue(timeout, this.#isOpen, this.#expire);
      this.#deadlines.set(timeout, queue);
    }
    return queue;
  }

  readonly #isOpen = (token: string): boolean => this.#pending.has(token);

  readonly #expire = (token: string): void => {
    const pending = this.#pending.get(token)!;
    this.#pending.delete(token);
    pending.reject(new errors.TimeoutError());
  };

  /** Over before its deadline: forgotten, and its queue's timer goes once nothing before it is open. */
  #end(token: string, pending: Pending): void {
    this.#pending.delete(token);
    pending.deadlines.dropSettled();
  }

  #reply(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const pending = this.#pending.get(token);
    if (!pending) return; // timed out already
    this.#end(token, pending);
    // The direct get's "not found", two replies of each new event, is not a 503: its headers need not be decoded.
    if (!isNotFoundReply(msg) && msg.data.length === 0 && msg.headers?.code === 503) {
      const cause = new errors.NoRespondersError(pending.subject);
      pending.reject(new errors.RequestError(cause.message, { cause }));
    } else pending.resolve(msg);
  }

  #failSubject(subject: string, error: Error): void {
    for (const [token, pending] of this.#pending)
      if (pending.subject === subject) {
        this.#end(token, pending);
        pending.reject(new errors.RequestError(error.message, { cause: error }));
      }
  }

  #failAll(error: Error): void {
    const failure =
      error instanceof errors.RequestError ? error : new errors.RequestError(error.message, { cause: error });
    for (const [token, pending] of this.#pending) {
      this.#end(token, pending);
      pending.reject(failure);
    }
  }
}

/**
 * The connection as JetStream clients and KV buckets see it, with `request()` going through `inbox`. A request with
 * its own reply subject or `noMux` keeps the stock path. Everything else is the connection itself (a proxy, so state
 * the client writes lands on the real connection).
 */
export function withReplyInbox(nc: NatsConnection, inbox = new ReplyInbox(nc)): NatsConnection {
  const request: NatsConnection['request'] = (subject, payload, opts) =>
    opts?.reply || opts?.noMux ? nc.request(subject, payload, opts) : inbox.request(subject, payload, opts);
  return new Proxy(nc, {
    get: (target, property) =>
      property === 'request' ? request : property === INBOX ? inbox : Reflect.get(target, property),
  });
}

const INBOX = Symbol('reply inbox');

/** The reply inbox of a connection view made by `withReplyInbox`; undefined for any other connection. */
export function replyInboxOf(nc: NatsConnection): ReplyInbox | undefined {
  return (nc as unknown as { [INBOX]?: ReplyInbox })[INBOX];
}
