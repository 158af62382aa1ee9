/**
 * The engine's public HTTP listener (node:http, no framework): what senders on the internet must reach, and nothing
 * else. The dashboard, `/api/*` and `/metrics` live on the operator listener (engine/runtime/operator), bound to
 * loopback by default, so exposing the webhook port never exposes dead letters or replay.
 *   POST /hooks/<integration>      ingest (202 after PubAck)
 *   POST /hooks/git                GitHub push webhook, when Git sync is attached
 *   GET  /healthz  /readyz         liveness; readiness (200/503, with the reasons: observe/readiness.ts)
 */
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { IngestReply } from './webhook-ingest.js';
import { readinessText } from '../observe/readiness.js';
import { publicConnectionCap } from './connection-cap.js';
import type { Readiness } from '../observe/readiness.js';
import type { RuntimeTuning } from '../runtime-options.js';

export interface PublicApi {
  ingest(integration: string, req: IncomingMessage): Promise<IngestReply>;
  readiness(): Readiness;
  /** `POST /hooks/git`: a push webhook for GitOps (engine/gitops); 404 when no Git sync is attached. */
  gitWebhook(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown>; close?: boolean }>;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  /** Stops accepting connections and waits for requests in progress (ingest answers only after its PubAck). */
  close(): Promise<void>;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The public listener's time limits on receiving a request, and what a sender past one is told. */
export function requestTimeouts(
  tuning: Pick<RuntimeTuning, 'httpHeadersTimeoutMs' | 'httpRequestTimeoutMs'>,
): NonNullable<ListenOptions['timeouts']> {
  const seconds = (ms: number) => `${ms / 1000} s`;
  return {
    headersMs: tuning.httpHeadersTimeoutMs,
    requestMs: tuning.httpRequestTimeoutMs,
    message:
      `the request did not arrive in time (headers within ${seconds(tuning.httpHeadersTimeoutMs)}, the whole ` +
      `request within ${seconds(tuning.httpRequestTimeoutMs)}): nothing was stored; send it again`,
  };
}

/** Starts the public listener, with at most half the process's descriptors for its connections (connection-cap.ts). */
export function startHttpServer(api: PublicApi, options: ListenOptions): Promise<HttpServerHandle> {
  return listen((req, res) => publicRoute(api, req, res), {
    ...options,
    maxConnections: options.maxConnections ?? publicConnectionCap(),
    continueOnRead: true,
  });
}

export interface ListenOptions {
  port: number;
  host: string;
  /** How long an idle keep-alive connection stays open (RuntimeTuning.httpKeepAliveMs). */
  keepAliveMs: number;
  /** Connections kept at once; one past it is closed as soon as it is accepted. @default no cap */
  maxConnections?: number;
  /**
   * Time limits on receiving a request (RuntimeTuning.httpHeadersTimeoutMs, httpRequestTimeoutMs): past one, the
   * sender gets 408 with `timeoutMessage` and the connection is closed. @default node's (60 s, 300 s)
   */
  timeouts?: { headersMs: number; requestMs: number; message: string };
  /**
   * Answer `Expect: 100-continue` only when the handler starts reading the body with a 'data' listener or `resume()`
   * (not with `for await`, which never resumes the stream). @default false: at once, as node does
   */
  continueOnRead?: boolean;
  onError?: (error: unknown) => void;
}

/** A node:http listener around `handler`: an unexpected error answers 500 (or drops a half-sent response). */
export async function listen(handler: RequestHandler, options: ListenOptions): Promise<HttpServerHandle> {
  const timeouts = options.timeouts;
  const limits = timeouts && {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    // How often node looks for requests past a limit (its default, 30 s, would let one run on that much longer).
    connectionsCheckingInterval: Math.min(1_000, Math.ceil(timeouts.headersMs / 4)),
  };
  const server = createServer(limits ?? {}, (req, res) => {
    handler(req, res).catch((error) => {
      // A sender that hung up (or was cut off at a time limit) mid-body: nothing to answer, nothing to report.
      if (req.destroyed && !req.complete) return res.destroy();
      options.onError?.(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal', message: 'internal error' });
      else res.destroy();
    });
  });
  // `Expect: 100-continue` (curl, with larger bodies): the go-ahead is sent once the handler starts reading the body,
  // so a refusal from the headers alone (401, 413 by Content-Length, 415) reaches the sender before it uploads.
  // Reading must start the stream flowing ('data', `resume()`), as every public route does.
  if (options.continueOnRead)
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      req.once('resume', () =>
        setImmediate(() => {
          if (!res.headersSent && !res.writableEnded) res.writeContinue();
        }),
      );
      server.emit('request', req, res);
    });
  if (timeouts)
    server.on('clientError', (error, socket) => answerClientError(error, socket as Socket, timeouts.message));
  server.keepAliveTimeout = options.keepAliveMs;
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * What node:http answers a request it could not take (lib/_http_server.js, socketOnError), with a JSON 408 that says
 * why for a request past a time limit. As node does, an answer is written only while no response has started, and
 * the connection is closed at once: the request handler sees its request end early and stores nothing.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, timeoutMessage: string): void {
  // The response node keeps on the socket while a request is answered (undocumented; node's own check).
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      const body = JSON.stringify({ error: 'request-timeout', message: timeoutMessage });
      socket.write(
        'HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
      );
    } else if (error.code === 'HPE_HEADER_OVERFLOW')
      socket.write('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n');
    else if (error.code !== 'ECONNRESET') socket.write('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  }
  socket.destroy();
}

/**
 * A webhook's request target as senders write it: `/hooks/<name>` (a trailing `/` allowed), the name of unreserved
 * characters only, not starting with a dot. For such a target the URL parser gives this very path (nothing to
 * normalise or escape, no query) and decoding gives this very name, so the route skips both: about 1 µs per
 * request (docs/performance.md, "The ingest cuts"). Anything else takes the general route below.
 */
const PLAIN_HOOK = /^\/hooks\/([A-Za-z0-9_~-][A-Za-z0-9._~-]*)\/?$/;

function publicRoute(api: PublicApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const plain = req.method === 'POST' ? PLAIN_HOOK.exec(req.url!) : null;
  // `POST /hooks/git` is Git sync's, not an integration's.
  return plain && plain[1] !== 'git' ? ingestRoute(api, plain[1]!, req, res) : generalRoute(api, req, res);
}

async function generalRoute(api: PublicApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = requestUrl(req);
  if (!url) return badTarget(res);
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/hooks/git' && method === 'POST') {
    const reply = await api.gitWebhook(req);
    return sendJson(res, reply.status, reply.body, reply.close ? { connection: 'close' } : {});
  }
  const hook = /^\/hooks\/([^/]+)\/?$/.exec(path);
  if (hook) {
    // A GET is only an Adobe I/O Events challenge (`?challenge=`), which ingest answers for the integration.
    const challenge = method === 'GET' && url.searchParams.has('challenge');
    if (method !== 'POST' && !challenge)
      return sendJson(res, 405, { error: 'method-not-allowed', message: 'webhooks are POSTed' }, { allow: 'POST' });
    const name = decodeSegment(hook[1]);
    // A malformed escape is the client's mistake: 400, not a 500 and an error log line per request.
    if (name === undefined)
      return sendJson(res, 400, { error: 'bad-path', message: 'malformed percent-escape' }, { connection: 'close' });
    return ingestRoute(api, name, req, res);
  }
  if (method === 'GET' && path === '/healthz') return sendJson(res, 200, { ok: true });
  if (method === 'GET' && path === '/readyz') return sendReadiness(req, res, api.readiness());
  sendJson(res, 404, { error: 'no-route', message: `no route ${method} ${path}` });
}

/** JSON (`{ ready, reasons? }`), or plain text for a client that asks for it (`curl -H 'Accept: text/plain'`). */
function sendReadiness(req: IncomingMessage, res: ServerResponse, r: Readiness): void {
  const status = r.ready ? 200 : 503;
  const accept = req.headers.accept ?? '';
  if (!accept.includes('text/plain') || accept.includes('application/json'))
    return sendJson(res, status, r.ready ? { ready: true } : r, { 'cache-control': 'no-store' });
  const text = readinessText(r);
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(text);
}

function ingestRoute(api: PublicApi, name: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return api.ingest(name, req).then((reply) => sendReply(res, reply));
}

/** An ingest answer; the common one (a 202) with no headers of its own, so without a header object to merge. */
function sendReply(res: ServerResponse, reply: IngestReply): void {
  if (!reply.headers && !reply.close) return sendJson(res, reply.status, reply.body);
  sendJson(res, reply.status, reply.body, { ...reply.headers, ...(reply.close ? { connection: 'close' } : {}) });
}

/** The request's URL; undefined when the request target is not a valid path (`//[`). */
export function requestUrl(req: IncomingMessage): URL | undefined {
  return URL.parse(req.url ?? '/', 'http://engine') ?? undefined;
}

/** The answer to a request target that is not a URL (`//[`); the unread body is dropped with the connection. */
export function badTarget(res: ServerResponse, headers: OutgoingHttpHeaders = {}): void {
  sendJson(res, 400, { error: 'bad-path', message: 'not a valid path' }, { ...headers, connection: 'close' });
}

/** A path segment, percent-decoded; undefined for a malformed escape (`%E0%A4%A`), which is bad input, not a 500. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * A JSON answer; `nosniff` so that a browser never renders it as anything else. Without headers of its own (every 202
 * of ingest) the head is a flat list (node:http's `writeHead` array form, the same bytes in the same order), with no
 * header object built and walked per response.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: OutgoingHttpHeaders): void {
  const text = JSON.stringify(body);
  const length = Buffer.byteLength(text);
  if (headers === undefined)
    res.writeHead(status, [
      'content-type',
      'application/json',
      'content-length',
      length,
      'x-content-type-options',
      'nosniff',
    ]);
  else
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': length,
      'x-content-type-options': 'nosniff',
      ...headers,
    });
  res.end(text);
}
