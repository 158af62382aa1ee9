/**
 * Errors carry their consequence (STYLE.md rule 7): the runner maps `retryable` to nak(delay), `permanent` to the
 * DLQ at once. Every connector and the HTTP stack throw these and nothing else.
 */

export type ErrorDisposition = 'retryable' | 'permanent';

export interface ConnectorErrorDetails {
  /** HTTP status, when there was a response. */
  status?: number;
  /** The vendor's own error code (`ENTITY_IS_LOCKED`, M3 `WCU0203`, Magento's message parameters...). */
  vendorCode?: string;
  /** The vendor field the error names, when it names one. */
  field?: string;
  /** Delay the target asked for (Retry-After), in ms. */
  retryAfterMs?: number;
  /** A short, redacted excerpt of the response body for the DLQ. */
  responseExcerpt?: string;
  /**
   * The request reached the target and no definite answer came back (timeout or connection lost after it was sent,
   * a gateway error): the target may have applied it. The executor looks a create up before sending it again.
   */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  readonly status?: number;
  readonly vendorCode?: string;
  readonly field?: string;
  readonly retryAfterMs?: number;
  readonly responseExcerpt?: string;
  readonly outcomeUnknown?: boolean;

  constructor(
    /**
     * Stable Junction error code, kebab-case: `http-5xx`, `rate-limited`, `timeout`, `network`, `validation`,
     * `record-locked`, `not-found`, `auth`...
     */
    readonly code: string,
    message: string,
    readonly disposition: ErrorDisposition,
    details: ConnectorErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.vendorCode = details.vendorCode;
    this.field = details.field;
    this.retryAfterMs = details.retryAfterMs;
    this.responseExcerpt = details.responseExcerpt;
    if (details.outcomeUnknown) this.outcomeUnknown = true;
  }

  get retryable(): boolean {
    return this.disposition === 'retryable';
  }
}

export function retryableError(code: string, message: string, details?: ConnectorErrorDetails): ConnectorError {
  return new ConnectorError(code, message, 'retryable', details);
}

export function permanentError(code: string, message: string, details?: ConnectorErrorDetails): ConnectorError {
  return new ConnectorError(code, message, 'permanent', details);
}
