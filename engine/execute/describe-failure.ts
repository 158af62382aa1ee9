/**
 * What an event's failure looks like: the step and element, the request that failed, the Junction code and message
 * and, for a connector error, the vendor's status and code; then the consequence (on_error rules, classification).
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import type { ExecutionFailure, PlannedRequest } from './execution-types.js';
import { EngineStateError } from './engine-state-error.js';
import { DependencyMissingError } from './require-xrefs.js';
import { RuleEvaluationError, resolveFailureAction } from './resolve-failure.js';

/** Where the failure happened. */
interface FailureSite {
  step?: string;
  index?: number;
}

/** A connector error as a failure, with its own consequence (before on_error rules). */
export function connectorFailure(error: ConnectorError, at: FailureSite): ExecutionFailure {
  return {
    step: at.step,
    index: at.index,
    request: (error as { request?: PlannedRequest }).request,
    code: error.code,
    message: error.message,
    action: error.retryable ? 'retry' : 'dead_letter',
    status: error.status,
    vendorCode: error.vendorCode,
    retryAfterMs: error.retryAfterMs,
    responseExcerpt: error.responseExcerpt,
    ...(error instanceof DependencyMissingError ? { dependency: error.dependency } : {}),
  };
}

export async function describeFailure(
  error: unknown,
  at: FailureSite,
  integration: CompiledIntegration,
): Promise<ExecutionFailure> {
  // The engine's own coordination failing says nothing about the target: no on_error rule applies.
  if (error instanceof EngineStateError) return connectorFailure(error, at);
  // A rule that failed to evaluate deciding whether a failed call continues: the error holds that call's failure.
  if (error instanceof RuleEvaluationError) return ruleFailure(error);
  if (error instanceof ConnectorError) {
    const failure = connectorFailure(error, at);
    return ruled(integration, failure);
  }
  const e = error as { code?: string; message?: string };
  const guard = typeof e.code === 'string' && /^U10/.test(e.code);
  const failure: ExecutionFailure = {
    step: at.step,
    index: at.index,
    request: (error as { request?: PlannedRequest }).request,
    code: guard ? 'transform-guard' : 'transform-error',
    message: `${e.code ? `JSONata ${e.code}: ` : ''}${e.message ?? String(error)}`,
    action: 'dead_letter',
  };
  return ruled(integration, failure);
}

/** The failure with the consequence its integration's `on_error` rules give it. */
async function ruled(integration: CompiledIntegration, failure: ExecutionFailure): Promise<ExecutionFailure> {
  try {
    return { ...failure, action: await resolveFailureAction(integration, failure) };
  } catch (error) {
    if (!(error instanceof RuleEvaluationError)) throw error;
    return ruleFailure(error);
  }
}

/**
 * The spec cannot decide the fate of the failure a rule was asked about: a dead letter that says why, and keeps that
 * failure (message, status, request), replayed once the rule is fixed.
 */
function ruleFailure(error: RuleEvaluationError): ExecutionFailure {
  const { failure } = error;
  return {
    ...failure,
    code: ON_ERROR_RULE,
    message: `${error.message}. The failure: ${failure.message}`,
    action: 'dead_letter',
  };
}

/** The code of a failure whose `on_error` rule could not be evaluated on it. */
const ON_ERROR_RULE = 'on-error-rule';
