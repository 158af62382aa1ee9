/**
 * A step's `find`: looks up, by its business reference, the record a create would make. The executor runs it
 * before sending a call whose earlier attempt got no definite answer (and, with `when: always`, before every call),
 * and uses the record it finds as the step's result instead of creating a second one.
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledFind, CompiledStep } from '../compiler/compiled-spec.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import { MAX_PAGES } from '../http/connection-client.js';
import type { CompletedCall, PlannedRequest, StepInvoker } from './execution-types.js';
import { plain, toList } from './plain-json.js';

/** Evaluates one of the find's expressions over `input`, with the element's bindings plus `$body`. */
type FindEvaluator = (expr: CompiledExpression, input: unknown) => Promise<unknown>;

/** Where the find runs: the step, the element, the invoker and the event's call key. */
export interface FindCall {
  step: CompiledStep & { find: CompiledFind };
  /** The element the step runs for (the event itself unless `for_each`). */
  element: unknown;
  index?: number;
  invoke: StepInvoker;
  integration: string;
  /** `<event id>:<step>[.<index>]`, the step call's idempotency key. */
  callId: string;
  evaluate: FindEvaluator;
}

/** What a find did: its request (when one was sent), and the found record as the step's result. */
interface FindOutcome {
  request?: PlannedRequest;
  found?: CompletedCall;
}

/**
 * The found record mapped to the step's result, with the find's request; no `found` when nothing matches. A find
 * operation that answers "does not exist" (not-found) finds nothing; more than one match is a permanent error.
 */
export async function findExisting(call: FindCall): Promise<FindOutcome> {
  const { step, evaluate } = call;
  const find = step.find;
  const body = find.body ? plain(await evaluate(find.body, call.element)) : undefined;
  const lookup: CompiledStep = {
    ...step,
    id: `${step.id}.find`,
    operation: find.operation,
    kind: find.kind,
    params: find.params,
    ownedFields: undefined,
    find: undefined,
  };
  const context = {
    integration: call.integration,
    stepId: lookup.id,
    index: call.index,
    idempotencyKey: `${call.callId}.find`,
  };
  let answer: Awaited<ReturnType<StepInvoker>>;
  try {
    answer = await call.invoke(lookup, { params: { ...find.params }, body }, context);
  } catch (error) {
    if (error instanceof ConnectorError && error.code === 'not-found')
      return { request: (error as { request?: PlannedRequest }).request };
    if (error instanceof ConnectorError && error.code === 'page-limit')
      throw Object.assign(
        new ConnectorError(
          'page-limit',
          `integration ${call.integration}, step ${step.id}: find ${find.operation}: ${find.operation} answered ` +
            `more than ${MAX_PAGES} pages, the most a call reads whole; the answer was not used, so the find ` +
            `cannot tell whether the record exists and nothing was created; narrow the find to the record's ` +
            `reference (filter by it in find.params or find.body, e.g. a WHERE on it in a query) so its answer is ` +
            `a few pages`,
          'permanent',
        ),
        { request: (error as { request?: PlannedRequest }).request },
      );
    throw error;
  }
  const matched = find.match ? await evaluate(find.match, answer.result) : answer.result;
  const records = matched === false ? [] : toList(matched);
  if (records.length === 0) return { request: answer.request };
  if (records.length > 1)
    throw Object.assign(
      new ConnectorError(
        'find-ambiguous',
        `step ${step.id}: find ${find.operation} matched ${records.length} records; the reference must identify one record (refine find.match)`,
        'permanent',
      ),
      { request: answer.request },
    );
  const result = find.result ? plain(await evaluate(find.result, records[0])) : plain(records[0]);
  return { request: answer.request, found: { result, request: answer.request } };
}
