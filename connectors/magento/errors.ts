/**
 * Magento's error body is `{"message": "…%1… %fieldName…", "parameters": […] | {…}}`; the message is a template that
 * the parameters fill. 404 is "no such entity"; a deadlock or lock wait the product repository reports as 400 clears
 * with time (elsewhere they are 500, which the HTTP stack retries); other 4xx are validation errors.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

const TRANSIENT = /^Database (deadlock found when trying to get lock|lock wait timeout exceeded|connection error)/;

/** Classifies a Magento error response: 404 not-found, other 4xx validation (auth is decided by the HTTP stack). */
export function classifyMagentoError(response: InboundResponse): ConnectorError {
  const body = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as {
    message?: string;
    parameters?: unknown;
    errors?: { message?: string; parameters?: unknown }[];
  };
  const base = fillTemplate(
    body.message ??
      (typeof response.body === 'string' && response.body
        ? response.body.slice(0, 200)
        : `Magento answered ${response.status}`),
    body.parameters,
  );
  // "Validation Failed" carries the real reasons in `errors`.
  const reasons = (body.errors ?? []).map((e) => fillTemplate(e.message ?? '', e.parameters)).filter(Boolean);
  const message = reasons.length ? `${base}: ${reasons.join('; ')}` : base;
  const field = parameterField(body.parameters) ?? parameterField(body.errors?.[0]?.parameters);
  // MySQL deadlocks and lock waits: the product repository answers them as a temporary save failure (400).
  if (response.status === 400 && TRANSIENT.test(message))
    return new ConnectorError('row-lock', message, 'retryable', {
      status: 400,
      vendorCode: 'TemporaryCouldNotSaveException',
    });
  if (response.status === 404)
    return new ConnectorError('not-found', message, 'permanent', {
      status: 404,
      vendorCode: 'NoSuchEntityException',
      field,
    });
  return new ConnectorError('validation', message, 'permanent', {
    status: response.status,
    vendorCode: response.status === 401 ? 'AuthorizationException' : 'InputException',
    field,
  });
}

/** Fills Magento's `%1` (list) or `%name` (object) placeholders. */
export function fillTemplate(template: string, parameters: unknown): string {
  if (Array.isArray(parameters))
    return template.replace(/%(\d+)/g, (m, i: string) => String(parameters[Number(i) - 1] ?? m));
  if (parameters && typeof parameters === 'object')
    return template.replace(/%([A-Za-z_]+)/g, (m, k: string) =>
      String((parameters as Record<string, unknown>)[k] ?? m),
    );
  return template;
}

function parameterField(parameters: unknown): string | undefined {
  if (parameters && typeof parameters === 'object' && !Array.isArray(parameters))
    return (parameters as { fieldName?: string; field?: string }).fieldName ?? (parameters as { field?: string }).field;
  return undefined;
}
