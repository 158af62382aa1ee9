/**
 * Reconcile one source record: run it through the integration as if it were an event, but instead of each write,
 * read the target record it addresses (the operation's `readBack`) and compare the fields the integration owns, as
 * the mapping produces them now, with what the target holds. Reads run for real; nothing is written.
 */
import type { CompiledIntegration, CompiledLookup, CompiledStep } from '../../compiler/compiled-spec.js';
import { executeEvent } from '../../execute/execute-event.js';
import type { ExecutionState, StepInvoker } from '../../execute/execution-types.js';
import { DEPENDENCY_MISSING } from '../../execute/require-xrefs.js';
import { stableHash } from '../../execute/stable-hash.js';
import type { ConnectionClient } from '../../http/connection-client.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { TransformGuards } from '../../transform/transform-engine.js';

const WRITES = new Set(['create', 'update', 'upsert']);

export interface FieldDifference {
  field: string;
  expected: unknown;
  actual: unknown;
}

interface StepComparison {
  step: string;
  index?: number;
  /** `<connection> <object> <identity field>=<value>`: which target record. */
  target: string;
  status: 'match' | 'differs' | 'missing' | 'not-comparable';
  differences?: FieldDifference[];
}

export interface RecordComparison {
  key: string;
  outcome: 'match' | 'differs' | 'missing' | 'skipped' | 'error';
  steps: StepComparison[];
  error?: string;
  /** The source record as read (what `--fix` stores again). */
  record: unknown;
}

interface CompareOptions {
  integration: CompiledIntegration;
  lookups: ReadonlyMap<string, CompiledLookup>;
  /** The real invoker, for the integration's read steps. */
  invoke: StepInvoker;
  /** The connection clients, for reading targets back. */
  client: (connection: string) => ConnectionClient;
  xref: ExecutionState['xref'];
  /** The connection's connector's own notion of equal values (ConnectorDef.sameValue), if it has one. */
  sameValue?: (connection: string) => ((sent: unknown, held: unknown) => boolean) | undefined;
  guards?: TransformGuards;
}

export async function compareRecord(key: string, record: unknown, options: CompareOptions): Promise<RecordComparison> {
  const steps: StepComparison[] = [];
  const invoke: StepInvoker = async (step, call, context) => {
    if (!WRITES.has(step.kind ?? '')) return options.invoke(step, call, context);
    const target = describeTarget(step, call.body);
    const planned = { step: step.id, connection: step.connection, operation: step.operation };
    try {
      const done = await options.client(step.connection).readBack(step.operation, call, context);
      if (!done) {
        steps.push({ step: step.id, index: context.index, target, status: 'not-comparable' });
        return {
          request: { ...planned, method: 'GET', path: '' },
          response: { status: 0, headers: {}, body: undefined },
          result: {},
        };
      }
      const { record: actual, result } = done.result as { record: Record<string, unknown>; result: unknown };
      const differences = compareFields(step, call.body, actual, options.sameValue?.(step.connection));
      steps.push({
        step: step.id,
        index: context.index,
        target,
        status: differences.length ? 'differs' : 'match',
        ...(differences.length ? { differences } : {}),
      });
      return {
        request: { ...planned, method: done.request.method, path: done.request.path },
        response: done.response,
        result,
      };
    } catch (error) {
      if (!(error instanceof ConnectorError) || (error.code !== 'not-found' && error.status !== 404)) throw error;
      steps.push({ step: step.id, index: context.index, target, status: 'missing' });
      return {
        request: { ...planned, method: 'GET', path: '' },
        response: { status: 404, headers: {}, body: undefined },
        result: undefined,
      };
    }
  };
  const state: ExecutionState = {
    xref: { get: options.xref.get, set: async () => undefined },
  };
  const result = await executeEvent(record, {
    integration: options.integration,
    lookups: options.lookups,
    invoke,
    state,
    eventId: `reconcile:${key}`,
    guards: options.guards,
  });
  if (result.outcome === 'skipped') return { key, outcome: 'skipped', steps, record };
  if (result.outcome === 'failed') {
    const failure = result.failure!;
    // A record whose dependency was never synced is not in the target either.
    const outcome = failure.code === DEPENDENCY_MISSING ? 'missing' : 'error';
    return { key, outcome, steps, error: `${failure.code}: ${failure.message}`, record };
  }
  const outcome = steps.some((s) => s.status === 'missing')
    ? 'missing'
    : steps.some((s) => s.status === 'differs')
      ? 'differs'
      : 'match';
  return { key, outcome, steps, record };
}

/** The owned fields the mapping sends that the target holds differently (identity fields are how it was found). */
function compareFields(
  step: CompiledStep,
  body: unknown,
  actual: Record<string, unknown>,
  vendorSame?: (sent: unknown, held: unknown) => boolean,
): FieldDifference[] {
  if (!body || typeof body !== 'object') return [];
  return Object.entries(body as Record<string, unknown>)
    .filter(([field]) => !step.identityFields.includes(field))
    .filter(([field, expected]) => !same(expected, actual[field]) && !vendorSame?.(expected, actual[field]))
    .map(([field, expected]) => ({ field, expected, actual: actual[field] ?? null }));
}

/** Equal as a person would read them: empty is empty, numbers by value, objects by content. */
function same(expected: unknown, actual: unknown): boolean {
  const empty = (v: unknown) => v === undefined || v === null || v === '';
  if (empty(expected) || empty(actual)) return empty(expected) && empty(actual);
  if (typeof expected === 'number' || typeof actual === 'number') return Number(expected) === Number(actual);
  if (typeof expected === 'object' || typeof actual === 'object') return stableHash(expected) === stableHash(actual);
  return expected === actual;
}

function describeTarget(step: CompiledStep, body: unknown): string {
  const row = (body ?? {}) as Record<string, unknown>;
  const identity = step.identityFields.map((f) => `${f}=${String(row[f])}`).join(' ');
  return `${step.connection} ${step.object ?? step.operation}${identity ? ` ${identity}` : ''}`;
}
