/**
 * Record mode: runs one event against the real (or emulated) connections and keeps every response it received,
 * keyed by step id and element index, redacted, so the run replays offline as a spec test. The plan of the run
 * becomes the case's expectation. Redacted means: secret-looking fields and every secret's value masked, and the
 * integration's `redact` paths (personal data) masked in each response body, with their values wherever quoted.
 */
import {
  FieldRedaction,
  redactCredentials,
  redactFields,
  redactHeaders,
  redactJsonText,
  redactText,
} from '../http/redact.js';
import { specSetSecretValues } from '../http/connection-secrets.js';
import type { ConnectionSecurity } from '../http/connection-client.js';
import { createUndiciTransport } from '../http/transport.js';
import type { Transport } from '../http/transport.js';
import type { ConnectorRegistry } from '../sdk/connector.js';
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import { createStepInvoker } from '../execute/step-invoker.js';
import { executeEvent } from '../execute/execute-event.js';
import { ResolvedLookupCache } from '../execute/lookup-resolver.js';
import type { ExecutionResult } from '../execute/execution-types.js';
import type { RecordedResponse, RecordedResponses } from './fixture-transport.js';
import { createMemoryState } from './memory-state.js';
import { RUNTIME_GUARDS, identifyAsRuntime } from './runtime-identity.js';
import { seededRandom } from './seeded-random.js';

/** What to record: one event through one integration of a compiled set. */
interface RecordInput {
  specSet: CompiledSpecSet;
  connectors: ConnectorRegistry;
  integration: string;
  event: unknown;
  env: NodeJS.ProcessEnv;
  /** The innermost transport; real HTTP unless a test passes its own. */
  transport?: Transport;
  /** The engine's secret allowlist and private targets (an emulator on loopback needs one listed). */
  security?: ConnectionSecurity;
  /** Cross-references before the event: map -> source id -> target id. */
  xref?: Record<string, Record<string, string>>;
}

/** The responses received, ready for a test case's `responses`, and the run's plan. */
interface RecordedRun {
  responses: RecordedResponses;
  result: ExecutionResult;
  /** The integration's `redact` paths over this run's data (event, request and response bodies). */
  redaction: FieldRedaction;
  /** The secret values the connections reference: nothing written to a fixture may contain them. */
  secrets: string[];
}

/** Response headers worth keeping in a fixture: the ones connectors read. Dates and lengths would only churn. */
const KEPT_HEADERS = new Set(['content-type', 'retry-after', 'location', 'sforce-limit-info']);

/** Runs the event for real and returns the redacted responses by step id and element index. */
export async function recordCase(input: RecordInput): Promise<RecordedRun> {
  const integration = input.specSet.integrations.get(input.integration);
  if (!integration) throw new Error(`no integration named ${input.integration}`);
  const secrets = specSetSecretValues(input.specSet, input.env);
  // The runtime's key check first: an event it would refuse (or dead-letter unsent) sends nothing here either.
  const refused = (await identifyAsRuntime(integration, input.event)).failure;
  if (refused)
    return {
      responses: {},
      result: { outcome: 'failed', requests: [], steps: {}, unchanged: [], failure: refused },
      redaction: new FieldRedaction(integration.redact, [input.event]),
      secrets,
    };
  const inner = input.transport ?? createUndiciTransport({ outbound: input.security?.outbound });
  const byStep = new Map<string, RecordedResponse[]>();
  const capture: Transport = async (request, context) => {
    const response = await inner(request, context);
    if (context.stepId !== undefined) {
      // JSON is what a fixture answers by default, so only other content types are kept.
      const kept = Object.entries(redactHeaders(response.headers)).filter(
        ([k, v]) => KEPT_HEADERS.has(k.toLowerCase()) && !(k.toLowerCase() === 'content-type' && v.includes('json')),
      );
      const headers = Object.fromEntries(kept.map(([k, v]) => [k, redactText(v, secrets)]));
      const list = byStep.get(context.stepId) ?? [];
      // The last response per element wins: a 401 answered by a token refresh is followed by the real one.
      list[context.index ?? 0] = {
        status: response.status,
        ...(Object.keys(headers).length ? { headers } : {}),
        ...body(response.body, secrets),
      };
      byStep.set(context.stepId, list);
    }
    return response;
  };
  try {
    const invoke = createStepInvoker({
      specSet: input.specSet,
      connectors: input.connectors,
      transport: capture,
      env: input.env,
      security: input.security,
    });
    const result = await executeEvent(input.event, {
      integration,
      lookups: input.specSet.lookups,
      invoke,
      state: createMemoryState(input.xref),
      eventId: `record-${Date.now()}`,
      // The runtime's limits: a transform they stop sends nothing more, as in the runtime (and in the offline replay).
      guards: RUNTIME_GUARDS,
      // The numbers the offline replay draws too, so what was sent is what the case expects.
      random: seededRandom(),
      lookupCache: new ResolvedLookupCache(),
    });
    const received = [...byStep.values()].flat().filter((r): r is RecordedResponse => r !== undefined);
    const redaction = new FieldRedaction(integration.redact, [
      input.event,
      ...result.requests.map((r) => r.body),
      ...received.map((r) => r.body),
    ]);
    const masked = (r: RecordedResponse | undefined): RecordedResponse | undefined =>
      r && {
        ...r,
        ...(r.headers
          ? { headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, redaction.text(v)])) }
          : {}),
        ...(r.body === undefined ? {} : { body: redaction.document(r.body) }),
      };
    const responses: RecordedResponses = {};
    for (const step of integration.steps) {
      for (const id of [step.id, `${step.id}.find`, `${step.id}.abandon`]) {
        const list = byStep.get(id)?.map(masked) as RecordedResponse[] | undefined;
        if (list) responses[id] = step.forEach ? [...list] : list[0];
      }
    }
    for (const [id, list] of byStep) {
      if (!id.startsWith('lookup.')) continue;
      const kept = list.map(masked) as RecordedResponse[];
      responses[id] = kept.length === 1 ? kept[0] : kept;
    }
    return { responses, result, redaction, secrets };
  } finally {
    if (!input.transport) await (inner as ReturnType<typeof createUndiciTransport>).close();
  }
}

/** A response body as a fixture keeps it: parsed JSON with secret-looking fields and secret values masked. */
function body(text: string, secrets: string[]): { body?: unknown } {
  if (text === '') return {};
  // As JSON when it is: a numeric secret masked in a number would no longer parse.
  const masked = redactCredentials(redactJsonText(text, secrets));
  try {
    return { body: redactFields(JSON.parse(masked)) };
  } catch {
    return { body: masked };
  }
}
