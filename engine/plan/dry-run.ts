/**
 * Dry run: one event through a compiled integration with recorded responses instead of the network. Same executor,
 * same connectors, same HTTP stack; only the innermost transport differs. The result is the plan: the requests the
 * engine would send, in order, and how the event would end.
 */
import type { ConnectorRegistry } from '../sdk/connector.js';
import type { CompiledLookup, CompiledSpecSet } from '../compiler/compiled-spec.js';
import { createStepInvoker } from '../execute/step-invoker.js';
import { executeEvent } from '../execute/execute-event.js';
import { ResolvedLookupCache } from '../execute/lookup-resolver.js';
import type { ExecutionResult, ExecutionState } from '../execute/execution-types.js';
import { createFixtureTransport } from './fixture-transport.js';
import type { Transport, TransportRequest, TransportResponse } from '../http/transport.js';
import type { RecordedResponses } from './fixture-transport.js';
import { createMemoryState } from './memory-state.js';
import { RUNTIME_GUARDS, identifyAsRuntime } from './runtime-identity.js';
import { hasReversePartner } from '../runtime/worker/echo-partners.js';
import { seededRandom } from './seeded-random.js';

/** One test case's input: the event and the world around it. */
export interface DryRunInput {
  integration: string;
  event: unknown;
  responses?: RecordedResponses;
  xref?: Record<string, Record<string, string>>;
  echo?: Record<string, unknown>;
  /**
   * Records the integration under test created earlier (`<connection>/<object>/<id>`), for `owns: records: created`.
   */
  created?: string[];
  /** Lookup tables overridden for this run: name -> key -> value. */
  lookups?: Record<string, Record<string, unknown>>;
  /** Calls (`<step>[.<index>]`) an earlier attempt sent without learning the outcome: their `find` runs first. */
  outcomeUnknown?: string[];
  /** The instant `$now()` and `$millis()` give (epoch ms), so two runs of a case agree; unset: the clock's. */
  now?: number;
  /** Sees each request as the connector put it on the wire, and the recorded answer (parity tests compare both). */
  tap?: (request: TransportRequest, response: TransportResponse) => void;
}

/** Placeholder secrets: a dry run never needs (or sees) real credentials. */
const dryRunEnv = new Proxy({} as NodeJS.ProcessEnv, {
  get: (_, name) =>
    typeof name === 'string'
      ? /URL$/.test(name)
        ? `https://${name.toLowerCase().replace(/_/g, '-')}.dry-run.invalid`
        : 'dry-run'
      : undefined,
});

/** The body a step produced for one call (after the ownership filter, before the vendor envelope). */
interface StepBody {
  step: string;
  index?: number;
  body: unknown;
}

export interface DryRunResult extends ExecutionResult {
  /** Each call's record, in order: what the transform checks look at in `junction test`. */
  bodies: StepBody[];
  /** The record key the integration's `key` gives the event; absent when it gives none (then `failure` says why). */
  key?: string;
}

/** Runs one case through the shared executor with the fixture transport and in-memory state. */
export async function dryRun(
  specSet: CompiledSpecSet,
  connectors: ConnectorRegistry,
  input: DryRunInput,
): Promise<DryRunResult> {
  const integration = specSet.integrations.get(input.integration);
  if (!integration) throw new Error(`no integration named ${input.integration}`);
  const { key, failure: unkeyed } = await identifyAsRuntime(integration, input.event);
  if (unkeyed) return { outcome: 'failed', requests: [], steps: {}, unchanged: [], bodies: [], failure: unkeyed };
  // The runtime keeps echo state (and skips a write equal to the last one) only for an integration with a reverse
  // partner; any other sends every write.
  const echoState = hasReversePartner(specSet, integration.name);
  if (!echoState && Object.keys(input.echo ?? {}).length > 0) return caseError(noEchoState(integration.name));
  const invoker = createStepInvoker({
    specSet,
    // Fixtures never reach a network, so the private-network guard has nothing to protect here.
    security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
    connectors,
    transport: tapped(createFixtureTransport(input.responses ?? {}), input.tap),
    env: dryRunEnv,
  });
  const bodies: StepBody[] = [];
  const result = await executeEvent(input.event, {
    integration,
    lookups: withOverrides(specSet.lookups, input.lookups),
    invoke: (step, call, context) => {
      bodies.push({ step: step.id, ...(context.index === undefined ? {} : { index: context.index }), body: call.body });
      return invoker(step, call, context);
    },
    state: withoutEchoUnless(
      echoState,
      createMemoryState(
        input.xref,
        input.echo,
        Object.fromEntries((input.created ?? []).map((key) => [key, integration.name])),
        input.outcomeUnknown,
      ),
    ),
    eventId: 'dry-run',
    // The runtime's limits: a transform they stop is dead-lettered there, so it must fail here too.
    guards: RUNTIME_GUARDS,
    now: input.now,
    // A fresh seeded generator per run: both sides of a plan, and every run of it, draw the same numbers.
    random: seededRandom(),
    lookupCache: new ResolvedLookupCache(),
  });
  return { ...result, bodies, key };
}

function tapped(transport: Transport, tap: DryRunInput['tap']): Transport {
  if (!tap) return transport;
  return async (request, context) => {
    const response = await transport(request, context);
    tap(request, response);
    return response;
  };
}

function withoutEchoUnless(echoState: boolean, state: ExecutionState): ExecutionState {
  return echoState ? state : { ...state, lastWritten: undefined };
}

function noEchoState(integration: string): string {
  return (
    `the case seeds \`echo\`, but ${integration} keeps no echo state: no integration of the spec set writes to where ` +
    'its events come from while being fed by what it writes, so the runtime sends every write, also one equal to ' +
    'the last (docs/runtime.md, "Echo suppression"); remove `echo` from the case'
  );
}

/** A case the dry run cannot plan as the runtime would run it: planned as a failure with the reason. */
export function caseError(message: string): DryRunResult {
  return {
    outcome: 'failed',
    requests: [],
    steps: {},
    unchanged: [],
    bodies: [],
    failure: { code: 'case-error', message, action: 'dead_letter' },
  };
}

function withOverrides(
  lookups: ReadonlyMap<string, CompiledLookup>,
  overrides: DryRunInput['lookups'] = {},
): ReadonlyMap<string, CompiledLookup> {
  if (Object.keys(overrides).length === 0) return lookups;
  const out = new Map(lookups);
  for (const [name, entries] of Object.entries(overrides)) {
    const base = lookups.get(name);
    // A test's entries stand in for a resolved lookup's answers too.
    out.set(name, {
      name,
      entries: new Map([...(base?.entries ?? []), ...Object.entries(entries)]),
      defaultValue: base?.defaultValue,
      file: base?.file ?? 'test',
    });
  }
  return out;
}
