/**
 * Errors of a generic JSON API: the status decides (404 not-found, 409 conflict, 423 record-locked, other 4xx
 * validation); the body's `error`/`code` and `message` (or the text) name it.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

/** Classifies a non-2xx response of an in-house JSON API. */
export function classifyHttpError(response: InboundResponse): ConnectorError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as {
    error?: unknown;
    message?: unknown;
    code?: unknown;
    field?: unknown;
  };
  const text = typeof response.body === 'string' ? response.body.slice(0, 200) : undefined;
  const message =
    typeof body.message === 'string'
      ? body.message
      : typeof body.error === 'string' && !body.message
        ? body.error
        : (text ?? `HTTP ${response.status}`);
  const code =
    response.status === 404
      ? 'not-found'
      : response.status === 409
        ? 'conflict'
        : response.status === 423
          ? 'record-locked'
          : 'validation';
  const vendorCode =
    typeof body.error === 'string' ? body.error : typeof body.code === 'string' ? body.code : undefined;
  return new ConnectorError(code, message, 'permanent', {
    status: response.status,
    vendorCode,
    field: typeof body.field === 'string' ? body.field : undefined,
  });
}
