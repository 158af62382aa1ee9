/**
 * Backfill: read an integration's existing source records through its `read.list` and store each as one of its
 * events, with its normal dedup id, so re-running is harmless (the broker's dedup window, then the ledger, drop what
 * was stored before). The position is kept in the control bucket after every batch, so an interrupted backfill
 * resumes where it stopped. Publishing waits while the integration's backlog is above `maxInFlight`, so live events
 * are never queued behind more than that many backfilled ones, and the workers' rate limits pace the target.
 */
import type { KV } from '@nats-io/kv';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { lastCursor, sourcePages } from '../../execute/read-source.js';
import type { ReadBindings } from '../../execute/read-source.js';
import type { StepInvoker } from '../../execute/execution-types.js';
import { identifyEvent } from '../../runtime/ingest/event-publisher.js';
import type { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import type { CompiledExpression, TransformGuards } from '../../transform/transform-engine.js';

interface BackfillPosition {
  /** Where the listing asks from next (inclusive). */
  cursor: string;
  since?: string;
  where?: string;
  listed: number;
  stored: number;
  duplicates: number;
  filtered: number;
  startedAt: string;
  updatedAt: string;
  done: boolean;
}

export interface BackfillProgress {
  listed: number;
  stored: number;
  duplicates: number;
  filtered: number;
  /** Records listed but not yet stored, when the listing is known (one listing returns them all). */
  pending?: number;
}

export interface BackfillOptions {
  integration: CompiledIntegration;
  invoke: StepInvoker;
  /** What `$lookup` and `$xref` read in the `read.list` body. */
  bindings: ReadBindings;
  /** Where events are stored; undefined for a dry run (records are handed to `onRecord` only). */
  publisher?: EventPublisher;
  commit: string;
  /** The control bucket, where the position is kept. */
  control?: KV;
  since?: string;
  where?: CompiledExpression;
  limit?: number;
  /** Ignore a stored position and start over. */
  restart?: boolean;
  /** Events stored and not yet delivered above which publishing waits. @default 200 */
  maxInFlight?: number;
  backlog?: () => Promise<number>;
  guards?: TransformGuards;
  onProgress?: (progress: BackfillProgress) => void;
  onRecord?: (record: unknown) => Promise<void>;
}

const BATCH = 50;

function backfillKey(integration: string): string {
  return `backfill.${integration}`;
}

/** Runs a backfill to the end of the listing (or `limit`); resolves with the final position. */
export async function runBackfill(options: BackfillOptions): Promise<BackfillPosition> {
  const { integration } = options;
  const list = integration.read?.list;
  if (!list)
    throw new Error(`integration ${integration.name} has no read.list (and no schedule source) to backfill from`);
  const stored =
    options.control && !options.restart ? await readPosition(options.control, integration.name) : undefined;
  const resume = stored && !stored.done && stored.since === options.since && stored.where === options.where?.source;
  const now = new Date().toISOString();
  const position: BackfillPosition = resume
    ? stored
    : {
        cursor: options.since ?? list.initialCursor ?? '',
        ...(options.since ? { since: options.since } : {}),
        ...(options.where ? { where: options.where.source } : {}),
        listed: 0,
        stored: 0,
        duplicates: 0,
        filtered: 0,
        startedAt: now,
        updatedAt: now,
        done: false,
      };
  const limit = options.limit ?? Infinity;
  // `limit` is this run's: a resumed position already counts the records of the runs before it.
  const listedBefore = position.listed;
  const listedNow = () => position.listed - listedBefore;
  // Keys this run stored: a record changed while the load runs is listed again at its new cursor, and its live event
  // may already hold that version (a duplicate), stored before the older version this run stored. Storing the new
  // version once more, under its own event id, makes it the last one delivered.
  const storedKeys = new Set<string>();
  for await (const fresh of sourcePages(
    integration,
    list,
    position.cursor,
    options.invoke,
    options.bindings,
    options.guards,
  )) {
    let pending = fresh.length;
    for (let i = 0; i < fresh.length && listedNow() < limit;) {
      const room = await waitForRoom(options);
      const batch = fresh.slice(i, i + Math.min(BATCH, room, limit - listedNow()));
      i += batch.length;
      for (const { record } of batch) {
        position.listed++;
        if (options.where && !truthy(await Promise.resolve(options.where.evaluate(record, {}, options.guards)))) {
          position.filtered++;
          continue;
        }
        await options.onRecord?.(record);
        if (!options.publisher) continue;
        const identity = await identifyEvent(integration, record, options.guards);
        const publish = (eventId: string) =>
          options.publisher!.publish({
            integration: integration.name,
            identity: { key: identity.key, eventId },
            data: Buffer.from(JSON.stringify(record)),
            commit: options.commit,
          });
        let result = await publish(identity.eventId);
        if (result.duplicate && storedKeys.has(identity.key))
          result = await publish(`${identity.eventId}~backfill@${position.startedAt}`);
        if (result.duplicate) position.duplicates++;
        else {
          position.stored++;
          storedKeys.add(identity.key);
        }
      }
      pending -= batch.length;
      position.cursor = lastCursor(batch) ?? position.cursor;
      await savePosition(options.control, integration.name, position);
      options.onProgress?.({ ...counts(position), pending });
    }
    if (listedNow() >= limit) break;
  }
  // Stopped by --limit: a later run resumes from here.
  position.done = listedNow() < limit;
  await savePosition(options.control, integration.name, position);
  return position;
}

export async function readPosition(control: KV, integration: string): Promise<BackfillPosition | undefined> {
  const entry = await control.get(backfillKey(integration));
  return entry?.operation === 'PUT' && entry.length > 0 ? entry.json<BackfillPosition>() : undefined;
}

async function savePosition(control: KV | undefined, integration: string, position: BackfillPosition): Promise<void> {
  position.updatedAt = new Date().toISOString();
  await control?.put(backfillKey(integration), JSON.stringify(position));
}

/**
 * Lets live traffic through: waits while the integration's backlog is at `maxInFlight` or above, then says how many
 * events may be stored now.
 */
async function waitForRoom(options: BackfillOptions): Promise<number> {
  if (!options.backlog || !options.publisher) return Infinity;
  const max = options.maxInFlight ?? 200;
  for (;;) {
    const room = max - (await options.backlog());
    if (room > 0) return room;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function counts(p: BackfillPosition): BackfillProgress {
  return { listed: p.listed, stored: p.stored, duplicates: p.duplicates, filtered: p.filtered };
}

function truthy(value: unknown): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== '';
}
