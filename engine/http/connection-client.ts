/**
 * The one HTTP client stack every connector uses (STYLE.md rule 8). The operation builds the vendor request; then
 * auth -> rate limit -> timeout -> classification -> telemetry -> transport. The dry run swaps only the transport,
 * so everything above it is the same code path. Errors are ConnectorErrors carrying their consequence and the
 * request as sent (`error.request`), with secrets redacted.
 */
import type { ConnectorDef, InboundResponse, OperationCall, OperationDef, OutboundRequest } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledConnection } from '../compiler/compiled-spec.js';
import { resolveRefs } from '../compiler/secret-ref.js';
import { AllocationGuard } from './allocation-guard.js';
import type { SecretPolicy } from '../compiler/secret-ref.js';
import { connectionSecretValues } from './connection-secrets.js';
import { createAuthProvider } from './auth.js';
import type { AuthProvider } from './auth.js';
import {
  asConnectorError,
  classifyResponse,
  classifyTransportError,
  parseBody,
  unreadableAnswer,
} from './classify-response.js';
import { OutboundBlockedError, PUBLIC_ONLY, assertOutboundAllowed } from './outbound-guard.js';
import type { OutboundPolicy } from './outbound-guard.js';
import { ConcurrencyGate } from './concurrency-gate.js';
import { TokenBucket } from './rate-limiter.js';
import { redactBody, redactHeaders, redactUrl } from './redact.js';
import { requestUrl } from './request-url.js';
import type { RequestTarget } from './request-url.js';
import { rememberSentJson } from './sent-json.js';
import { createTelemetry } from './telemetry.js';
import type { HttpCallEvent, HttpLogger, TelemetryHook } from './telemetry.js';
import { TransportError, createUndiciTransport } from './transport.js';
import type { CallContext, Transport, TransportRequest, TransportResponse } from './transport.js';

/** The request as sent, for plans, DLQ entries and recordings (auth headers, secret fields and values redacted). */
export interface SentRequest {
  method: string;
  /** Absolute URL. */
  url: string;
  /** Path and query relative to the base URL. */
  path: string;
  headers: Record<string, string>;
  /** The vendor body as sent (after the operation's envelope). */
  body?: unknown;
}

/** What a successful call returns: the request as sent, the (last page's) response, and the step result. */
interface CallResult {
  request: SentRequest;
  response: InboundResponse;
  result: unknown;
}

/** A client for one connection. */
export interface ConnectionClient {
  /** Runs one operation; throws ConnectorError (with `request` when one was built). */
  call(
    operation: string,
    input: { params: Record<string, unknown>; body: unknown },
    context?: CallContext,
  ): Promise<CallResult>;
  /**
   * Runs the connector's connection check (`junction check`) through the whole stack: auth, guard, rate limit,
   * classification. Undefined when the connector declares no check.
   */
  check(context?: CallContext): Promise<CallResult | undefined>;
  /**
   * Reads the record a write operation addresses, as it is now (the operation's `readBack`), through the same stack.
   * The result is `{record, result}`; undefined when the operation declares no read-back.
   */
  readBack(
    operation: string,
    input: { params: Record<string, unknown>; body: unknown },
    context?: CallContext,
  ): Promise<CallResult | undefined>;
  /** The connection's auth headers (for non-HTTP channels such as gRPC); `refresh` drops a cached token first. */
  authHeaders(refresh?: boolean): Promise<Record<string, string>>;
  /** Closes the default transport's connection pools (a no-op for an injected transport). */
  close(): Promise<void>;
}

/** The engine's decisions about every connection, never a spec's. */
export interface ConnectionSecurity {
  /** The secret allowlist; a reference outside it fails the call (`secret-not-allowed`). @default none */
  secretPolicy?: SecretPolicy;
  /** Which private targets may be reached. @default public only */
  outbound?: OutboundPolicy;
}

/** Inputs of createConnectionClient. */
interface ConnectionClientOptions {
  connection: CompiledConnection;
  connector: ConnectorDef;
  /** The innermost layer. @default an undici Pool per origin */
  transport?: Transport;
  /** Where `${env:NAME}` references resolve. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** What the engine allows its connections: secrets and private targets. @default no allowlist, public only */
  security?: ConnectionSecurity;
  /** pino-compatible logger: debug per exchange, warn per failure; lines are redacted. */
  logger?: HttpLogger;
  /** Called once per HTTP exchange (metrics). */
  telemetry?: TelemetryHook;
}

/**
 * Safety stop for pagination loops that keep every page (a call without `onPage`): past it a call fails
 * (`page-limit`), or answers the pages read when its caller continues from its last record (`CallContext.partial`).
 */
export const MAX_PAGES = 1000;

/** Builds the client for one connection; tokens and rate-limit state live as long as the client. */
export function createConnectionClient(options: ConnectionClientOptions): ConnectionClient {
  const { connection, connector } = options;
  const env = options.env ?? process.env;
  const outbound = options.security?.outbound ?? PUBLIC_ONLY;
  const ownTransport = options.transport ? undefined : createUndiciTransport({ outbound });
  const transport = options.transport ?? ownTransport!;
  const limiter = connection.rateLimit
    ? new TokenBucket(connection.rateLimit.requestsPerSecond, connection.rateLimit.burst)
    : undefined;
  const gate = connection.maxConcurrency ? new ConcurrencyGate(connection.maxConcurrency) : undefined;
  const allocation = connector.allocation
    ? new AllocationGuard(connection.name, connector.allocation, connector.allocation.reserve(connection.options))
    : undefined;
  const emit = createTelemetry({ hook: options.telemetry, logger: options.logger });
  const resolve = (value: string) => resolveRefs(value, env, options.security?.secretPolicy, connection.name);
  const baseUrl = () => resolve(connection.baseUrl).replace(/\/$/, '');
  let auth: AuthProvider | undefined;
  const referenced = connectionSecretValues(connection, env);
  /** Resolved secret values to mask: every referenced variable, URL user info, and the auth provider's own. */
  const secrets = (): string[] => {
    try {
      return [...referenced, ...authProvider().secrets()];
    } catch {
      return referenced;
    }
  };

  /**
   * Guard -> concurrency gate -> rate limit -> the context's last word (`beforeSend`) -> transport (with the
   * connection's timeout) -> telemetry, for calls and token requests alike. The time spent waiting at the gate is not
   * part of the request's duration or timeout.
   */
  async function exchange(
    request: TransportRequest,
    event: Pick<HttpCallEvent, 'kind' | 'operation' | 'attempt'>,
    context: CallContext,
    judge?: (response: TransportResponse) => ConnectorError | undefined,
  ): Promise<TransportResponse> {
    let started = performance.now();
    let queuedMs = 0;
    // Without a hook or a logger there is no `emit`, and `?.` skips building the event (URL redaction included).
    const report = (status: number | undefined, error?: ConnectorError) =>
      emit?.({
        ...event,
        connection: connection.name,
        connector: connector.id,
        method: request.method,
        url: redactUrl(request.url, secrets()),
        status,
        durationMs: Math.round(performance.now() - started),
        ...(queuedMs ? { queuedMs } : {}),
        outcome: error || (status ?? 0) >= 400 ? 'error' : 'ok',
        ...(error
          ? {
              error: {
                code: error.code,
                disposition: error.disposition,
                vendorCode: error.vendorCode,
                message: error.message,
              },
            }
          : {}),
        context,
      });
    try {
      assertOutboundAllowed(request.target ?? new URL(request.url), outbound);
    } catch (error) {
      const blocked = new ConnectorError('outbound-blocked', (error as Error).message, 'permanent');
      report(undefined, blocked);
      throw blocked;
    }
    // Each layer the connection has is awaited; one it has not costs no promise and no turn of the microtask queue.
    const release = gate ? await gate.acquire() : undefined;
    if (gate) queuedMs = Math.round(performance.now() - started);
    started = performance.now();
    try {
      if (limiter) await limiter.take();
      if (context.beforeSend) await context.beforeSend();
    } catch (error) {
      // Withdrawn before anything was sent: not an exchange, so not reported as one.
      release?.();
      throw error;
    }
    try {
      const response = await transport(request, context);
      report(response.status, judge?.(response));
      return response;
    } catch (error) {
      // A transport that knows better (the dry run's fixtures) throws ConnectorError itself.
      const failed =
        error instanceof ConnectorError
          ? error
          : error instanceof TransportError
            ? classifyTransportError(error, connection.name, secrets())
            : classifyTransportError(
                new TransportError((error as Error)?.message ?? String(error), false, { cause: error }),
                connection.name,
                secrets(),
              );
      report(undefined, failed);
      throw failed;
    } finally {
      release?.();
    }
  }

  const authProvider = () =>
    (auth ??= createAuthProvider(
      connection.auth,
      baseUrl(),
      (request) => exchange(request, { kind: 'token', operation: '', attempt: 1 }, {}),
      resolve,
      connection.timeoutMs,
    ));

  /**
   * One request with auth and classification; after a 401 an OAuth token is refreshed once and the call retried once.
   */
  async function send(
    operation: string,
    outbound: OutboundRequest,
    url: string,
    target: RequestTarget,
    sent: SentRequest,
    context: CallContext,
    body: string | undefined,
  ): Promise<InboundResponse> {
    for (let attempt = 1; ; attempt++) {
      if (allocation) await allocation.admit();
      const authHeaders = await authProvider().headers({ method: outbound.method, url });
      const headers = {
        accept: 'application/json',
        ...(outbound.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(context.idempotencyKey ? { 'idempotency-key': idempotencyHeader(context.idempotencyKey) } : {}),
        ...outbound.headers,
        ...authHeaders,
      };
      sent.headers = redactHeaders(headers);
      let response: InboundResponse | undefined;
      let failed: ConnectorError | undefined;
      // Classified inside the exchange, so telemetry and logs carry the error code of the vendor's answer.
      const judge = (raw: TransportResponse) => {
        response = { status: raw.status, headers: raw.headers, body: parseBody(raw.body, raw.headers) };
        allocation?.observe(response);
        if (raw.status < 200 || raw.status >= 300) {
          failed = classifyResponse(connector, connection.name, response, outbound, raw.body, secrets());
          failed = allocation?.explain(failed) ?? failed;
        }
        return failed;
      };
      const raw = await exchange(
        {
          method: outbound.method,
          url,
          target,
          headers,
          body,
          timeoutMs: connection.timeoutMs,
        },
        { kind: 'call', operation, attempt },
        context,
        judge,
      );
      if (raw.status === 401 && attempt === 1 && authProvider().invalidate(authHeaders.authorization)) continue;
      if (failed) throw failed;
      return response!;
    }
  }

  /** Builds, sends and interprets one page; every error leaves carrying the request as sent (redacted). */
  async function page(
    name: string,
    build: () => OutboundRequest,
    context: CallContext,
    interpret: (r: InboundResponse) => unknown,
  ) {
    let sent: SentRequest | undefined;
    let answered: InboundResponse | undefined;
    try {
      const outbound = build();
      const { url, path, target } = requestUrl(baseUrl(), outbound);
      const masked = secrets();
      // Serialised once: the text sent is the text checked for secret values.
      const body = outbound.body === undefined ? undefined : JSON.stringify(outbound.body);
      sent = {
        method: outbound.method,
        url: redactUrl(url, masked),
        path: redactUrl(path, masked),
        headers: {},
        body: redactBody(outbound.body, masked, body),
      };
      // Recorded as sent (nothing masked): the trace record reuses the text.
      if (body !== undefined && sent.body === outbound.body) rememberSentJson(outbound.body, body);
      const response = (answered = await send(name, outbound, url, target, sent, context, body));
      return { sent, response, result: interpret(response) };
    } catch (error) {
      const failed =
        error instanceof OutboundBlockedError
          ? new ConnectorError('outbound-blocked', error.message, 'permanent')
          : answered && !(error instanceof ConnectorError)
            ? unreadableAnswer(error, answered, secrets())
            : asConnectorError(error, undefined, secrets());
      throw sent ? Object.assign(failed, { request: sent }) : failed;
    }
  }

  /** Hands each page to `onPage` as it is read, keeping none, until the last page or a false. */
  async function pageByPage(
    name: string,
    paginate: OperationDef['paginate'],
    call: OperationCall,
    interpret: (r: InboundResponse) => unknown,
    first: { sent: SentRequest; response: InboundResponse; result: unknown },
    context: CallContext,
    onPage: (result: unknown) => Promise<boolean>,
  ): Promise<CallResult> {
    let last = first.response;
    if (await onPage(first.result))
      for (let next = paginate?.next(last, call); next; next = paginate?.next(last, call)) {
        const request = next;
        const read = await page(name, () => request, context, interpret);
        last = read.response;
        if (!(await onPage(read.result))) break;
      }
    return { request: first.sent, response: first.response, result: undefined };
  }

  return {
    async call(operationName, input, context = {}) {
      const operation = connector.operations[operationName];
      if (!operation)
        throw new ConnectorError(
          'unknown-operation',
          `connector ${connector.id} has no operation ${operationName}`,
          'permanent',
        );
      const call = { params: input.params, body: input.body, options: connection.options };
      const interpret = (r: InboundResponse) => (operation.result ? operation.result(r, call) : r.body);
      const first = await page(operationName, () => operation.request(call), context, interpret);
      if (context.onPage)
        return pageByPage(operationName, operation.paginate, call, interpret, first, context, context.onPage);
      if (!operation.paginate) return { request: first.sent, response: first.response, result: first.result };
      const results = [first.result];
      let last = first.response;
      let next = operation.paginate.next(last, call);
      for (; next && results.length < MAX_PAGES; next = operation.paginate.next(last, call)) {
        const request = next;
        const more = await page(operationName, () => request, context, interpret);
        results.push(more.result);
        last = more.response;
      }
      if (next && !context.partial)
        throw Object.assign(
          new ConnectorError(
            'page-limit',
            `${operationName} answered more than ${MAX_PAGES} pages, the most a call reads whole; the answer was not ` +
              'used (a part of it read as the whole would mislead every step after it): narrow the call, a filter ' +
              'in its params or body, so its answer is fewer pages',
            'permanent',
          ),
          { request: first.sent },
        );
      // The first page's request and response stand for the call; the result combines every page.
      return { request: first.sent, response: first.response, result: operation.paginate.combine(results) };
    },
    async readBack(operationName, input, context = {}) {
      const readBack = connector.operations[operationName]?.readBack;
      if (!readBack) return undefined;
      const call = { params: input.params, body: input.body, options: connection.options };
      const done = await page(
        operationName,
        () => readBack.request(call),
        context,
        (r) => readBack.result(r, call),
      );
      return { request: done.sent, response: done.response, result: done.result };
    },
    async check(context = {}) {
      const check = connector.check;
      if (!check) return undefined;
      const done = await page(
        'check',
        () => check.request(connection.options),
        context,
        (r) => r.body,
      );
      return { request: done.sent, response: done.response, result: done.result };
    },
    async authHeaders(refresh = false) {
      // No HTTP request to sign here: a signing scheme (OAuth 1.0a) signs the base URL.
      const target = { method: 'POST', url: baseUrl() };
      if (refresh) authProvider().invalidate((await authProvider().headers(target)).authorization);
      return authProvider().headers(target);
    },
    close: async () => ownTransport?.close(),
  };
}

/** A character a header value cannot hold as one byte: undici refuses such a value before sending anything. */
const BEYOND_LATIN1 = /[\u0100-\uffff]/;

/**
 * The Idempotency-Key header for a key (an event id and call): as it is when each character fits a byte, as before;
 * else its UTF-8 bytes. Event ids come from the events (`dedup_id`): one holding, say, `日` or `😀` made undici
 * refuse the header ("invalid idempotency-key header") on every attempt, and the event ended in the DLQ, never sent.
 */
function idempotencyHeader(key: string): string {
  return BEYOND_LATIN1.test(key) ? Buffer.from(key, 'utf8').toString('latin1') : key;
}
