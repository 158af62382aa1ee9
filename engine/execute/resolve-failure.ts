/**
 * The one place where an error's consequence is decided: the integration's `on_error` rules first (in order), then
 * the error's own classification (retryable -> retry, permanent -> dead letter). A `continue` rule decides for a
 * failed call (it counts as done and the event goes on); for the event, rules that only apply to calls are passed over.
 * `sent_before` is true for a call an earlier attempt sent without getting an answer (its sent mark): an answer such
 * as M3's "does not exist" can then mean that attempt did the work, where on a first send it means the record is gone.
 */
import type { CompiledIntegration, ErrorAction } from '../compiler/compiled-spec.js';
import type { ExecutionFailure, FailureAction } from './execution-types.js';

/**
 * An `on_error` rule whose match could not be evaluated on a failure (a JSONata error in the rule, say `$number` of a
 * text): the spec cannot decide that failure's fate. Keeps the failure, for the dead letter to show it.
 */
export class RuleEvaluationError extends Error {
  constructor(
    rule: number,
    source: string,
    cause: unknown,
    readonly failure: ExecutionFailure,
  ) {
    const e = cause as { code?: string; message?: string };
    super(
      `on_error rule ${rule} (match: ${source}) could not be evaluated on this failure: ${e?.code ? `JSONata ${e.code}: ` : ''}${e?.message ?? String(cause)}; fix the rule, then replay the dead letter`,
      { cause },
    );
    this.name = 'RuleEvaluationError';
  }
}

/** The action of the first rule matching the failure, or undefined. */
async function firstMatch(integration: CompiledIntegration, failure: ExecutionFailure, sentBefore?: boolean) {
  const forCall = sentBefore !== undefined;
  const facts = {
    code: failure.code,
    status: failure.status,
    vendor_code: failure.vendorCode,
    message: failure.message,
    step: failure.step,
    sent_before: sentBefore === true,
  };
  for (const [i, rule] of integration.onError.entries()) {
    if (!forCall && rule.action === 'continue') continue;
    let matched: unknown;
    try {
      matched = await Promise.resolve(rule.match.evaluate(facts));
    } catch (error) {
      throw new RuleEvaluationError(i + 1, rule.match.source, error, failure);
    }
    if (matched === true) return rule.action;
  }
  return undefined;
}

export async function resolveFailureAction(
  integration: CompiledIntegration,
  failure: ExecutionFailure,
): Promise<FailureAction> {
  return ((await firstMatch(integration, failure)) as Exclude<ErrorAction, 'continue'> | undefined) ?? failure.action;
}

/**
 * True when the first rule matching a failed call says `continue`: the call counts as done. `sentBefore`: an earlier
 * attempt sent this call and got no answer.
 */
export async function continuesAfter(
  integration: CompiledIntegration,
  failure: ExecutionFailure,
  sentBefore = false,
): Promise<boolean> {
  if (!integration.onError.some((rule) => rule.action === 'continue')) return false;
  return (await firstMatch(integration, failure, sentBefore)) === 'continue';
}

/** Whether calls of this integration leave a sent mark for its `on_error` rules (a `continue` that reads it). */
export const marksSentForRules = (integration: CompiledIntegration): boolean =>
  integration.onError.some((rule) => rule.action === 'continue' && rule.readsSentBefore);
