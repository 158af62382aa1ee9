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
  cause?: unknown;
}

export class ConnectorError extends Error {
  override name = 'ConnectorError';
  readonly status?: number;
  readonly vendorCode?: string;
  readonly field?: string;
  readonly retryAfterMs?: number;
  readonly responseExcerpt?: string;

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
