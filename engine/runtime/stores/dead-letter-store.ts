/**
 * The dead-letter queue, written by the engine itself (advisories are only hints): one KV entry per failed event
 * with the original event, the spec commit, the failing step, the request, a response excerpt and the error.
 * KV gives durable storage, listing by integration and a compare-and-set "replayed" mark.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KV } from '@nats-io/kv';
import type { PlannedRequest } from '../../execute/execution-types.js';
import { OVER_MAX_PAYLOAD } from '../broker/jetstream-publish.js';
import { lastKvSequence, listKvKeys, listLiveEntries, liveEntriesAfter, readLiveEntry } from '../broker/kv-listing.js';
import { jsonForms, redactBody, redactFields, redactSecretValues, secretFieldValues } from '../../http/redact.js';
import type { EngineSecrets } from '../engine-secrets.js';
import { boundedText } from './dead-letter-room.js';
import { carryStoredEvent, deadLetterText, parseDeadLetter } from './dead-letter-text.js';
import type { DeadLetterStatus } from './dead-letter-statuses.js';
import { DEAD_LETTER_ID, INTEGRATION_NAME } from './dead-letter-id.js';

export interface DeadLetter {
  /**
   * `<keyed digest of the event>-<generation>`: unguessable without the cluster's id key (a page cannot compute the
   * id of an order's dead letter from the order number), yet the same for a redelivered event, so a crash between
   * the DLQ write and the ack rewrites the entry instead of adding a second. A replay that fails again gets the next
   * generation.
   */
  id: string;
  integration: string;
  eventId: string;
  key: string;
  /** Subject the event was on; replay republishes there. */
  subject: string;
  /** The original event (parsed JSON, or the raw text when it was not JSON). */
  event: unknown;
  /** Spec commit the failing attempt ran with. */
  commit: string;
  step?: string;
  index?: number;
  request?: PlannedRequest;
  responseExcerpt?: string;
  error: { code: string; message: string; status?: number; vendorCode?: string };
  /**
   * Why it is here: a permanent error, retries exhausted, a deadline passed, or an operator gave up on its retries
   * (`junction retry give-up`; `gaveUp` says who, when and why).
   */
  reason: 'permanent' | 'exhausted' | 'dependency-deadline' | 'throttle-deadline' | 'operator-gave-up';
  /** Who gave up on its retries, when and why (reason `operator-gave-up`). */
  gaveUp?: { by: string; at: string; reason?: string };
  attempts: number;
  /**
   * Steps the event had finished whose call a second run would repeat (creates, actions), from checkpoints a replay
   * resumes from (engine/runtime/operator/replay-steps.ts). Absent when none, and in entries written before.
   */
  finished?: string[];
  createdAt: string;
  /** `open` until replayed, or resolved by an operator (handled without a replay, with a reason). */
  status: DeadLetterStatus;
  replayedAt?: string;
  /**
   * When a replay claimed the entry, before it published the event: from then on a resolve is refused (the event may
   * have been sent), and a replay of it again finishes an interrupted one (the broker keeps one copy). Cleared again
   * when the broker refused that publish (nothing was stored) and no other replay claimed the entry meanwhile.
   */
  replayStartedAt?: string;
  /** Who resolved it, when and why (`junction dlq resolve`). */
  resolution?: { by: string; at: string; reason: string };
}

/** A page of entries in the order they were last written; `next` is the cursor of the next page, null on the last. */
interface DeadLetterScanPage {
  entries: DeadLetter[];
  next: number | null;
}

export class DeadLetterStore {
  readonly #kv: KV;
  readonly #idKey?: Buffer;
  readonly #secrets?: EngineSecrets;
  /**
   * `idKey` (see `loadDeadLetterIdKey`) is needed only by writers, to name new entries; `secrets` are the values a
   * writer masks in the error, the response excerpt and the request (a vendor may echo a token into a step's result).
   */
  constructor(kv: KV, idKey?: Buffer, secrets?: EngineSecrets) {
    this.#kv = kv;
    this.#idKey = idKey;
    this.#secrets = secrets;
  }

  /** The id of the dead letter for an event: generation 0 for the original, n+1 for a failing replay of entry n. */
  idFor(eventDigest: string, replayOf?: string): string {
    if (!this.#idKey) throw new Error('this DeadLetterStore was opened read-only (no id key)');
    return deadLetterId(this.#idKey, eventDigest, replayOf);
  }

  /**
   * Writes (or rewrites, after a crash) an entry. The request is redacted, and the secrets' values masked in it, the
   * error and the excerpt; the event is kept exact because replay needs it (use `redactedView` to show one).
   * `rawEvent` is the event as stored in the stream.
   */
  async write(entry: DeadLetter, rawEvent?: string): Promise<void> {
    const values = this.#secrets?.values() ?? [];
    const mask = (text: string) => redactSecretValues(text, values);
    // The error message is bounded (after masking, so no piece of a secret is left at the cut): the room ingest
    // keeps for the entry counts on it (dead-letter-room.ts).
    const failure = { ...entry.error, message: boundedText(mask(entry.error.message)) };
    const request = entry.request && {
      ...entry.request,
      path: mask(entry.request.path),
      ...(entry.request.body === undefined ? {} : { body: redactBody(entry.request.body, values) }),
    };
    const safe: DeadLetter = {
      ...entry,
      error: failure,
      request: redactFields(request),
      ...(entry.responseExcerpt === undefined ? {} : { responseExcerpt: mask(entry.responseExcerpt) }),
    };
    const key = `${entry.integration}.${entry.id}`;
    // Never fails on the event's shape or size: the event is kept as the bytes stored (dead-letter-text.ts).
    const text = deadLetterText(safe, rawEvent);
    try {
      await this.#kv.put(key, text);
    } catch (error) {
      // An event and its request together can be over the server's max_payload (a 600 KB order mapped whole): an
      // entry that is never written holds its event, redelivered for ever, and its partition. Replay needs only the
      // event, so the request's body and the response excerpt give way, with a note of why, and its path is bounded:
      // what is left fits the room ingest keeps beside every event (dead-letter-room.ts).
      if (!(error instanceof Error) || !OVER_MAX_PAYLOAD.test(error.message)) throw error;
      const omitted = `[omitted: the dead letter with it was ${Buffer.byteLength(text)} bytes, over the NATS server's max_payload]`;
      const { responseExcerpt: _excerpt, request, ...rest } = safe;
      const bounded = request && { ...request, path: boundedText(request.path), body: omitted };
      await this.#kv.put(key, deadLetterText({ ...rest, ...(bounded && { request: bounded }) }, rawEvent));
    }
  }

  /** The entry with this id; undefined when there is none, or `id` (or `integration`) is not one at all. */
  async get(id: string, integration?: string): Promise<{ entry: DeadLetter; revision: number } | undefined> {
    if (!DEAD_LETTER_ID.test(id)) return undefined;
    if (integration !== undefined && !INTEGRATION_NAME.test(integration)) return undefined;
    const key = integration ? `${integration}.${id}` : (await listKvKeys(this.#kv, `*.${id}`))[0];
    if (!key) return undefined;
    const kvEntry = await readLiveEntry(this.#kv, key);
    return kvEntry && { entry: parseDeadLetter(kvEntry.string()), revision: kvEntry.revision };
  }

  /**
   * Entries, oldest first, optionally of one integration and/or status. Listed from the stream's per-subject counts,
   * not `kv.keys()`, which can stall while entries are being written (engine/runtime/broker/kv-listing.ts).
   */
  async list(filter: { integration?: string; status?: DeadLetterStatus } = {}): Promise<DeadLetter[]> {
    if (filter.integration !== undefined && !INTEGRATION_NAME.test(filter.integration))
      throw new RangeError(`${JSON.stringify(filter.integration)} is not an integration name`);
    const entries = await listLiveEntries(this.#kv, filter.integration ? `${filter.integration}.>` : '>');
    return entries
      .map((e) => parseDeadLetter(e.string()))
      .filter((e) => !filter.status || e.status === filter.status)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /**
   * One page of entries, in the order they were last written (the bucket's stream order: oldest change first), after
   * cursor `after` (0: from the start) and, when given, written at or before `until` (a bulk replay's bound, so that
   * the entries it rewrites itself are not met again). Reads the entries one at a time and holds only the page: for
   * listings too large to load at once (`list` reads every entry).
   */
  async page(filter: {
    integration?: string;
    status?: DeadLetterStatus;
    after?: number;
    until?: number;
    limit: number;
  }): Promise<DeadLetterScanPage> {
    if (filter.integration !== undefined && !INTEGRATION_NAME.test(filter.integration))
      throw new RangeError(`${JSON.stringify(filter.integration)} is not an integration name`);
    const entries: DeadLetter[] = [];
    const keys = filter.integration ? `${filter.integration}.>` : '>';
    for await (const stored of liveEntriesAfter(this.#kv, keys, filter.after ?? 0)) {
      if (filter.until !== undefined && stored.seq > filter.until) break;
      const entry = parseDeadLetter(stored.value);
      if (filter.status && entry.status !== filter.status) continue;
      entries.push(entry);
      if (entries.length >= filter.limit) return { entries, next: stored.seq };
    }
    return { entries, next: null };
  }

  /** The cursor of the newest write now: a bulk replay's `until` (it ends with the entries there were at its start). */
  lastWritten(): Promise<number> {
    return lastKvSequence(this.#kv);
  }

  /** The integrations that have entries (read off the keys, no entry is loaded). */
  async integrations(): Promise<string[]> {
    return [...new Set((await listKvKeys(this.#kv, '>')).map((key) => key.slice(0, key.indexOf('.'))))];
  }

  /**
   * Claims an entry for a replay, before the event is published, if it has not changed since `revision` was read:
   * the claimed entry and its new revision, or undefined if it had changed.
   */
  async markReplayStarted(
    entry: DeadLetter,
    revision: number,
  ): Promise<{ entry: DeadLetter; revision: number } | undefined> {
    const claimed = carryStoredEvent(entry, { ...entry, replayStartedAt: new Date().toISOString() });
    const next = await this.#update(claimed, revision);
    return next === undefined ? undefined : { entry: claimed, revision: next };
  }

  /**
   * Takes a replay's claim back after its publish certainly stored nothing, if the entry is still at the claim's
   * `revision` (no other replay claimed it since): open and unclaimed again, so a resolve is no longer refused.
   */
  async releaseReplayClaim(entry: DeadLetter, revision: number): Promise<boolean> {
    const { replayStartedAt: _claim, ...unclaimed } = entry;
    return (await this.#update(carryStoredEvent(entry, unclaimed), revision)) !== undefined;
  }

  /** Marks an entry replayed if it has not changed since `revision` was read. Returns false if it had. */
  async markReplayed(entry: DeadLetter, revision: number): Promise<boolean> {
    const replayed: DeadLetter = { ...entry, status: 'replayed', replayedAt: new Date().toISOString() };
    return (await this.#update(carryStoredEvent(entry, replayed), revision)) !== undefined;
  }

  /** Marks an entry handled without a replay, if unchanged since `revision`. Returns false if it had changed. */
  async markResolved(entry: DeadLetter, revision: number, by: string, reason: string): Promise<boolean> {
    const resolution = { by, at: new Date().toISOString(), reason };
    const resolved: DeadLetter = { ...entry, status: 'resolved', resolution };
    return (await this.#update(carryStoredEvent(entry, resolved), revision)) !== undefined;
  }

  /** Deletes an entry's content for good (KV purge: no earlier revision is kept). */
  async discard(entry: Pick<DeadLetter, 'integration' | 'id'>): Promise<void> {
    await this.#kv.purge(`${entry.integration}.${entry.id}`);
  }

  /**
   * The entry's new revision, or undefined when it changed since `revision` (or is gone). `updated` keeps the event
   * bytes of the entry it was made from (`carryStoredEvent`).
   */
  async #update(updated: DeadLetter, revision: number): Promise<number | undefined> {
    try {
      return await this.#kv.update(`${updated.integration}.${updated.id}`, deadLetterText(updated), revision);
    } catch {
      return undefined;
    }
  }
}

/**
 * An entry as shown to operators (CLI, API): secret-looking fields of the event and the request masked, and their
 * values wherever the error, the response excerpt or the request path quote them (a vendor naming the value it
 * refused). An event kept as text (not JSON, or nested too deep to store parsed) gets those values masked in place.
 */
export function redactedView(entry: DeadLetter): DeadLetter {
  const mask = secretQuoteMask(entry);
  const request = redactFields(entry.request);
  return {
    ...entry,
    event: typeof entry.event === 'string' ? mask(entry.event) : redactFields(entry.event),
    ...(request === undefined ? {} : { request: { ...request, path: mask(request.path) } }),
    error: { ...entry.error, message: mask(entry.error.message) },
    ...(entry.responseExcerpt === undefined ? {} : { responseExcerpt: mask(entry.responseExcerpt) }),
  };
}

/** Masks, in a text, the values of the entry's secret-looking fields (as written, JSON-escaped, or URL-encoded). */
export function secretQuoteMask(entry: Pick<DeadLetter, 'event' | 'request'>): (text: string) => string {
  const event = typeof entry.event === 'string' ? parsedOrUndefined(entry.event) : entry.event;
  const values = secretFieldValues([event, entry.request?.body]);
  if (values.length === 0) return (text) => text;
  const forms = [...new Set([...jsonForms(values), ...values.map(encodeURIComponent)])];
  return (text) => redactSecretValues(text, forms);
}

function parsedOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `<HMAC-SHA256(idKey, event digest), 128 bits, base64url>-<generation>`. */
export function deadLetterId(idKey: Buffer, eventDigest: string, replayOf?: string): string {
  const generation = replayOf ? Number(replayOf.split('-').pop()) + 1 : 0;
  const digest = createHmac('sha256', idKey).update(eventDigest).digest().subarray(0, 16).toString('base64url');
  return `${digest.replace(/[^A-Za-z0-9]/g, 'x')}-${Number.isFinite(generation) ? generation : 1}`;
}

const ID_KEY = 'dlq-id-key';

/**
 * The cluster's dead-letter id key: created at random by the first engine (KV `create` wins once), read by the others.
 * A KV read may be answered by a replica that has not applied the winner's write yet (direct get on an R3 bucket), or
 * the create may have timed out during a leader election and still be committed: so the read is retried for a while.
 */
export async function loadDeadLetterIdKey(meta: KV, readTries = 20): Promise<Buffer> {
  const created = randomBytes(32).toString('base64');
  try {
    await meta.create(ID_KEY, created);
    return Buffer.from(created, 'base64');
  } catch (error) {
    // Another engine created it first, or the answer was lost: read what is stored.
    for (let attempt = 1; ; attempt++) {
      const stored = (await meta.get(ID_KEY).catch(() => null))?.string();
      if (stored) return Buffer.from(stored, 'base64');
      if (attempt >= readTries)
        throw new Error(
          `KV ${ID_KEY} could not be created (${(error as Error).message}) nor read after ${readTries} tries: check that the NATS cluster has a JetStream leader for the runtime buckets, then start again`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
