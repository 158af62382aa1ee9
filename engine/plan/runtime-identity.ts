/**
 * What ingest (or a source) makes of an event before any step runs, for the dry run and `junction record`: webhook
 * ingest's checks of the body, then the record key the runtime's own check gives (identifyEvent, under the runtime's
 * transform limits), or the failure the runtime would end the event with. An event refused here never reaches a
 * step, so nothing may be planned or sent.
 */
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import type { ExecutionFailure } from '../execute/execution-types.js';
import type { TransformGuards } from '../transform/transform-engine.js';
import { DEFAULT_TUNING } from '../runtime/runtime-options.js';
import { EventIdentityError, identifyEvent } from '../runtime/ingest/event-publisher.js';
import { keylessMessage } from '../runtime/sources/keyless-records.js';
import { MAX_EVENT_DEPTH, valueDepth } from '../runtime/ingest/json-depth.js';

/** The limits every evaluation of the runtime runs under (a transform they stop is dead-lettered there). */
export const RUNTIME_GUARDS = DEFAULT_TUNING.guards as Required<TransformGuards>;

/** The codes of the refusals `identifyAsRuntime` reports: the event is never stored as an event, or dead-lettered. */
export const IDENTITY_REFUSALS = ['unidentifiable-event', 'no-key'] as const;

/** The codes of what webhook ingest refuses in the body itself, before the key (answered 400, nothing stored). */
export const BODY_REFUSALS = ['too-deep', 'not-an-object'] as const;

/**
 * The event's key, or why the runtime would never run the event, as it says so: an event whose `key` gives no
 * scalar value is refused at ingest (a webhook answers 400, a NATS subject source's reply says why) and a polled or
 * streamed record is dead-lettered (`no-key`). Either way nothing is written.
 */
export async function identifyAsRuntime(
  integration: CompiledIntegration,
  event: unknown,
): Promise<{ key: string; failure?: undefined } | { key?: undefined; failure: ExecutionFailure }> {
  if (integration.source.kind === 'webhook') {
    const refused = refusedBody(event);
    if (refused) return { failure: refused };
  }
  try {
    return { key: (await identifyEvent(integration, event, RUNTIME_GUARDS)).key };
  } catch (error) {
    if (!(error instanceof EventIdentityError)) throw error;
    const { kind } = integration.source;
    if (kind === 'schedule' || kind === 'stream')
      return { failure: { code: 'no-key', message: keylessMessage(error), action: 'dead_letter' } };
    const refusal =
      kind === 'webhook' ? 'ingest answers 400 unidentifiable-event' : 'the NATS source replies not stored';
    return {
      failure: {
        code: 'unidentifiable-event',
        message: `${error.message} (${refusal}: nothing is stored or written)`,
        action: 'dead_letter',
      },
    };
  }
}

/**
 * What webhook ingest answers 400 for in the parsed body (webhook-ingest.ts, same limit and words): nesting deeper
 * than MAX_EVENT_DEPTH, or a body that is no object or array.
 */
function refusedBody(event: unknown): ExecutionFailure | undefined {
  const refusal = (code: (typeof BODY_REFUSALS)[number], message: string): ExecutionFailure => ({
    code,
    message: `${message} (ingest answers 400 ${code}: nothing is stored or written)`,
    action: 'dead_letter',
  });
  if (valueDepth(event, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH)
    return refusal('too-deep', `body is nested deeper than ${MAX_EVENT_DEPTH} levels`);
  if (event === null || typeof event !== 'object')
    return refusal('not-an-object', 'body must be a JSON object or array');
  return undefined;
}
