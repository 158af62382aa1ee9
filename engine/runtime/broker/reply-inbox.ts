/**
 * Request/reply for the per-event broker calls (the event publish at ingest, the delivery ledger's and parking's KV
 * reads and writes), on one wildcard reply subscription of the engine's own.
 *
 * Why not `nc.request()`: in `@nats-io/nats-core` 3.4.0 (`lib/request.js`), every completed request runs
 * `RequestOne.resolver`, which resolves the promise and then calls `cancel()`, which rejects the settled promise with
 * a new `RequestError("cancelled")`: an `Error` with its stack captured on every request, even with
 * `noAsyncTraces`, plus a `Promise.race` against a timer promise. It was about 4 % of the engine's CPU in the engine
 * bench (docs/runtime.md, "CPU per event"). Here a request is one entry in a map, one timer and one publish.
 *
 * Everything else stays nats.js's own: `withReplyInbox(nc)` gives a view of the connection whose `request()` is this
 * one, and a JetStream client or KV bucket built on that view keeps its publish-ack parsing, `Nats-Expected-*`
 * headers, retries, direct-get decoding and KV semantics unchanged. Replies are what nats.js resolves and rejects
 * with: the message; `TimeoutError` after `timeout` ms; a `RequestError` caused by `NoRespondersError` for the
 * server's 503 "no responders" status (nats-core `lib/muxsubscription.js`, `dispatcher`); `RequestError("connection
 * closed")` when the connection closes; the server's `PermissionViolationError` for a request subject this
 * connection may not publish to (nats-core `lib/protocol.js`, `processError`, also sends it to `status()`), at once,
 * to the requests on that subject.
 */
import { createInbox, errors } from '@nats-io/transport-node';
import type { Msg, NatsConnection, Payload, RequestOptions } from '@nats-io/transport-node';

interface Pending {
  subject: string;
  resolve: (msg: Msg) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class ReplyInbox {
  readonly #nc: NatsConnection;
  /** `<inbox prefix>.<unique>.`; a request's reply subject is this plus its token. */
  readonly #prefix: string;
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
    // The connection's own inbox prefix (`inboxPrefix`), which its NATS permissions allow to subscribe to.
    const { inboxPrefix } = (nc as unknown as { options?: { inboxPrefix?: string } }).options ?? {};
    this.#prefix = `${createInbox(inboxPrefix)}.`;
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

  /** As `nc.request(subject, payload, { timeout, headers })` (see the module comment for the replies). */
  request(
    subject: string,
    payload: Payload | undefined,
    opts?: Pick<RequestOptions, 'timeout' | 'headers'>,
  ): Promise<Msg> {
    const timeout = opts?.timeout || 1000;
    const token = (++this.#next).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new errors.TimeoutError());
      }, timeout);
      this.#pending.set(token, { subject, resolve, reject, timer });
      try {
        this.#nc.publish(subject, payload, { reply: this.#prefix + token, headers: opts?.headers });
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(token);
        reject(error as Error);
      }
    });
  }

  #reply(msg: Msg): void {
    const token = msg.subject.slice(this.#prefix.length);
    const pending = this.#pending.get(token);
    if (!pending) return; // timed out already
    this.#pending.delete(token);
    clearTimeout(pending.timer);
    if (msg.data.length === 0 && msg.headers?.code === 503) {
      const cause = new errors.NoRespondersError(pending.subject);
      pending.reject(new errors.RequestError(cause.message, { cause }));
    } else pending.resolve(msg);
  }

  #failSubject(subject: string, error: Error): void {
    for (const [token, pending] of this.#pending)
      if (pending.subject === subject) {
        this.#pending.delete(token);
        clearTimeout(pending.timer);
        pending.reject(new errors.RequestError(error.message, { cause: error }));
      }
  }

  #failAll(error: Error): void {
    const failure =
      error instanceof errors.RequestError ? error : new errors.RequestError(error.message, { cause: error });
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(failure);
    }
    this.#pending.clear();
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
    get: (target, property) => (property === 'request' ? request : Reflect.get(target, property)),
  });
}
