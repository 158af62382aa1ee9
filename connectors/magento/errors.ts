/**
 * Magento's error body is `{"message": "…%1… %fieldName…", "parameters": […] | {…}}`; the message is a template that
 * the parameters fill. 404 is "no such entity"; other 4xx are validation errors.
 */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { InboundResponse } from '../../engine/sdk/index.js';

export function classifyMagentoError(response: InboundResponse): ConnectorError {
  const body = (response.body ?? {}) as { message?: string; parameters?: unknown };
  const message = fillTemplate(body.message ?? `Magento answered ${response.status}`, body.parameters);
  const field = parameterField(body.parameters);
  if (response.status === 404) return new ConnectorError('not-found', message, 'permanent', { status: 404, vendorCode: 'NoSuchEntityException', field });
  return new ConnectorError('validation', message, 'permanent', { status: response.status, vendorCode: response.status === 401 ? 'AuthorizationException' : 'InputException', field });
}

export function fillTemplate(template: string, parameters: unknown): string {
  if (Array.isArray(parameters)) return template.replace(/%(\d+)/g, (m, i: string) => String(parameters[Number(i) - 1] ?? m));
  if (parameters && typeof parameters === 'object') return template.replace(/%([A-Za-z_]+)/g, (m, k: string) => String((parameters as Record<string, unknown>)[k] ?? m));
  return template;
}

function parameterField(parameters: unknown): string | undefined {
  if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) return (parameters as { fieldName?: string }).fieldName;
  return undefined;
}
