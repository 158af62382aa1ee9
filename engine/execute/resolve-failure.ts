/**
 * The one place where an error's consequence is decided: the integration's `on_error` rules first (in order), then
 * the error's own classification (retryable -> retry, permanent -> dead letter).
 */
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import type { ExecutionFailure, FailureAction } from './execution-types.js';

export async function resolveFailureAction(
  integration: CompiledIntegration,
  failure: ExecutionFailure,
): Promise<FailureAction> {
  const facts = {
    code: failure.code,
    status: failure.status,
    vendor_code: failure.vendorCode,
    message: failure.message,
    step: failure.step,
  };
  for (const rule of integration.onError) {
    if ((await Promise.resolve(rule.match.evaluate(facts))) === true) return rule.action;
  }
  return failure.action;
}
