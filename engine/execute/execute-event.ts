/**
 * Runs one event through a compiled integration: `when`, then each step in order (its condition, `for_each`, body,
 * ownership filter, unchanged-write skip, the call, the xref write). The dry run and the runtime both call this;
 * only the StepInvoker and the state differ, so a passing dry run means something.
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledFind, CompiledIntegration, CompiledLookup, CompiledStep } from '../compiler/compiled-spec.js';
import type { CompiledExpression, TransformGuards } from '../transform/transform-engine.js';
import { expressionBindings } from './expression-bindings.js';
import type { BindingScope } from './expression-bindings.js';
import type {
  ExecutionFailure,
  ExecutionResult,
  ExecutionState,
  PlannedRequest,
  StepInvoker,
} from './execution-types.js';
import { isSentCall } from './execution-types.js';
import { findExisting } from './find-existing.js';
import type { FindCall } from './find-existing.js';
import { droppedFields, filterOwnedFields } from './ownership-filter.js';
import { plain, toList } from './plain-json.js';
import { resolveFailureAction } from './resolve-failure.js';
import { DependencyMissingError, requireXrefs } from './require-xrefs.js';
import { stableHash } from './stable-hash.js';

export interface ExecuteOptions {
  integration: CompiledIntegration;
  lookups: ReadonlyMap<string, CompiledLookup>;
  invoke: StepInvoker;
  state: ExecutionState;
  /** Unique id of the event (dedup id): prefixes idempotency keys and checkpoints. */
  eventId: string;
  guards?: TransformGuards;
  /**
   * Send every write even when it equals the last one written (a reconcile fix: the target was changed by hand, so
   * echo suppression must not hide the value).
   */
  force?: boolean;
}

const WRITE_KINDS_WITH_IDENTITY = new Set(['update', 'upsert']);

export async function executeEvent(event: unknown, options: ExecuteOptions): Promise<ExecutionResult> {
  const { integration } = options;
  const steps: Record<string, unknown> = {};
  const result: ExecutionResult = { outcome: 'delivered', requests: [], steps, unchanged: [] };
  const scope: BindingScope = { event, steps, lookups: options.lookups, xref: options.state.xref };
  let current: { step?: string; index?: number } = {};
  let writes = 0;
  try {
    if (integration.when && !truthy(await evaluate(scope, options.guards, integration.when, event))) {
      return { ...result, outcome: 'skipped', skippedReason: 'when' };
    }
    await requireXrefs(integration.requires, scope.xref, (r) => evaluate(scope, options.guards, r.key, event));
    for (const step of integration.steps) {
      current = { step: step.id };
      // A step that ran in an earlier attempt replays from its checkpoint even when its condition now reads state it
      // changed itself (a create guarded by "no xref yet"), so later steps still see its result.
      if (
        step.when &&
        !(await ranBefore(step, options)) &&
        !truthy(await evaluate(scope, options.guards, step.when, event))
      )
        continue;
      const elements = step.forEach ? toList(await evaluate(scope, options.guards, step.forEach, event)) : [event];
      const results: unknown[] = [];
      for (let index = 0; index < elements.length; index++) {
        const at = step.forEach ? index : undefined;
        current = { step: step.id, index: at };
        const extra = at === undefined ? undefined : { index: at };
        await requireXrefs(step.requires, scope.xref, (r) =>
          evaluate(scope, options.guards, r.key, elements[index], extra),
        );
        const raw = plain(
          step.body ? await evaluate(scope, options.guards, step.body, elements[index], extra) : undefined,
        );
        const body = step.ownedFields ? filterOwnedFields(raw, step.ownedFields, step.identityFields) : raw;
        const dropped = step.ownedFields ? droppedFields(raw, step.ownedFields, step.identityFields) : [];
        if (dropped.length > 0)
          (result.withheld ??= []).push({ step: step.id, ...(at === undefined ? {} : { index: at }), fields: dropped });
        if (step.ownedFields) writes++;
        const find: FindLookup | undefined = step.find && {
          element: elements[index],
          evaluate: (expr, input) => evaluate(scope, options.guards, expr, input, { ...extra, body }),
        };
        const call = await callStep(step, body, at, options, result, find);
        results.push(call === UNCHANGED ? undefined : call);
        if (step.saveXref && call !== UNCHANGED) {
          const sourceId = await evaluate(scope, options.guards, step.saveXref.sourceId, elements[index], extra);
          const targetId = await evaluate(scope, options.guards, step.saveXref.targetId, elements[index], {
            ...extra,
            result: call,
          });
          if (sourceId !== undefined && targetId !== undefined)
            await options.state.xref.set(step.saveXref.map, String(sourceId), String(targetId));
        }
      }
      steps[step.id] = step.forEach ? results : results[0];
    }
  } catch (error) {
    const failure = await describeFailure(error, current, integration);
    return { ...result, outcome: 'failed', failure };
  }
  if (writes > 0 && result.unchanged.length === writes) return { ...result, outcome: 'echo_suppressed' };
  return result;
}

/** A module function rather than a per-event closure (tsx names every closure it binds: a defineProperty each). */
function evaluate(
  scope: BindingScope,
  guards: TransformGuards | undefined,
  expr: CompiledExpression,
  input: unknown,
  extra?: Record<string, unknown>,
): Promise<unknown> {
  return Promise.resolve(expr.evaluate(input, expressionBindings(scope, extra), guards));
}

const UNCHANGED = Symbol('unchanged');

/** What a step's find needs from the element loop: the element and its expression bindings. */
type FindLookup = Pick<FindCall, 'element' | 'evaluate'>;

/**
 * One call of one step for one element: checkpoint resume, the find (after an unknown outcome, or always), the
 * unchanged-write skip, then the real call.
 */
async function callStep(
  step: CompiledStep,
  body: unknown,
  index: number | undefined,
  options: ExecuteOptions,
  result: ExecutionResult,
  lookup?: FindLookup,
): Promise<unknown> {
  const callKey = index === undefined ? step.id : `${step.id}.${index}`;
  const checkpoint = options.state.checkpoint;
  const saved = await checkpoint?.get(callKey);
  if (saved && !isSentCall(saved)) {
    result.requests.push(saved.request);
    return saved.result;
  }
  const find = step.find;
  if (find && lookup && (find.when === 'always' || saved)) {
    const found = await findExisting({
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
    if (found) {
      result.requests.push(found.request);
      (result.found ??= []).push({ step: step.id, ...(index === undefined ? {} : { index }) });
      // What an earlier attempt of this event created is this integration's own record.
      if (step.ownsCreatedOnly && saved) await rememberCreated(step, body, found.result, options);
      await checkpoint?.set(callKey, found);
      return found.result;
    }
    if (saved) await checkpoint?.clear(callKey);
  }
  if (step.ownsCreatedOnly) await refuseOthersRecords(step, body, options);
  // An unchanged write is skipped only when no later step needs its result (the skipped call returns nothing).
  const recordKey = readByLaterSteps(options.integration, step) ? undefined : writeRecordKey(step, body);
  const bodyHash = recordKey ? stableHash(body) : undefined;
  if (!options.force && recordKey && (await options.state.lastWritten.get(recordKey)) === bodyHash) {
    result.unchanged.push(recordKey);
    return UNCHANGED;
  }
  const context = {
    integration: options.integration.name,
    stepId: step.id,
    index,
    idempotencyKey: `${options.eventId}:${callKey}`,
  };
  // Until the answer is in, the call counts as sent: a retry (or the redelivery after a crash) looks it up first.
  const marked = find?.when === 'uncertain' && checkpoint !== undefined;
  if (marked) await checkpoint.set(callKey, { sent: true });
  try {
    const call = await options.invoke(step, { params: { ...step.params }, body }, context);
    result.requests.push(call.request);
    if (step.ownsCreatedOnly) await rememberCreated(step, body, call.result, options);
    await checkpoint?.set(callKey, { result: call.result, request: call.request });
    if (recordKey && bodyHash) await options.state.lastWritten.set(recordKey, bodyHash);
    return call.result;
  } catch (error) {
    const request = (error as { request?: PlannedRequest }).request;
    if (request) result.requests.push(request);
    // A definite answer (a refusal, a 4xx, a NOK) means the call did not happen: the retry sends it without a find.
    if (marked && !(error instanceof ConnectorError && error.outcomeUnknown)) await checkpoint.clear(callKey);
    throw error;
  }
}

async function ranBefore(step: CompiledStep, options: ExecuteOptions): Promise<boolean> {
  return (await options.state.checkpoint?.get(step.forEach ? `${step.id}.0` : step.id)) !== undefined;
}

/**
 * `records: created`: a change to an existing record (update, action, delete) is refused unless this integration
 * created it. Permanent: retrying cannot make the record ours.
 */
async function refuseOthersRecords(step: CompiledStep, body: unknown, options: ExecuteOptions): Promise<void> {
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

/** Marks what a create (its result's `id`) or an upsert (its identity) made as this integration's own. */
async function rememberCreated(
  step: CompiledStep,
  body: unknown,
  result: unknown,
  options: ExecuteOptions,
): Promise<void> {
  if (!options.state.createdBy) return;
  const id = (result as { id?: unknown } | undefined)?.id;
  const key =
    step.kind === 'create'
      ? id === undefined || id === null
        ? undefined
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

function readByLaterSteps(integration: CompiledIntegration, step: CompiledStep): boolean {
  return integration.steps.some((s) => s.reads.includes(step.id));
}

/** `<connection>/<object>/<identity>` for updates and upserts whose identity is in the body. */
function writeRecordKey(step: CompiledStep, body: unknown): string | undefined {
  if (!step.ownedFields || !WRITE_KINDS_WITH_IDENTITY.has(step.kind ?? '')) return undefined;
  return identityKey(step, body);
}

async function describeFailure(
  error: unknown,
  at: { step?: string; index?: number },
  integration: CompiledIntegration,
): Promise<ExecutionFailure> {
  const base = { step: at.step, index: at.index, request: (error as { request?: PlannedRequest }).request };
  if (error instanceof ConnectorError) {
    const failure: ExecutionFailure = {
      ...base,
      code: error.code,
      message: error.message,
      action: error.retryable ? 'retry' : 'dead_letter',
      status: error.status,
      vendorCode: error.vendorCode,
      retryAfterMs: error.retryAfterMs,
      responseExcerpt: error.responseExcerpt,
      ...(error instanceof DependencyMissingError ? { dependency: error.dependency } : {}),
    };
    return { ...failure, action: await resolveFailureAction(integration, failure) };
  }
  const e = error as { code?: string; message?: string };
  const guard = typeof e.code === 'string' && /^U10/.test(e.code);
  const failure: ExecutionFailure = {
    ...base,
    code: guard ? 'transform-guard' : 'transform-error',
    message: `${e.code ? `JSONata ${e.code}: ` : ''}${e.message ?? String(error)}`,
    action: 'dead_letter',
  };
  return { ...failure, action: await resolveFailureAction(integration, failure) };
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}
