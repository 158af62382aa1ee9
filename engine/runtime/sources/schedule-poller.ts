/**
 * Schedule sources: poll a connector operation every `every` from the stored cursor (inclusive), store each record
 * not stored before as an event (store-polled.ts), and only then move the cursor (KV compare-and-set; see
 * poll-cursor.ts). Of several engines running the same specs only the one holding the source's lease polls
 * (source-lease.ts). Should two poll
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
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import type { KeylessDeps } from './keyless-records.js';
import {
  advance,
  positionOwner,
  readPollCursor,
  shiftTimestamp,
  snapshotPosition,
  writePollCursor,
} from './poll-cursor.js';
import type { PollCursor } from './poll-cursor.js';
import { storePolled } from './store-polled.js';
import type { PolledRecord } from './store-polled.js';
import { LeasedSources } from './leased-sources.js';
import type { SourceLeaseDeps } from './source-lease.js';
import { SourceRounds } from './source-health.js';
import type { SourceHealthDeps } from './source-health.js';

interface PollerDeps extends KeylessDeps {
  specs: SpecRegistry;
  /** What `$xref` reads in the source's `body` and `records`. */
  xref: ExecutionState['xref'];
  publisher: EventPublisher;
  cursors: KV;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
  /** Pages one poll reads at most. @default PAGES_PER_ROUND */
  pagesPerRound?: number;
}

interface SchedulePollerDeps extends PollerDeps {
  /** The cluster-wide lease each source is polled under. */
  lease: Omit<SourceLeaseDeps, 'log'>;
  /** Where each poll's outcome is kept for status and alerts. */
  health: SourceHealthDeps;
}

/** Pages one poll reads at most, unless the engine's tuning says otherwise (`pollPagesPerRound`). */
const PAGES_PER_ROUND = 1000;

/**
 * Polls once: how many events were stored, and whether the round stopped at the page limit with its position stored
 * part-way (`more`: the next round should start at once rather than after `every`). Each
 * page is stored as it is read, and only what the position needs of it is kept (cursor value, hash, key). When the
 * operation lists its pages in cursor order the position moves after each page, so a large first sync or a backlog
 * is never held whole and a round that stops part-way (a failure, the page limit) goes on from there next time.
 * Otherwise the position moves once every page is stored, as the records of a later page may sort before an earlier.
 */
async function pollRound(
  integration: CompiledIntegration,
  deps: PollerDeps,
  /**
   * The round goes on where one cut short at the page limit stopped: that round read the overlap already, and
   * reading it again could take the whole page budget, round after round, without ever getting past it.
   */
  continuing = false,
): Promise<{ published: number; more: boolean }> {
  const source = integration.source;
  if (source.kind !== 'schedule') return { published: 0, more: false };
  const specSet = deps.specs.active;
  const owner = positionOwner(source);
  const read = await readPollCursor(deps.cursors, integration.name);
  const start = read.source === undefined || read.source === owner ? read : startAfresh(integration, read, deps);
  const stored = start.cursor ?? source.initialCursor;
  const overlapMs = continuing ? 0 : source.overlapMs;
  const from = (stored !== undefined && overlapMs > 0 && shiftTimestamp(stored, -overlapMs)) || stored;
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
  const limit = deps.pagesPerRound ?? PAGES_PER_ROUND;
  let position = start;
  /** Another poller moved the position first: this round stops, the winner's position stands. */
  let lost = false;
  let pages = 0;
  let published = 0;
  /** What the round's end needs of every page, when the position cannot move page by page. */
  const listed: SeenPolled[] = [];
  const onPage = async (result: unknown): Promise<boolean> => {
    pages++;
    // `records` sees $lookup and $xref as the body does: a record may carry what Junction already links it to.
    const found = source.records ? await evaluate(scope, deps.guards, source.records, result) : result;
    const records = found === undefined || found === null ? [] : Array.isArray(found) ? found : [found];
    const polled: PolledRecord[] = [];
    for (const record of records) {
      const value = await Promise.resolve(source.cursor.evaluate(record, {}, deps.guards));
      polled.push({
        value: value === undefined || value === null ? undefined : String(value),
        hash: stableHash(record),
        record,
      });
    }
    const page = await storePolled(integration, specSet.commit, position, polled, deps);
    published += page;
    deps.metrics.eventsIn.inc({ integration: integration.name, source: 'schedule' }, page);
    const kept = polled.map(({ value, hash, key }) => ({ value, hash, key }));
    if (!source.pagesInCursorOrder) listed.push(...kept);
    else {
      // Every record of the page is stored: only then may the position move past them.
      const next = advance({ ...position, cursor: position.cursor ?? stored }, kept, source.overlapMs);
      const moved = await movePosition(deps, integration.name, owner, position, next);
      if (moved) position = moved;
      else lost = true;
    }
    return !lost && pages < limit;
  };
  const call = await deps.specs.invoker(specSet)(
    step,
    { params, body },
    { integration: integration.name, stepId: 'poll', idempotencyKey: `${integration.name}:poll:${from ?? ''}`, onPage },
  );
  // An invoker that does not page (a test's) answers with the whole result: one page.
  if (pages === 0) await onPage(call.result);
  if (pages >= limit) cutShort(integration, pages, deps);
  if (!source.pagesInCursorOrder) {
    const next = source.snapshot
      ? snapshotPosition(start, listed)
      : advance({ ...start, cursor: stored }, listed, source.overlapMs);
    await movePosition(deps, integration.name, owner, start, next);
  }
  deps.metrics.polls.inc({ integration: integration.name });
  return { published, more: pages >= limit && !lost };
}

type SeenPolled = Omit<PolledRecord, 'record'>;

/** Stores `next` unless it is `position` already (compare-and-set); the position now, or undefined when another
 * poller moved it first. */
async function movePosition(
  deps: PollerDeps,
  name: string,
  owner: string,
  position: PollCursor,
  moved: Omit<PollCursor, 'revision'>,
): Promise<PollCursor | undefined> {
  const next = { ...moved, source: owner };
  const same = next.cursor === position.cursor && JSON.stringify(next.seen) === JSON.stringify(position.seen);
  if (same && position.source === owner) return position;
  const revision = await writePollCursor(deps.cursors, name, next, position.revision);
  if (revision === undefined) deps.log.info({ integration: name }, 'cursor moved by another poller');
  return revision === undefined ? undefined : { ...next, revision };
}

/**
 * The position to poll from when the stored one belongs to another query (positionOwner): none, at the stored
 * revision (for the compare-and-set). The round's first move replaces the old position.
 */
function startAfresh(integration: CompiledIntegration, stored: PollCursor, deps: PollerDeps): PollCursor {
  const source = integration.source;
  if (source.kind !== 'schedule') return stored;
  const initial = JSON.stringify(source.initialCursor ?? '');
  const message = source.snapshot
    ? `the list ${integration.name} reads changed (its connection, operation, params, body or identity): the last ` +
      `snapshot (${stored.seen.length} records) belonged to the previous list and is not compared with; every record ` +
      'of this poll is sent'
    : `the query ${integration.name} polls changed (its connection, operation, the params it selects by, its body ` +
      `or its cursor): the stored cursor ${JSON.stringify(stored.cursor ?? '')} belonged to the previous query and ` +
      `is not used; this poll starts afresh at initial_cursor ${initial}. To go on from the stored cursor instead, ` +
      `set initial_cursor to it in the same change (\`junction check --nats\` shows it before the change is deployed)`;
  deps.log.warn({ integration: integration.name, storedCursor: stored.cursor }, message);
  return { seen: [], revision: stored.revision };
}

/**
 * A poll that read as many pages as one poll reads. In cursor order its position is stored up to its last page, and
 * the next poll starts at once from there. Otherwise the position cannot move part-way (a later page may hold records
 * that sort before the stored ones): the records read are stored, and the round fails, every time, until the query
 * lists fewer pages.
 */
function cutShort(integration: CompiledIntegration, pages: number, deps: PollerDeps): void {
  const source = integration.source;
  if (source.kind !== 'schedule') return;
  const fields = { integration: integration.name, pages, operation: source.operation };
  if (source.pagesInCursorOrder) {
    deps.log.warn(
      fields,
      `poll stopped after ${pages} pages, the most one poll reads: its position is stored up to the last record read and the next poll starts at once from there (nothing is skipped); to read more pages per poll, raise junction run --poll-pages`,
    );
    return;
  }
  const why = source.snapshot
    ? 'a snapshot reads its whole list on every poll'
    : `${source.operation} does not list its pages in the order of \`cursor\` (${source.cursor.source}), so the position cannot move part-way`;
  const message = `${integration.name}: one poll read ${pages} pages, the most it reads, and ${why}: the records read are stored, the position stays, and every poll stops there; narrow the source's params or body so that one poll lists fewer pages${source.snapshot ? '' : ', or poll by a cursor the operation orders its pages by'}`;
  deps.log.error(fields, message);
  throw new Error(message);
}

/** Runs a poll round every `every` for each schedule integration of the active set while this engine leads it. */
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

  /**
   * Polls now and every `every` (of the integration's current spec), at once again after a round the page limit cut
   * short (a backlog drains without waiting `every` between its rounds); returns the stop function.
   */
  #poll(name: string): () => Promise<void> {
    let busy: Promise<unknown> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    /** The last round stopped at the page limit with its position stored: the next goes on from there. */
    let continuing = false;
    const rounds = new SourceRounds(this.deps.health, name, 'schedule');
    const tick = () => {
      const current = this.deps.specs.active.integrations.get(name);
      if (stopped || current?.source.kind !== 'schedule') return;
      let next = current.source.everyMs;
      busy = pollRound(current, this.deps, continuing)
        .then(
          ({ more }) => {
            continuing = more;
            if (more) next = 0;
            return rounds.succeeded();
          },
          (error: unknown) => {
            continuing = false;
            this.deps.log.warn({ integration: name, err: error }, 'poll failed; cursor unchanged');
            return rounds.failed(error);
          },
        )
        .finally(() => {
          busy = undefined;
          if (!stopped) timer = setTimeout(tick, next);
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

function substituteCursor(params: Readonly<Record<string, unknown>>, cursor: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
}
