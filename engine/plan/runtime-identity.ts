/**
 * What ingest (or a source) makes of an event before any step runs, for the dry run and `junction record`: the
 * record key the runtime's own check gives (identifyEvent, under the runtime's transform limits), or the failure the
 * runtime would end the event with. An event refused here never reaches a step, so nothing may be planned or sent.
 */
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import type { ExecutionFailure } from '../execute/execution-types.js';
import type { TransformGuards } from '../transform/transform-engine.js';
import { DEFAULT_TUNING } from '../runtime/runtime-options.js';
import { EventIdentityError, identifyEvent } from '../runtime/ingest/event-publisher.js';
import { keylessMessage } from '../runtime/sources/keyless-records.js';

/** The limits every evaluation of the runtime runs under (a transform they stop is dead-lettered there). */
export const RUNTIME_GUARDS = DEFAULT_TUNING.guards as Required<TransformGuards>;

/** The codes of the refusals `identifyAsRuntime` reports: the event is never stored as an event, or dead-lettered. */
export const IDENTITY_REFUSALS = ['unidentifiable-event', 'no-key'] as const;

/**
 * The event's key, or why the runtime would never run the event, as it says so: an event whose `key` gives no
 * scalar value is refused at ingest (a webhook answers 400, a NATS subject source's reply says why) and a polled or
 * streamed record is dead-lettered (`no-key`). Either way nothing is written.
 */
export async function identifyAsRuntime(
  integration: CompiledIntegration,
  event: unknown,
): Promise<{ key: string; failure?: undefined } | { key?: undefined; failure: ExecutionFailure }> {
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
