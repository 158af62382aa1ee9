/**
 * A CRM for the executor tests: it stores what is created (an id per record) and answers queries from its store;
 * `fault` decides each create's fate: a lost answer after the commit, or a refusal (nothing stored).
 */
import type { PlannedRequest, StepInvoker } from '../../engine/execute/execution-types.js';
import { ConnectorError } from '../../engine/sdk/errors.js';

/** A CRM that stores what is created and answers queries from its store; `fault` decides each create's fate. */
export function crm(fault?: (step: string, index: number | undefined, attempt: number) => Error | undefined) {
  const stored: Record<string, unknown>[] = [];
  const calls: PlannedRequest[] = [];
  let creates = 0;
  const invoke: StepInvoker = async (step, call, context) => {
    const request: PlannedRequest = {
      step: step.id,
      ...(context.index === undefined ? {} : { index: context.index }),
      connection: step.connection,
      operation: step.operation,
      method: step.kind === 'query' ? 'GET' : 'POST',
      path: step.kind === 'query' ? `/query?q=${(call.body as { q: string }).q}` : '/sobjects',
      body: call.body,
    };
    calls.push(request);
    if (step.kind === 'query') {
      return { request, response: { status: 200, headers: {}, body: {} }, result: { records: [...stored] } };
    }
    const record = { Id: `00Q${++creates}`, ...(call.body as Record<string, unknown>) };
    const error = fault?.(step.id, context.index, calls.filter((c) => c.step === step.id).length);
    // A lost answer comes after the commit (the record is stored); any other error is a refusal (nothing stored).
    if (!error || (error instanceof ConnectorError && error.outcomeUnknown)) stored.push(record);
    if (error) throw Object.assign(error, { request });
    return { request, response: { status: 201, headers: {}, body: {} }, result: { id: record.Id } };
  };
  return { invoke, stored, calls };
}

/** A timeout after the request was written: the outcome is unknown. */
export const lost = () =>
  new ConnectorError('timeout', 'crm: no response within 100 ms', 'retryable', { outcomeUnknown: true });
