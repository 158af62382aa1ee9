/**
 * M3 answers a failed transaction ("NOK") with HTTP 200 and an error in the result: message, field and code. A
 * locked record is permanent for this event (M3 reports it as a hard failure); other NOKs are validation errors.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

export interface M3Result {
  transaction: string;
  records?: Record<string, string>[];
  errorMessage?: string;
  errorType?: string;
  errorField?: string;
  errorCode?: string;
}

export function nokError(result: M3Result, status = 200): ConnectorError {
  const locked = /lock/i.test(result.errorMessage ?? '') || result.errorCode === 'XLO0101';
  const missing = /does not exist/i.test(result.errorMessage ?? '');
  return new ConnectorError(locked ? 'record-locked' : missing ? 'not-found' : 'validation', `${result.transaction}: ${result.errorMessage ?? 'NOK'}`, 'permanent', { status, vendorCode: result.errorCode, field: result.errorField });
}

export function classifyM3Error(response: InboundResponse): ConnectorError {
  const result = (response.body as { results?: M3Result[] } | undefined)?.results?.[0];
  if (result?.errorMessage) return nokError(result, response.status);
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  return new ConnectorError(response.status === 404 ? 'not-found' : 'validation', `M3 answered ${response.status}: ${text.slice(0, 200)}`, 'permanent', { status: response.status });
}
