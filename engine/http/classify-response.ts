/**
 * The classification layer: turns a failed exchange into a ConnectorError that carries its consequence. The
 * connector names the vendor's code, message and field; the status decides whether a retry can help (429, 5xx,
 * 408 are retryable whatever the body says; 401/403 after a refresh are permanent auth failures).
 */
import type { ConnectorDef, InboundResponse, OutboundRequest } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';
import { redactText, responseExcerpt } from './redact.js';
import { parseRetryAfter } from './retry-after.js';
import { InvalidRequestError } from './transport.js';
import type { TransportError } from './transport.js';

/** How many characters of a response body a DLQ entry keeps. */
const EXCERPT_CHARS = 500;

/** A non-2xx response as a ConnectorError with the vendor's code and a redacted body excerpt. */
export function classifyResponse(
  connector: ConnectorDef,
  connection: string,
  response: InboundResponse,
  request: OutboundRequest,
  text: string,
  secrets: string[],
): ConnectorError {
  const location = response.headers.location;
  if (response.status >= 300 && response.status < 400 && location) {
    return new ConnectorError(
      'redirect-refused',
      `${connection} answered ${response.status} redirecting to ${redactText(location, secrets)}; redirects are never followed: fix the connection's base_url`,
      'permanent',
      { status: response.status },
    );
  }
  const vendor = asConnectorError(safeClassify(connector, response, request), response);
  const details = {
    status: response.status,
    vendorCode: vendor.vendorCode,
    field: vendor.field,
    retryAfterMs: parseRetryAfter(response.headers['retry-after']),
    responseExcerpt: responseExcerpt(text, secrets, EXCERPT_CHARS),
  };
  const message = redactText(vendor.message, secrets);
  if (response.status === 429) return new ConnectorError('rate-limited', message, 'retryable', details);
  if (response.status === 408) return new ConnectorError('timeout', message, 'retryable', details);
  // A 500 or a gateway's 502/504 may come after the target committed; 503 means it did not take the request.
  if (response.status >= 500)
    return new ConnectorError('http-5xx', message, 'retryable', {
      ...details,
      outcomeUnknown: response.status !== 503,
    });
  if ((response.status === 401 || response.status === 403) && !vendor.retryable)
    return new ConnectorError('auth', message, 'permanent', details);
  return new ConnectorError(vendor.code, message, vendor.disposition, details);
}

/**
 * A transport failure (no response): timeouts and network errors are retryable; a blocked address and a request the
 * HTTP client refused to build are not. When the request was already written, its outcome is unknown.
 */
export function classifyTransportError(error: TransportError, connection: string, secrets: string[]): ConnectorError {
  const message = redactText(`${connection}: ${error.message}`, secrets);
  if (error.blocked) return new ConnectorError('outbound-blocked', message, 'permanent', { cause: error });
  if (error instanceof InvalidRequestError)
    return new ConnectorError('invalid-request', message, 'permanent', { cause: error });
  return new ConnectorError(error.timedOut ? 'timeout' : 'network', message, 'retryable', {
    cause: error,
    outcomeUnknown: error.requestSent,
  });
}

/** Any thrown value as a ConnectorError; unknown errors become permanent `invalid-response`. */
export function asConnectorError(error: unknown, response?: InboundResponse, secrets: string[] = []): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = redactText((error as Error)?.message ?? String(error), secrets);
  if ((error as Error)?.name === 'MissingSecretError')
    return new ConnectorError('missing-secret', message, 'permanent', { cause: error });
  if ((error as Error)?.name === 'SecretNotAllowedError')
    return new ConnectorError('secret-not-allowed', message, 'permanent', { cause: error });
  return new ConnectorError('invalid-response', message, 'permanent', { status: response?.status });
}

/**
 * A 2xx answer the connector could not read (its result threw): permanent `invalid-response`, but the target took
 * the call and probably applied it, so its outcome is unknown. The sent mark stays, and a replay of a create looks
 * the record up before sending it again.
 */
export function unreadableAnswer(error: unknown, response: InboundResponse, secrets: string[]): ConnectorError {
  const message = redactText((error as Error)?.message ?? String(error), secrets);
  return new ConnectorError('invalid-response', message, 'permanent', {
    status: response.status,
    outcomeUnknown: true,
    cause: error,
  });
}

/** The response body: parsed JSON when it is JSON, otherwise the text; undefined when empty. */
export function parseBody(text: string, headers: Record<string, string>): unknown {
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

function safeClassify(connector: ConnectorDef, response: InboundResponse, request: OutboundRequest): unknown {
  try {
    return connector.classify(response, request);
  } catch (error) {
    // A classifier that trips over an unexpected body must not hide the HTTP status.
    return new ConnectorError(
      'validation',
      `${connector.id} answered ${response.status} (${(error as Error).message})`,
      'permanent',
    );
  }
}
