/**
 * Schedule sources: poll a connector operation every `every` from the stored cursor (inclusive), store each record
 * not stored before as an event, and only then move the cursor (KV compare-and-set; see poll-cursor.ts). Of several
 * engines running the same specs only the one holding the source's lease polls (source-lease.ts). Should two poll
 * at once anyway (one lost its lease mid-poll), the CAS lets one cursor move win, and the broker's dedup id plus the
 * ledger drop the records polled twice.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration, CompiledStep } from '../../compiler/compiled-spec.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { evaluate } from '../../execute/evaluate-expression.js';
import type { ExecutionState } from '../../execute/execution-types.js';
import { eventlessScope } from '../../execute/read-source.js';
import { stableHash } from '../../execute/stable-hash.js';
import { eventData } from '../ingest/event-publisher.js';
import type { EventIdentity, EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { identifyOrDeadLetter } from './keyless-records.js';
import { keyOrderedBatches } from './key-ordered-batches.js';
import type { KeylessDeps } from './keyless-records.js';
import { advance, readPollCursor, shiftTimestamp, snapshotPosition, writePollCursor } from './poll-cursor.js';
import type { SeenRecord } from './poll-cursor.js';
import { cursorReadsNoRecord } from './record-free-cursor.js';
import { LeasedSources } from './leased-sources.js';
import type { SourceLeaseDeps } from './source-lease.js';
import { SourceRounds } from './source-health.js';
import type { SourceHealthDeps } from './source-health.js';
import { storeRecord } from './store-record.js';

/** Records published at once (of different keys): a large first poll must not open thousands of PubAcks together. */
const PUBLISH_BATCH = 64;

export interface PollerDeps extends KeylessDeps {
  specs: SpecRegistry;
  /** What `$xref` reads in the source's `body` and `records`. */
  xref: ExecutionState['xref'];
  publisher: EventPublisher;
  cursors: KV;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
}

export interface SchedulePollerDeps extends PollerDeps {
  /** The cluster-wide lease each source is polled under. */
  lease: Omit<SourceLeaseDeps, 'log'>;
  /** Where each poll's outcome is kept for status and alerts. */
  health: SourceHealthDeps;
}

/** Polls once; returns how many events were stored. Exported for tests and `junction run --once`-style tools. */
export async function pollOnce(integration: CompiledIntegration, deps: PollerDeps): Promise<number> {
  const source = integration.source;
  if (source.kind !== 'schedule') return 0;
  const specSet = deps.specs.active;
  const position = await readPollCursor(deps.cursors, integration.name);
  const stored = position.cursor ?? source.initialCursor;
  const from = (stored !== undefined && source.overlapMs > 0 && shiftTimestamp(stored, -source.overlapMs)) || stored;
  const params = substituteCursor(source.params, from ?? '');
  const scope = eventlessScope({ lookups: specSet.lookups, xref: deps.xref });
  const body = source.body ? await evaluate(scope, deps.guards, source.body, {}, { cursor: from ?? null }) : undefined;
  const step: CompiledStep = {
    id: 'poll',
    connection: source.connection,
    operation: source.operation,
    kind: 'query',
    params,
    identityFields: [],
    reads: [],
  };
  const call = await deps.specs.invoker(specSet)(
    step,
    { params, body },
    { integration: integration.name, stepId: 'poll', idempotencyKey: `${integration.name}:poll:${from ?? ''}` },
  );
  // `records` sees $lookup and $xref as the body does: a record may carry what Junction already links it to.
  const listed = source.records ? await evaluate(scope, deps.guards, source.records, call.result) : call.result;
  const records = listed === undefined || listed === null ? [] : Array.isArray(listed) ? listed : [listed];
  const seen = new Set(position.seen.map(([, hash]) => hash));
  // A snapshot remembers the last poll's content per record identity (the cursor value); other sources the last
  // content stored of each record key at or near the cursor, and the key of each content.
  const before = source.snapshot ? new Map(position.seen.map(([value, hash]) => [value, hash])) : undefined;
  const keyed = position.seen.filter((entry): entry is Required<SeenRecord> => entry[2] !== undefined);
  const lastOfKey = new Map(keyed.map(([, hash, key]) => [key, hash]));
  const keyOfHash = new Map(keyed.map(([, hash, key]) => [hash, key]));
  const recordFree = !source.snapshot && cursorReadsNoRecord(source.cursor);
  const polled: { value?: string; hash: string; key?: string; record: unknown }[] = [];
  for (const record of records) {
    const value = await Promise.resolve(source.cursor.evaluate(record, {}, deps.guards));
    const hash = stableHash(record);
    polled.push({
      value: value === undefined || value === null ? undefined : String(value),
      hash,
      key: keyOfHash.get(hash),
      record,
    });
  }
  let published = 0;
  const fresh = polled.filter((p) => (before ? before.get(p.value ?? '') !== p.hash : !seen.has(p.hash)));
  const identified: { p: (typeof polled)[number]; identity: EventIdentity }[] = [];
  for (const p of fresh) {
    const identity = await identifyOrDeadLetter(integration, p.record, specSet.commit, deps);
    if (identity) identified.push({ p, identity });
  }
  for (const batch of keyOrderedBatches(identified, ({ identity }) => identity.key, PUBLISH_BATCH)) {
    await Promise.all(
      batch.map(async ({ p, identity }) => {
        p.key = identity.key;
        const replaced = before ? before.get(p.value ?? '') : lastOfKey.get(identity.key);
        const eventId = polledEventId(identity.eventId, replaced, position.revision, !!before, recordFree);
        const result = await storeRecord(
          deps.publisher,
          {
            integration: integration.name,
            identity: { ...identity, eventId },
            data: eventData(p.record),
            commit: specSet.commit,
          },
          p.record,
          integration.redact,
        );
        if (!result.duplicate) published++;
      }),
    );
  }
  deps.metrics.eventsIn.inc({ integration: integration.name, source: 'schedule' }, published);
  // Every polled record is stored now: only then does the position move (compare-and-set, one poller wins).
  const next = source.snapshot
    ? snapshotPosition(position, polled)
    : advance({ ...position, cursor: stored }, polled, source.overlapMs);
  if (next.cursor !== position.cursor || JSON.stringify(next.seen) !== JSON.stringify(position.seen)) {
    if (!(await writePollCursor(deps.cursors, integration.name, next, position.revision)))
      deps.log.info({ integration: integration.name }, 'cursor moved by another poller');
  }
  deps.metrics.polls.inc({ integration: integration.name });
  return published;
}

/** Runs `pollOnce` every `every` for each schedule integration of the active set while this engine leads it. */
export class SchedulePoller {
  readonly #sources: LeasedSources;

  constructor(private readonly deps: SchedulePollerDeps) {
    this.#sources = new LeasedSources({ ...deps.lease, log: deps.log }, (name) => this.#poll(name));
  }

  /** Starts or stops the integrations' leases to match the active spec set (a poll reads its spec each time). */
  sync(): void {
    const wanted = [...this.deps.specs.active.integrations.values()].filter((i) => i.source.kind === 'schedule');
    this.#sources.sync(new Map(wanted.map((i) => [i.name, 'schedule'])));
  }

  stop(): Promise<void> {
    return this.#sources.stop();
  }

  /** Polls now and every `every` (of the integration's current spec); returns the stop function. */
  #poll(name: string): () => Promise<void> {
    let busy: Promise<unknown> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const rounds = new SourceRounds(this.deps.health, name, 'schedule');
    const tick = () => {
      const current = this.deps.specs.active.integrations.get(name);
      if (stopped || current?.source.kind !== 'schedule') return;
      const every = current.source.everyMs;
      busy = pollOnce(current, this.deps)
        .then(
          () => rounds.succeeded(),
          (error: unknown) => {
            this.deps.log.warn({ integration: name, err: error }, 'poll failed; cursor unchanged');
            return rounds.failed(error);
          },
        )
        .finally(() => {
          busy = undefined;
          if (!stopped) timer = setTimeout(tick, every);
        });
    };
    tick();
    return async () => {
      stopped = true;
      clearTimeout(timer);
      await busy;
      rounds.end();
    };
  }
}

/**
 * The event id of a polled record. A record may come back to a content it had before (a stock level, a status
 * blocked and released), and its own id (dedup id or content hash) would then be one the broker and the ledger already
 * know: the change would be dropped. So when it replaces another content of its key (`replaced`), or its cursor reads
 * nothing of it (no change stamp of its own tells its changes apart, record-free-cursor.ts), the id also names the KV
 * revision of the position it was polled from. A poll repeated after a crash reads the same revision and gives the
 * same ids, which the broker and the ledger drop. A snapshot's record listed for the first time keeps its old id.
 */
function polledEventId(
  id: string,
  replaced: string | undefined,
  revision: number,
  snapshot: boolean,
  recordFree: boolean,
): string {
  if (replaced !== undefined || recordFree) return stableHash([id, replaced ?? null, revision]);
  return snapshot ? stableHash([id, null]) : id;
}

function substituteCursor(params: Readonly<Record<string, unknown>>, cursor: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
}
