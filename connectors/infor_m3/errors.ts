/**
 * M3 answers a failed transaction ("NOK") with HTTP 200 and an error in the result: message, field and code. A
 * locked record is permanent for this event (M3 reports it as a hard failure); other NOKs are validation errors.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

/** One entry of the REST v2 `results` list. */
export interface M3Result {
  transaction: string;
  records?: Record<string, string>[];
  errorMessage?: string;
  errorType?: string;
  errorField?: string;
  errorCode?: string;
}

/** A NOK result as a permanent error: record-locked, not-found or validation, with M3's message, field and code. */
export function nokError(result: M3Result, status = 200): ConnectorError {
  // M3 pads messages to a fixed width; collapse the padding so DLQ entries read well.
  const text = (result.errorMessage ?? 'NOK').replace(/\s+/g, ' ').trim();
  const locked = /\b(lock|locked|reserved)\b/i.test(text) || result.errorCode === 'XLO0101';
  const missing = /does not exist/i.test(text);
  return new ConnectorError(
    locked ? 'record-locked' : missing ? 'not-found' : 'validation',
    `${result.transaction}: ${text}`,
    'permanent',
    { status, vendorCode: result.errorCode?.trim() || undefined, field: result.errorField?.trim() || undefined },
  );
}

/** Classifies a non-2xx M3 response (NOK inside a 200 is handled by the operations' result). */
export function classifyM3Error(response: InboundResponse): ConnectorError {
  const result = (response.body as { results?: M3Result[] } | undefined)?.results?.[0];
  if (result?.errorMessage) return nokError(result, response.status);
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  return new ConnectorError(
    response.status === 404 ? 'not-found' : 'validation',
    `M3 answered ${response.status}: ${text.slice(0, 200)}`,
    'permanent',
    { status: response.status },
  );
}
