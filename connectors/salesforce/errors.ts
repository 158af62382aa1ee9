/**
 * Salesforce errors come as an array `[{"errorCode": …, "message": …, "fields": […]}]`. The code decides the
 * consequence: a locked record or a validation error is permanent; a row lock held by another transaction (also when
 * a trigger's DML hit it, which arrives wrapped in CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY) or the API request limit
 * clears with time.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

const RETRYABLE = new Set(['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE']);
const CODE_MAP: Record<string, string> = {
  ENTITY_IS_LOCKED: 'record-locked',
  NOT_FOUND: 'not-found',
  ENTITY_IS_DELETED: 'not-found',
  INVALID_SESSION_ID: 'auth',
  DUPLICATE_VALUE: 'duplicate',
};

/** Classifies Salesforce's `[{errorCode, message, fields}]` by its code. */
export function classifySalesforceError(response: InboundResponse): ConnectorError {
  const first = (Array.isArray(response.body) ? response.body[0] : response.body) as
    { errorCode?: string; message?: string; fields?: string[] } | undefined;
  const vendorCode = first?.errorCode;
  const message = first?.message ?? `Salesforce answered ${response.status}`;
  const details = { status: response.status, vendorCode, field: first?.fields?.[0] };
  // 300: the external id matched several records (the body lists them); nothing was written.
  if (response.status === 300 && Array.isArray(response.body))
    return new ConnectorError(
      'duplicate',
      `the external id matches ${response.body.length} records: ${response.body.join(', ')}`,
      'permanent',
      { status: 300 },
    );
  if (vendorCode === 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY' && message.includes('UNABLE_TO_LOCK_ROW'))
    return new ConnectorError('row-lock', message, 'retryable', details);
  if (vendorCode && RETRYABLE.has(vendorCode))
    return new ConnectorError(
      vendorCode === 'UNABLE_TO_LOCK_ROW' ? 'row-lock' : 'rate-limited',
      message,
      'retryable',
      details,
    );
  const code = (vendorCode && CODE_MAP[vendorCode]) ?? (response.status === 404 ? 'not-found' : 'validation');
  return new ConnectorError(code, message, 'permanent', details);
}
