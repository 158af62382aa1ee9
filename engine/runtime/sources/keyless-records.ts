/**
 * A polled or streamed record whose `key` expression gives nothing cannot be ordered or stored as an event. It must
 * not stall its source either (the cursor would never move past it, and every later record would wait behind it), so
 * it goes to the dead-letter queue with the reason, and the source moves on.
 */
import type { Logger } from 'pino';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { stableHash } from '../../execute/stable-hash.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { eventSubject } from '../broker/subjects.js';
import { EventIdentityError, identifyEvent } from '../ingest/event-publisher.js';
import type { EventIdentity } from '../ingest/event-publisher.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';

/** What the sources give to dead-letter a record they cannot identify. */
export interface KeylessDeps {
  deadLetters?: DeadLetterStore;
  log: Logger;
  guards: TransformGuards;
}

/** Why a record without a key was dead-lettered, as its entry says (and the dry run's plan of it). */
export function keylessMessage(error: EventIdentityError): string {
  return `${error.message}: the record was not stored as an event; fix the key expression (or the record) and replay it`;
}

/**
 * The record's identity, or undefined after dead-lettering it (`no-key`, permanent). Without a dead-letter store
 * (tools that poll without an engine) the identity error is thrown, as before.
 */
export async function identifyOrDeadLetter(
  integration: CompiledIntegration,
  record: unknown,
  commit: string,
  deps: KeylessDeps,
): Promise<EventIdentity | undefined> {
  try {
    return await identifyEvent(integration, record, deps.guards);
  } catch (error) {
    if (!(error instanceof EventIdentityError) || !deps.deadLetters) throw error;
    const message = keylessMessage(error);
    await deadLetterUnstored(integration, { record, code: 'no-key', message }, commit, deps.deadLetters);
    deps.log.warn({ integration: integration.name, err: error }, 'record without a key dead-lettered; source moves on');
    return undefined;
  }
}

/** A record a source could not store as an event, and why (`raw`: its text, when it is not JSON). */
export interface UnstoredRecord {
  record: unknown;
  raw?: string;
  code: string;
  message: string;
}

/** Writes the dead letter (permanent, no attempts) of a record that never became an event. */
export async function deadLetterUnstored(
  integration: CompiledIntegration,
  unstored: UnstoredRecord,
  commit: string,
  deadLetters: DeadLetterStore,
): Promise<void> {
  const { record, raw, code, message } = unstored;
  const digest = stableHash(raw ?? record);
  await deadLetters.write(
    {
      id: deadLetters.idFor(`${code}:${integration.name}:${digest}`),
      integration: integration.name,
      eventId: digest,
      key: '',
      subject: eventSubject(integration.name, 0),
      event: record,
      commit,
      error: { code, message },
      reason: 'permanent',
      attempts: 0,
      createdAt: new Date().toISOString(),
      status: 'open',
    },
    raw,
  );
}
