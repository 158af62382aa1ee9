/**
 * The one HTTP client stack every connector uses (STYLE.md rule 8): the operation builds the vendor request, then
 * auth -> rate limit -> transport (with timeout) -> classification. Errors are ConnectorErrors carrying their
 * consequence and the request as sent, with secrets redacted.
 */
import type { ConnectorDef, InboundResponse, OutboundRequest } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledConnection } from '../spec/compiled-spec.js';
import { resolveRefs } from '../spec/secret-ref.js';
import { createAuthProvider } from './auth.js';
import type { AuthProvider } from './auth.js';
import { assertOutboundAllowed } from './outbound-guard.js';
import { TokenBucket } from './rate-limiter.js';
import { redactHeaders, redactText } from './redact.js';
import { parseRetryAfter } from './retry-after.js';
import { TransportError, createUndiciTransport } from './transport.js';
import type { CallContext, Transport } from './transport.js';

/** The request as sent, for plans, DLQ entries and recordings (auth headers redacted). */
export interface SentRequest {
  method: string;
  url: string;
  /** Path and query relative to the base URL. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface CallResult {
  request: SentRequest;
  response: InboundResponse;
  result: unknown;
}

export interface ConnectionClient {
  call(operation: string, input: { params: Record<string, unknown>; body: unknown }, context?: CallContext): Promise<CallResult>;
}

export interface ConnectionClientOptions {
  connection: CompiledConnection;
  connector: ConnectorDef;
  transport?: Transport;
  env?: NodeJS.ProcessEnv;
}

/** Safety stop for pagination loops. */
const MAX_PAGES = 1000;

export function createConnectionClient(options: ConnectionClientOptions): ConnectionClient {
  const { connection, connector } = options;
  const env = options.env ?? process.env;
  const transport = options.transport ?? createUndiciTransport();
  const limiter = connection.rateLimit ? new TokenBucket(connection.rateLimit.requestsPerSecond, connection.rateLimit.burst) : undefined;
  let auth: AuthProvider | undefined;
  const baseUrl = () => resolveRefs(connection.baseUrl, env).replace(/\/$/, '');
  const authProvider = () => (auth ??= createAuthProvider(connection.auth, baseUrl(), transport, env, connection.timeoutMs));

  /** One request through auth, rate limit, transport and classification; refreshes an OAuth token once on 401. */
  async function send(outbound: OutboundRequest, sent: SentRequest, context: CallContext): Promise<InboundResponse> {
    const fail = (error: ConnectorError) => Object.assign(error, { request: sent });
    const url = new URL(sent.url);
    try {
      assertOutboundAllowed(url, connection.allowPrivateNetwork);
    } catch (error) {
      throw fail(new ConnectorError('outbound-blocked', (error as Error).message, 'permanent'));
    }
    for (let attempt = 0; ; attempt++) {
      let authHeaders: Record<string, string>;
      try {
        authHeaders = await authProvider().headers();
      } catch (error) {
        throw fail(asConnectorError(error));
      }
      const headers = { accept: 'application/json', ...(outbound.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(context.idempotencyKey ? { 'idempotency-key': context.idempotencyKey } : {}), ...outbound.headers, ...authHeaders };
      sent.headers = redactHeaders(headers);
      await limiter?.take();
      let raw;
      try {
        raw = await transport({ method: outbound.method, url: sent.url, headers, body: outbound.body === undefined ? undefined : JSON.stringify(outbound.body), timeoutMs: connection.timeoutMs }, context);
      } catch (error) {
        if (error instanceof ConnectorError) throw fail(error); // a transport that knows better (the dry run's fixtures)
        const timedOut = error instanceof TransportError && error.timedOut;
        throw fail(new ConnectorError(timedOut ? 'timeout' : 'network', redactText(`${connection.name}: ${(error as Error).message}`, authProvider().secrets()), 'retryable', { cause: error }));
      }
      const response: InboundResponse = { status: raw.status, headers: raw.headers, body: parseBody(raw.body, raw.headers) };
      if (raw.status === 401 && attempt === 0 && authProvider().invalidate()) continue;
      if (raw.status >= 200 && raw.status < 300) return response;
      throw fail(classify(connector, response, outbound, raw.body, authProvider().secrets()));
    }
  }

  const describe = (outbound: OutboundRequest): SentRequest => {
    const base = baseUrl();
    const url = outbound.path.startsWith('http') ? outbound.path : base + outbound.path + queryString(outbound.query);
    const basePath = new URL(base).pathname.replace(/\/$/, '');
    const parsed = new URL(url);
    return { method: outbound.method, url, path: parsed.pathname.slice(basePath.length) + parsed.search, headers: {}, body: outbound.body };
  };

  return {
    async call(operationName, input, context = {}) {
      const operation = connector.operations[operationName];
      if (!operation) throw new ConnectorError('unknown-operation', `connector ${connector.id} has no operation ${operationName}`, 'permanent');
      const call = { params: input.params, body: input.body, options: connection.options };
      const outbound = operation.request(call);
      const sent = describe(outbound);
      const response = await send(outbound, sent, context);
      const interpret = (r: InboundResponse) => {
        try {
          return operation.result ? operation.result(r, call) : r.body;
        } catch (error) {
          throw Object.assign(asConnectorError(error, r), { request: sent });
        }
      };
      let result = interpret(response);
      if (operation.paginate) {
        const pages = [result];
        let last = response;
        for (let next = operation.paginate.next(last); next && pages.length < MAX_PAGES; next = operation.paginate.next(last)) {
          last = await send(next, describe(next), context);
          pages.push(interpret(last));
        }
        result = operation.paginate.combine(pages);
      }
      return { request: sent, response, result };
    },
  };
}

/** The connector names the vendor's code and message; the status decides whether a retry can help. */
function classify(connector: ConnectorDef, response: InboundResponse, request: OutboundRequest, text: string, secrets: string[]): ConnectorError {
  const vendor = asConnectorError(connector.classify(response, request), response);
  const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
  const details = { status: response.status, vendorCode: vendor.vendorCode, field: vendor.field, retryAfterMs, responseExcerpt: redactText(text.slice(0, 500), secrets) };
  const message = redactText(vendor.message, secrets);
  if (response.status === 429) return new ConnectorError('rate-limited', message, 'retryable', details);
  if (response.status >= 500 || response.status === 408) return new ConnectorError(response.status === 408 ? 'timeout' : 'http-5xx', message, 'retryable', details);
  if ((response.status === 401 || response.status === 403) && !vendor.retryable) return new ConnectorError('auth', message, 'permanent', details);
  return new ConnectorError(vendor.code, message, vendor.disposition, details);
}

function asConnectorError(error: unknown, response?: InboundResponse): ConnectorError {
  if (error instanceof ConnectorError) return error;
  return new ConnectorError('invalid-response', (error as Error)?.message ?? String(error), 'permanent', { status: response?.status });
}

function parseBody(text: string, headers: Record<string, string>): unknown {
  if (text === '') return undefined;
  if ((headers['content-type'] ?? '').includes('json') || /^[[{"]/.test(text.trim())) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function queryString(query: OutboundRequest['query']): string {
  if (!query || Object.keys(query).length === 0) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) params.append(key, String(value));
  return '?' + params.toString();
}
