/**
 * The store side of waiting for a required cross-reference (`dependency-missing`; error-fate.ts decides whether to
 * wait and how long): the event's waiting entry (since when, how many waits, for what), and on the first wait a
 * request to the map's writer to fetch that record from its source.
 */
import type { ExecutionFailure } from '../../execute/execution-types.js';
import type { WaitingEntry } from '../stores/waiting-store.js';
import type { EventDelivery } from './event-delivery.js';
import type { EventLog } from './event-log.js';
import type { WorkerContext } from './event-worker.js';

export async function recordWait(
  ctx: WorkerContext,
  d: EventDelivery,
  digest: string,
  failure: ExecutionFailure & { dependency: NonNullable<ExecutionFailure['dependency']> },
  waits: number,
  waited: WaitingEntry | undefined,
  log: EventLog,
): Promise<void> {
  const { map, key, fetch } = failure.dependency;
  const entry: WaitingEntry = {
    integration: d.integration,
    eventId: d.eventId.slice(d.integration.length + 1),
    key: d.key,
    map,
    id: key,
    since: waited?.since ?? new Date().toISOString(),
    waits,
    ...(waited?.fetchedBy ? { fetchedBy: waited.fetchedBy } : {}),
  };
  await ctx.waiting.put(digest, entry);
  if (waits !== 1 || !fetch || !ctx.fetchDependency) return;
  const by = await ctx.fetchDependency(map, key).catch((error: Error) => {
    log.warn({ map, id: key, err: error }, `could not fetch the record for cross-reference ${map} ${key}`);
    return undefined;
  });
  if (by) await ctx.waiting.put(digest, { ...entry, fetchedBy: by });
}
