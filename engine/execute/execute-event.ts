/**
 * Runs one event through a compiled integration: `when`, then each step in order (its condition, `for_each`, body,
 * ownership filter, the call with its safeguards in call-step.ts, the xref write). The dry run and the runtime both
 * call this; only the StepInvoker and the state differ, so a passing dry run means something.
 */
import type { CompiledLookup, CompiledStep } from '../compiler/compiled-spec.js';
import type { TransformGuards } from '../transform/transform-engine.js';
import { AttemptCalls, UNCHANGED, callStep, checkpointed } from './call-step.js';
import type { CallOptions, StepCall } from './call-step.js';
import { describeFailure } from './describe-failure.js';
import { evaluate } from './evaluate-expression.js';
import type { BindingScope } from './expression-bindings.js';
import type { ExecutionResult } from './execution-types.js';
import { LookupResolver } from './lookup-resolver.js';
import type { ResolvedLookupCache } from './lookup-resolver.js';
import { droppedFields, filterOwnedFields } from './ownership-filter.js';
import { plain, toList } from './plain-json.js';
import { requireXrefs } from './require-xrefs.js';
import { markStage } from './stage-marks.js';

interface ExecuteOptions extends CallOptions {
  lookups: ReadonlyMap<string, CompiledLookup>;
  guards?: TransformGuards;
  /** Values of resolved lookups (`resolve`) already asked for: per spec set in a runtime, per run in a dry run. */
  lookupCache?: ResolvedLookupCache;
  /** The instant `$now()` and `$millis()` give (a plan gives both sides of a diff one); unset: the evaluation's. */
  now?: number;
  /** Where `$random()` and `$shuffle()` draw from (a dry run's seeded generator); unset: Math.random. */
  random?: () => number;
}

export async function executeEvent(event: unknown, options: ExecuteOptions): Promise<ExecutionResult> {
  const { integration } = options;
  const steps: Record<string, unknown> = {};
  const result: ExecutionResult = { outcome: 'delivered', requests: [], steps, unchanged: [] };
  const scope: BindingScope = { event, steps, lookups: options.lookups, xref: options.state.xref };
  if (options.now !== undefined) scope.now = options.now;
  if (options.random !== undefined) scope.random = options.random;
  // Only a spec set with a lookup resolved through a connection reads one (three maps per event otherwise).
  if (options.lookupCache && resolvesLookups(options.lookups))
    scope.resolver = new LookupResolver({
      cache: options.lookupCache,
      invoke: options.invoke,
      integration: integration.name,
      eventId: options.eventId,
      onRequest: (request) => result.requests.push(request),
    });
  let current: { step?: string; index?: number } = {};
  let writes = 0;
  const attempt = new AttemptCalls(integration);
  try {
    if (integration.when && !truthy(await evaluate(scope, options.guards, integration.when, event))) {
      return finish(result, 'skipped', { skippedReason: 'when' });
    }
    // Awaited only when there is something to require (no promise and no microtask turn per event otherwise).
    if (integration.requires)
      await requireXrefs(integration.requires, scope.xref, (r) => evaluate(scope, options.guards, r.key, event));
    for (const [stepIndex, step] of integration.steps.entries()) {
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
        if (step.requires)
          await requireXrefs(step.requires, scope.xref, (r) =>
            evaluate(scope, options.guards, r.key, elements[index], extra),
          );
        const raw = plain(
          step.body ? await evaluate(scope, options.guards, step.body, elements[index], extra) : undefined,
        );
        markStage('transformed', options.eventId);
        const body = step.ownedFields ? filterOwnedFields(raw, step.ownedFields, step.identityFields) : raw;
        const dropped = step.ownedFields ? droppedFields(raw, step.ownedFields, step.identityFields) : [];
        if (dropped.length > 0)
          (result.withheld ??= []).push({ step: step.id, ...(at === undefined ? {} : { index: at }), fields: dropped });
        if (step.ownedFields) writes++;
        const lookup: StepCall['lookup'] = {
          element: elements[index],
          evaluate: (expr, input) => evaluate(scope, options.guards, expr, input, { ...extra, body }),
        };
        const bodyFor = step.forEach || !options.source ? undefined : currentBody(step, scope, options);
        const call = await callStep({ step, stepIndex, body, index: at, lookup, bodyFor }, options, result, attempt);
        results.push(call === UNCHANGED ? undefined : call);
        if (step.saveXref && call !== UNCHANGED) {
          // Both ids see the step's result: a link from the id the target just assigned back to the source record.
          const bound = { ...extra, result: call };
          const sourceId = await evaluate(scope, options.guards, step.saveXref.sourceId, elements[index], bound);
          const targetId = await evaluate(scope, options.guards, step.saveXref.targetId, elements[index], bound);
          if (sourceId !== undefined && targetId !== undefined)
            await options.state.xref.set(step.saveXref.map, String(sourceId), String(targetId));
        }
      }
      steps[step.id] = step.forEach ? results : results[0];
    }
  } catch (error) {
    const failure = await describeFailure(error, current, integration);
    return finish(result, 'failed', { failure });
  }
  if (writes > 0 && result.unchanged.length === writes) return finish(result, 'echo_suppressed');
  return result;
}

/**
 * The result with its outcome set: the object itself, which nothing else holds once the event ends here. A copy
 * (`{ ...result, outcome }`) cost about 1.5 µs on Node 20, whose V8 adds properties to a spread's copy the slow way
 * (docs/performance.md, "Delivery CPU cuts, session 11").
 */
function finish(
  result: ExecutionResult,
  outcome: ExecutionResult['outcome'],
  more?: Pick<ExecutionResult, 'skippedReason' | 'failure'>,
): ExecutionResult {
  result.outcome = outcome;
  if (more) Object.assign(result, more);
  return result;
}

/** A step's body (as sent: its ownership filter applied) for the source record as it is now. */
function currentBody(step: CompiledStep, scope: BindingScope, options: ExecuteOptions) {
  return async (current: unknown): Promise<unknown> => {
    const now = { ...scope, event: current };
    const raw = plain(step.body ? await evaluate(now, options.guards, step.body, current) : undefined);
    return step.ownedFields ? filterOwnedFields(raw, step.ownedFields, step.identityFields) : raw;
  };
}

/** Whether any of the lookups is resolved through a connection (`resolve`). */
function resolvesLookups(lookups: ReadonlyMap<string, CompiledLookup>): boolean {
  for (const lookup of lookups.values()) if (lookup.resolve) return true;
  return false;
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(truthy);
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}

async function ranBefore(step: CompiledStep, options: ExecuteOptions): Promise<boolean> {
  if (!checkpointed(options.integration, step)) return false;
  return (await options.state.checkpoint?.get(step.forEach ? `${step.id}.0` : step.id)) !== undefined;
}
