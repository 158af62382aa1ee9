/**
 * The innermost layer of the HTTP stack. Production uses an undici Pool per origin (fetch is ~8x slower here, see
 * research/perf.md); the dry run swaps in a transport that answers from recorded responses. Nothing above this
 * layer knows which one it talks to.
 */
import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import { guardedLookup } from './outbound-guard.js';
import { ResponseCollector } from './response-collector.js';
import type { OutboundPolicy } from './outbound-guard.js';
import type { RequestTarget } from './request-url.js';

/** One HTTP request as the transport sends it. */
export interface TransportRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** `url` parsed, when the caller has it (nothing writes to it); else the layers that need it parse `url`. */
  target?: RequestTarget;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
}

/** The raw answer: status, lower-case headers and the body text. */
export interface TransportResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Where the call comes from: lets a fixture transport pick the recorded response. */
export interface CallContext {
  integration?: string;
  stepId?: string;
  index?: number;
  idempotencyKey?: string;
  /**
   * Awaited right before the request goes out, after the connection's concurrency gate and rate limit: it throws to
   * withdraw the call unsent (the runtime's lease on the call ran out while it waited). Its error passes as it is.
   */
  beforeSend?: () => Promise<void>;
  /**
   * Given each page's result in turn, once it is read (a poll stores each page before reading the next); resolves
   * false to read no further page. With it the call keeps no page and sets no page limit of its own: its result is
   * undefined.
   */
  onPage?: (result: unknown) => Promise<boolean>;
  /**
   * The caller continues from its last record (a listing read in chunks by backfill or reconcile), so it takes the
   * pages read when the call reaches the page limit. Every other call without `onPage` needs the whole answer (a
   * find's "not found", a lookup's table, a step's result read by later steps): past the limit it fails
   * (`page-limit`, permanent) rather than answer part of a listing as if it were all of it.
   */
  partial?: boolean;
}

/** The innermost layer: the real network, or the dry run's recorded responses. */
export type Transport = (request: TransportRequest, context: CallContext) => Promise<TransportResponse>;

/** Network-level failures (refused, reset, timed out, blocked address) surface as this, never as a response. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly timedOut: boolean,
    options?: { cause?: unknown },
    /** The host resolved to an address the outbound guard refuses: permanent, not a network blip. */
    readonly blocked = false,
    /** The request was written to the connection, so the target may have applied it. Unknown counts as sent. */
    readonly requestSent = !blocked,
  ) {
    super(message, options);
  }
}

/** The HTTP client refused to build the request: nothing was sent, and a retry of it would be refused the same way. */
export class InvalidRequestError extends TransportError {
  override name = 'InvalidRequestError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, false, options, false, false);
  }
}

/** Options of the default transport. */
interface UndiciTransportOptions {
  /** Connections per origin. @default 16 */
  connections?: number;
  /** Which host names may resolve to loopback/private addresses (emulators, on-premise). @default public only */
  outbound?: OutboundPolicy;
}

/** An undici Pool per origin, kept for the life of the transport. Redirects are never followed (undici's default). */
export function createUndiciTransport(options: UndiciTransportOptions = {}): Transport & { close(): Promise<void> } {
  const pools = new Map<string, Pool>();
  const lookup = guardedLookup(options.outbound);
  const poolFor = (origin: string) => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections: options.connections ?? 16, pipelining: 1, connect: { lookup } });
      pools.set(origin, pool);
    }
    return pool;
  };
  const transport = async (request: TransportRequest): Promise<TransportResponse> => {
    const url = request.target ?? new URL(request.url);
    const exchange = new ResponseCollector(request.timeoutMs);
    try {
      poolFor(url.origin).dispatch(
        {
          method: request.method as Dispatcher.HttpMethod,
          path: url.pathname + url.search,
          headers: request.headers,
          body: request.body,
          headersTimeout: request.timeoutMs,
          bodyTimeout: request.timeoutMs,
        },
        exchange,
      );
      const response = await exchange.done;
      const headers: Record<string, string> = {};
      // for-in over own keys: Object.entries' array and pairs, per response, for the same keys in the same order.
      for (const name in response.headers) {
        const value = Object.hasOwn(response.headers, name) ? response.headers[name] : undefined;
        if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      return { status: response.status, headers, body: response.body };
    } catch (error) {
      const e = error as {
        name?: string;
        code?: string;
        message?: string;
        cause?: { code?: string; message?: string };
      };
      if (e.code === 'ERR_OUTBOUND_BLOCKED' || e.cause?.code === 'ERR_OUTBOUND_BLOCKED')
        throw new TransportError(e.cause?.message ?? e.message ?? 'blocked', false, { cause: error }, true);
      // undici refuses to build the request (a header value beyond Latin-1 or with a line break, a bad header name):
      // nothing was sent, and the same request would be refused on every retry.
      if (e.code === 'UND_ERR_INVALID_ARG' && !exchange.sent)
        throw new InvalidRequestError(`the request was not sent: ${e.message ?? 'invalid request'}`, { cause: error });
      const timedOut =
        e.name === 'TimeoutError' ||
        e.name === 'AbortError' ||
        e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
        e.code === 'UND_ERR_BODY_TIMEOUT';
      throw new TransportError(
        timedOut
          ? `no response within ${request.timeoutMs} ms`
          : `${e.code ?? e.name ?? 'network error'}: ${e.message ?? ''}`.trim(),
        timedOut,
        { cause: error },
        false,
        exchange.sent,
      );
    }
  };
  return Object.assign(transport, {
    close: async () => {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
      pools.clear();
    },
  });
}
