/**
 * M3 answers a failed transaction ("NOK") with HTTP 200 and an error in the result: message, field and message id.
 * The id says what happened (M3 message files: `…01` invalid, `…02` must be entered, `…03` does not exist, `…04`
 * already exists) and whether a retry can help: a record changed by another user (XUP0001), added by another user
 * at the same time (XAD0001) or "please try again later" (XO_1130, a record lock that timed out) are transient.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

/** One entry of the REST v2 `results` list (or the top level of an HTTP 400 answer). */
export interface M3Result {
  transaction: string;
  records?: Record<string, string>[];
  errorMessage?: string;
  errorType?: string;
  errorField?: string;
  errorCode?: string;
  /** A terminated request's reason and type (m3-odin `parseMessageV2` reads them without errorMessage/Type). */
  terminationReason?: string;
  terminationErrorType?: string;
}

/** Message ids of contention: another user or job holds or changed the record; the next attempt can succeed. */
const TRANSIENT: Readonly<Record<string, string>> = {
  XUP0001: 'record-changed',
  XAD0001: 'record-changed',
  XO_1130: 'record-locked',
};

/** The Junction code of a NOK: transient contention, does not exist (…03), already exists (…04), or validation. */
function codeOf(id: string, text: string): { code: string; retryable: boolean } {
  if (TRANSIENT[id]) return { code: TRANSIENT[id], retryable: true };
  if (id === 'XDE0001' || id.endsWith('03') || (!id && /does not exist/i.test(text)))
    return { code: 'not-found', retryable: false };
  if (id.endsWith('04') || (!id && /already exists/i.test(text))) return { code: 'duplicate', retryable: false };
  return { code: 'validation', retryable: false };
}

/** A NOK result as a ConnectorError with M3's message (padding removed), field and message id. */
export function nokError(result: M3Result, status = 200): ConnectorError {
  // M3 pads messages to a fixed width; collapse the padding so DLQ entries read well.
  const text = (result.errorMessage ?? 'NOK').replace(/\s+/g, ' ').trim();
  const id = result.errorCode?.trim() ?? '';
  const { code, retryable } = codeOf(id, text);
  return new ConnectorError(code, `${result.transaction}: ${text}`, retryable ? 'retryable' : 'permanent', {
    status,
    vendorCode: id || undefined,
    field: result.errorField?.trim() || undefined,
  });
}

/**
 * Classifies a non-2xx M3 response. REST v2 answers some errors with HTTP 400 and the error at the top level (an
 * unknown program or transaction, a field M3 refuses before running the program); a NOK inside a 200 is handled by
 * the operations' result.
 */
export function classifyM3Error(response: InboundResponse): ConnectorError {
  const raw = response.body as (M3Result & { results?: M3Result[] }) | undefined;
  const top = raw && {
    ...raw,
    errorMessage: raw.errorMessage ?? raw.terminationReason,
    errorType: raw.errorType ?? raw.terminationErrorType,
  };
  const result = top?.results?.[0]?.errorMessage ? top.results[0] : top?.errorMessage ? top : undefined;
  if (result) {
    const error = nokError({ ...result, transaction: result.transaction ?? 'M3' }, response.status);
    const type = result.errorType ? ` (${result.errorType})` : '';
    // Without a message id the text is the request's problem ("Transaction X does not exist"), not a record's: a
    // find must not read it as "no such record" and create again.
    const code = result.errorCode?.trim() ? error.code : 'validation';
    return new ConnectorError(code, error.message + type, code === error.code ? error.disposition : 'permanent', {
      status: response.status,
      vendorCode: error.vendorCode ?? result.errorType,
      field: error.field,
    });
  }
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  return new ConnectorError(
    response.status === 404 ? 'not-found' : 'validation',
    `M3 answered ${response.status}: ${text.slice(0, 200)}`,
    'permanent',
    { status: response.status },
  );
}
