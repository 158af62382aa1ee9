/**
 * A streamed event the connector could not complete for good (Salesforce refused its enrichment read: a field the
 * object does not have) would be refused again on every redelivery, holding its source at that event for ever. It
 * goes to the dead-letter queue instead, with the vendor's reason and the spec lines of the params to fix, and the
 * source moves on.
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { stableHash } from '../../execute/stable-hash.js';
import type { RefusedEvent } from '../../sdk/connector.js';
import { eventSubject } from '../broker/subjects.js';
import { identifyEvent } from '../ingest/event-publisher.js';
import type { KeylessDeps } from './keyless-records.js';

export async function deadLetterRefused(
  integration: CompiledIntegration,
  event: { id: string; data: unknown; refused: RefusedEvent },
  commit: string,
  deps: KeylessDeps,
): Promise<void> {
  const { refused } = event;
  const sites = refused.params.map((path) => {
    const name = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
    const site = integration.sourceParamSites?.[path.join('.')] ?? integration.file;
    return `\`${name}\` at ${site}`;
  });
  const record = (event.data as { Id?: unknown } | null)?.Id;
  const message =
    `${refused.message} (${sites.join(', ') || integration.file}). The change was not stored as an event: after ` +
    `the fix the record's next change carries the fields; to bring this one, reconcile or backfill the record` +
    `${typeof record === 'string' ? ` ${record}` : ''} (a replay would send it without the fields the read adds)`;
  if (!deps.deadLetters) throw new Error(message);
  const key = await identifyEvent(integration, event.data, deps.guards).then(
    (identity) => identity.key,
    () => '',
  );
  await deps.deadLetters.write({
    id: deps.deadLetters.idFor(`refused:${integration.name}:${event.id}`),
    integration: integration.name,
    eventId: event.id.length > 200 ? stableHash(event.id) : event.id,
    key,
    subject: eventSubject(integration.name, 0),
    event: event.data,
    commit,
    error: { code: refused.code, message },
    reason: 'permanent',
    attempts: 0,
    createdAt: new Date().toISOString(),
    status: 'open',
  });
  deps.log.warn({ integration: integration.name, event: event.id, err: message }, 'refused event dead-lettered');
}
