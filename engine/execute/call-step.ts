/**
 * One call of one step for one element, with everything that keeps it from writing twice: the checkpoint of an
 * earlier attempt, the find by business reference (after an unknown outcome, or always), the restart of a batch entry
 * whose call got no answer, the unchanged-write skip, the `continue` rule for a call that counts as done, and the
 * ownership of records an integration creates itself.
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledFind, CompiledIntegration, CompiledStep } from '../compiler/compiled-spec.js';
import { connectorFailure } from './describe-failure.js';
import { EngineStateError } from './engine-state-error.js';
import type { ExecutionResult, ExecutionState, PlannedRequest, StepInvoker } from './execution-types.js';
import { isSentCall } from './execution-types.js';
import { rememberWrite, writeUnlessEcho } from './echo-check.js';
import type { EchoFreeWrite, EventSource } from './echo-check.js';
import { findExisting } from './find-existing.js';
import { plain } from './plain-json.js';
import type { FindCall } from './find-existing.js';
import { continuesAfter, marksSentForRules } from './resolve-failure.js';
import { stableHash } from './stable-hash.js';

/** What every call of an event shares. */
export interface CallOptions {
  integration: CompiledIntegration;
  invoke: StepInvoker;
  state: ExecutionState;
  /** Unique id of the event (dedup id): prefixes idempotency keys and checkpoints. */
  eventId: string;
  /**
   * Send every write even when it equals the last one written (a reconcile fix: the target was changed by hand, so
   * echo suppression must not hide the value).
   */
  force?: boolean;
  /** The event's source record, for an integration whose writes keep echo-suppression state. */
  source?: EventSource;
}

/** One call: the step (and its position), the element's body, and what its find needs. */
export interface StepCall {
  step: CompiledStep;
  stepIndex: number;
  body: unknown;
  index?: number;
  /** The element and its expression bindings, for the step's find and the abandon of a restart. */
  lookup?: Pick<FindCall, 'element' | 'evaluate'>;
  /** The step's body for the source record as it is now (echo-check.ts); absent for a `for_each` element. */
  bodyFor?: (current: unknown) => Promise<unknown>;
}

/** A write skipped because it would send what was last written to the record. */
export const UNCHANGED = Symbol('unchanged');

const WRITE_KINDS_WITH_IDENTITY = new Set(['update', 'upsert']);

/**
 * The call keys of this attempt by step position, so a restart can forget a run of steps, and the results calls had
 * in this attempt, so a restart knows the entry it abandons without reading a checkpoint back. Only a restart reads
 * them: an integration without a `restart_from` step keeps nothing (a map and an array less per event).
 */
export class AttemptCalls {
  readonly #keys: { stepIndex: number; callKey: string }[] | undefined;
  readonly #results: Map<string, unknown> | undefined;
  constructor(integration: CompiledIntegration) {
    if (!integration.steps.some((s) => s.restartFrom !== undefined)) return;
    this.#keys = [];
    this.#results = new Map();
  }
  track(stepIndex: number, callKey: string): void {
    this.#keys?.push({ stepIndex, callKey });
  }
  done(callKey: string, result: unknown): unknown {
    this.#results?.set(callKey, result);
    return result;
  }
  resultOf(callKey: string): { result: unknown } | undefined {
    return this.#results?.has(callKey) ? { result: this.#results.get(callKey) } : undefined;
  }
  /** Forgets the checkpoints of steps `from`..`to` (positions), so the next attempt runs them again. */
  async forget(state: ExecutionState, from: number, to: number): Promise<void> {
    for (const { stepIndex, callKey } of this.#keys ?? [])
      if (stepIndex >= from && stepIndex <= to) await state.checkpoint?.clear(callKey);
  }
}

export async function callStep(
  call: StepCall,
  options: CallOptions,
  result: ExecutionResult,
  attempt: AttemptCalls,
): Promise<unknown> {
  const { step, body, index } = call;
  const callKey = index === undefined ? step.id : `${step.id}.${index}`;
  attempt.track(call.stepIndex, callKey);
  const checkpoint = options.state.checkpoint;
  const saved = checkpointed(options.integration, step) ? await checkpoint?.get(callKey) : undefined;
  if (saved && !isSentCall(saved)) {
    result.requests.push(saved.request);
    return attempt.done(callKey, saved.result);
  }
  const restartFrom = step.restartFrom && options.integration.steps.findIndex((s) => s.id === step.restartFrom);
  const restart = async () => {
    await abandonEntry(call, options, result, attempt, restartFrom as number);
    await attempt.forget(options.state, restartFrom as number, call.stepIndex);
  };
  // Until the answer is in, the call counts as sent: a retry (or the redelivery after a crash) looks it up first, or
  // an on_error rule tells its answer apart from a first send's (sent_before). The mark comes before the look-up, so
  // of two attempts of the event that run at once only one looks up and sends.
  const marked = marksSent(options.integration, step) && checkpoint !== undefined;
  if (marked) await (checkpoint.claim ? checkpoint.claim(callKey) : checkpoint.set(callKey, { sent: true }));
  if (saved && restartFrom !== undefined) {
    await restart();
    throw new ConnectorError(
      'restarted',
      `step ${step.id}: an earlier attempt sent this call and got no answer; starting again from step ${step.restartFrom}`,
      'retryable',
    );
  }
  // Without a find there is nothing to look up (no promise and no microtask turn per call).
  const found = step.find ? await lookUp(call, options, result, saved !== undefined) : NOT_FOUND;
  if (found !== NOT_FOUND) return attempt.done(callKey, found);
  // Not sent after all: no mark may make a retry look it up.
  const unmark = () => (marked ? checkpoint.clear(callKey) : undefined);
  if (step.ownsCreatedOnly) {
    try {
      await refuseOthersRecords(step, body, options);
    } catch (error) {
      await unmark();
      throw error;
    }
  }
  // An echo is skipped only when no later step needs its result (the skipped call returns nothing).
  const lastWritten = options.state.lastWritten;
  const skippable = lastWritten && !readByLaterSteps(options.integration, step);
  const recordKey = skippable ? writeRecordKey(step, body) : undefined;
  let write: EchoFreeWrite | undefined;
  if (recordKey && options.force) write = { body, hash: stableHash(body) };
  else if (recordKey) {
    const recordKeyOf = (b: unknown) => writeRecordKey(step, b);
    const check = { step, index, recordKey, body, state: options.state, source: options.source, result, recordKeyOf };
    write = await writeUnlessEcho({ ...check, bodyFor: call.bodyFor });
    if (!write) {
      await unmark();
      result.unchanged.push(recordKey);
      return UNCHANGED;
    }
  }
  // A stale event's step sends what its source holds now.
  const sending = write && write.body !== body ? { ...call, body: write.body } : call;
  const lease: Withdrawal | undefined = marked && checkpoint.holds ? {} : undefined;
  const context = {
    integration: options.integration.name,
    stepId: step.id,
    index,
    idempotencyKey: `${options.eventId}:${callKey}`,
    // A leased call goes out only while this attempt still holds it: it may have waited at its connection's gate.
    ...(lease && {
      beforeSend: async () => {
        if (!(await checkpoint!.holds!(callKey))) throw (lease.withdrawn = leaseExpired(step, callKey));
      },
    }),
  };
  const sentBefore = saved !== undefined;
  const answer = await send(sending, options, result, { callKey, context, marked, sentBefore, restart, lease });
  if (answer === CONTINUED) {
    // A create the spec carries on past (its record is there, added by an attempt without an answer) is its own.
    if (step.ownsCreatedOnly && step.kind === 'create') await rememberCreated(step, body, undefined, options);
    return undefined;
  }
  // The target has answered: from here on a failure is the runtime's own (a state write lost in a broker outage), so
  // the sent mark stays. The retry looks the record up instead of sending the call again.
  result.requests.push(answer.request);
  if (step.ownsCreatedOnly) await rememberCreated(step, body, answer.result, options);
  // The last call of an event, when repeating it is harmless (an update, upsert or read), needs no checkpoint:
  // nothing later in the attempt reads it, and a redelivery that repeats it writes the same record again.
  if (checkpointed(options.integration, step))
    await checkpoint?.set(callKey, { result: answer.result, request: answer.request });
  if (recordKey && write) await rememberWrite(options.state, step, recordKey, write);
  return attempt.done(callKey, answer.result);
}

/**
 * The code of a leased call withdrawn unsent: its attempt's lease would run out before the call could end (it waited
 * at its connection's gate while cut off from NATS). Retried without spending the budget; the mark stays, so the
 * retry looks the record up.
 */
export const LEASE_EXPIRED = 'lease-expired';

/** A leased call's withdrawal, once its lease was found short: the error it was withdrawn with. */
interface Withdrawal {
  withdrawn?: ConnectorError;
}

function leaseExpired(step: CompiledStep, callKey: string): ConnectorError {
  return new EngineStateError(
    LEASE_EXPIRED,
    `step ${step.id}: call ${callKey} not sent: this attempt's lease on it would run out before the call could end (it waited at connection ${step.connection}'s concurrency gate or rate limit, and the lease could not be renewed)`,
  );
}

/** A failed call that an `on_error: continue` rule counts as done. */
const CONTINUED = Symbol('continued');

/**
 * Sends the call. Only the target's own answer decides about the sent mark: a definite refusal (a 4xx, a NOK, a 503,
 * a refused connection) clears it, since the call did not happen; an unknown outcome keeps it (or restarts a batch).
 */
async function send(
  call: StepCall,
  options: CallOptions,
  result: ExecutionResult,
  how: {
    callKey: string;
    context: Parameters<StepInvoker>[2];
    marked: boolean;
    sentBefore: boolean;
    restart: () => Promise<void>;
    lease?: Withdrawal;
  },
): Promise<Awaited<ReturnType<StepInvoker>> | typeof CONTINUED> {
  const { step, index } = call;
  const checkpoint = options.state.checkpoint;
  try {
    return await options.invoke(step, { params: { ...step.params }, body: call.body }, how.context);
  } catch (error) {
    // Withdrawn unsent: the mark is no longer this attempt's to clear, and no on_error rule may count it as done.
    if (how.lease?.withdrawn && error === how.lease.withdrawn) throw error;
    const request = (error as { request?: PlannedRequest }).request;
    if (request) result.requests.push(request);
    const refused = error instanceof ConnectorError && error.outcomeUnknown !== true;
    if (how.marked && refused) await checkpoint?.clear(how.callKey);
    if (!refused && step.restartFrom) await how.restart();
    if (
      error instanceof ConnectorError &&
      request &&
      (await continuesAfter(options.integration, connectorFailure(error, { step: step.id, index }), how.sentBefore))
    ) {
      (result.continued ??= []).push({ step: step.id, ...(index === undefined ? {} : { index }), code: error.code });
      await checkpoint?.set(how.callKey, { result: null, request });
      return CONTINUED;
    }
    throw error;
  }
}

/**
 * Before a restart forgets the step it starts from, that step's `abandon` drops the entry it opened (its result, from
 * this attempt or its checkpoint, names it). Best effort: a refusal or a lost answer leaves that entry open, which
 * never becomes a document.
 */
async function abandonEntry(
  call: StepCall,
  options: CallOptions,
  result: ExecutionResult,
  attempt: AttemptCalls,
  from: number,
) {
  const opener = options.integration.steps[from];
  const abandon = opener.abandon;
  if (!abandon || opener.forEach || !call.lookup) return;
  const checkpoint = attempt.resultOf(opener.id) ? undefined : await options.state.checkpoint?.get(opener.id);
  const opened = attempt.resultOf(opener.id) ?? (checkpoint && !isSentCall(checkpoint) ? checkpoint : undefined);
  if (!opened) return;
  const body = abandon.body ? plain(await call.lookup.evaluate(abandon.body, opened.result)) : undefined;
  const drop: CompiledStep = {
    ...opener,
    id: `${opener.id}.abandon`,
    operation: abandon.operation,
    kind: abandon.kind,
    params: abandon.params,
    ownedFields: undefined,
    find: undefined,
    abandon: undefined,
  };
  const context = {
    integration: options.integration.name,
    stepId: drop.id,
    idempotencyKey: `${options.eventId}:${drop.id}`,
  };
  try {
    const answer = await options.invoke(drop, { params: { ...abandon.params }, body }, context);
    result.requests.push(answer.request);
    (result.abandoned ??= []).push({ step: opener.id });
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const request = (error as { request?: PlannedRequest }).request;
    if (request) result.requests.push(request);
    (result.abandoned ??= []).push({ step: opener.id, code: error.code });
  }
}

const NOT_FOUND = Symbol('not-found');

/** The step's find, when it applies: the found record as the step's result, or NOT_FOUND (then the call is sent). */
async function lookUp(
  call: StepCall,
  options: CallOptions,
  result: ExecutionResult,
  sentBefore: boolean,
): Promise<unknown> {
  const { step, index, lookup } = call;
  const find = step.find;
  if (!find || !lookup || (find.when === 'uncertain' && !sentBefore)) return NOT_FOUND;
  const callKey = index === undefined ? step.id : `${step.id}.${index}`;
  const { request, found } = await findExisting({
    ...lookup,
    step: step as CompiledStep & { find: CompiledFind },
    index,
    invoke: options.invoke,
    integration: options.integration.name,
    callId: `${options.eventId}:${callKey}`,
  }).catch((error: unknown) => {
    const request = (error as { request?: PlannedRequest }).request;
    if (request) result.requests.push(request);
    throw error;
  });
  if (request) result.requests.push(request);
  // Not found: the call is sent (again) under the mark this attempt made.
  if (!found) return NOT_FOUND;
  (result.found ??= []).push({ step: step.id, ...(index === undefined ? {} : { index }) });
  // What an earlier attempt of this event created is this integration's own record.
  if (step.ownsCreatedOnly && sentBefore) await rememberCreated(step, call.body, found.result, options);
  await options.state.checkpoint?.set(callKey, found);
  return found.result;
}

/**
 * `records: created`: a change to an existing record (update, action, delete) is refused unless this integration
 * created it. Permanent: retrying cannot make the record ours.
 */
async function refuseOthersRecords(step: CompiledStep, body: unknown, options: CallOptions): Promise<void> {
  if (!options.state.createdBy || step.kind === 'create' || step.kind === 'upsert') return;
  const key = identityKey(step, body);
  const creator = key === undefined ? undefined : await options.state.createdBy.get(key);
  if (key !== undefined && creator === options.integration.name) return;
  const record = key ?? `${step.connection}/${step.object ?? '?'} (no identity in the body)`;
  const who = creator ? `integration \`${creator}\` created it` : 'Junction did not create it';
  throw new ConnectorError(
    'not-own-record',
    `${record}: ${who}, and \`${options.integration.name}\` owns only the ${step.object ?? ''} records it creates (owns: records: created)`,
    'permanent',
  );
}

/**
 * Marks what a create (its result's `id`, else the identity its body gave, as for M3 records keyed by the caller) or
 * an upsert (its identity) made as this integration's own.
 */
async function rememberCreated(
  step: CompiledStep,
  body: unknown,
  result: unknown,
  options: CallOptions,
): Promise<void> {
  if (!options.state.createdBy) return;
  const id = (result as { id?: unknown } | undefined)?.id;
  const key =
    step.kind === 'create'
      ? id === undefined || id === null
        ? identityKey(step, body)
        : `${step.connection}/${step.object ?? ''}/${String(id)}`
      : step.kind === 'upsert'
        ? identityKey(step, body)
        : undefined;
  if (key) await options.state.createdBy.set(key, options.integration.name);
}

/** `<connection>/<object>/<identity values>` of the record a body addresses. */
function identityKey(step: CompiledStep, body: unknown): string | undefined {
  if (!step.object || step.identityFields.length === 0 || !body || typeof body !== 'object') return undefined;
  const ids = step.identityFields.map((f) => (body as Record<string, unknown>)[f]);
  if (ids.some((id) => id === undefined || id === null)) return undefined;
  return `${step.connection}/${step.object}/${ids.join('/')}`;
}

const REPEATABLE_KINDS = new Set(['update', 'upsert', 'read', 'query']);

/** Whether running a step's call again repeats its effect (a create, an action), unlike an upsert or a read. */
export function repeatsEffect(step: CompiledStep): boolean {
  return !REPEATABLE_KINDS.has(step.kind ?? '');
}

/**
 * Whether a call of this step is marked as sent until its answer is in: a step with a `find` (the retry looks it up)
 * or `restart_from` (the retry restarts the entry), and every checkpointed call of an integration whose `on_error`
 * rules read `sent_before`. The runtime leases these marks across processes (call-leases.ts).
 */
export function marksSent(integration: CompiledIntegration, step: CompiledStep): boolean {
  if (step.find || step.restartFrom) return true;
  return marksSentForRules(integration) && checkpointed(integration, step);
}

/**
 * Whether a call of this step can leave a checkpoint: a sent mark (a step with a `find` or a batch restart) or a
 * completed call, except the event's last when repeating it is harmless (an update, upsert or read, no
 * `for_each`). Only such calls read one, on every attempt: the delivery count cannot tell a first attempt, because a
 * consumer created anew (or a broker that lost its consumer state in a crash) delivers an event that already ran as
 * number 1 again.
 */
export function checkpointed(integration: CompiledIntegration, step: CompiledStep): boolean {
  if (step.find || step.restartFrom) return true;
  return !(step === integration.steps.at(-1) && !step.forEach && REPEATABLE_KINDS.has(step.kind ?? ''));
}

function readByLaterSteps(integration: CompiledIntegration, step: CompiledStep): boolean {
  return integration.steps.some((s) => s.reads.includes(step.id));
}

/** `<connection>/<object>/<identity>` for updates and upserts whose identity is in the body. */
function writeRecordKey(step: CompiledStep, body: unknown): string | undefined {
  if (!step.ownedFields || !WRITE_KINDS_WITH_IDENTITY.has(step.kind ?? '')) return undefined;
  return identityKey(step, body);
}
