/**
 * The executor's state (ExecutionState) for one event, on NATS KV: xref from the shared replica, last-written
 * hashes per target record (echo suppression), the creator of records owned as `records: created`, and checkpoints
 * of completed step calls (a retry resumes after them instead of writing twice).
 *
 * A KV failure inside the executor is the broker's problem, not the event's: every call here that fails rejects with
 * a retryable `state-unavailable` error, never a DLQ (a claim's call-in-flight and awaiting-commit errors are about
 * the event, and pass as they are). The parts are small classes, so an event's state is a few objects and no
 * closures (issue #16: most events never call any of it).
 */
import type { KV, KvEntry } from '@nats-io/kv';
import type { CallCheckpoint, ExecutionState, SeenRecord } from '../../execute/execution-types.js';
import { isSentCall } from '../../execute/execution-types.js';
import { EngineStateError } from '../../execute/engine-state-error.js';
import { keyDigest } from '../broker/subjects.js';
import type { XrefReplica } from '../stores/xref-replica.js';
import type { AttemptLeases } from './call-leases.js';
import { AWAITING_COMMIT, CALL_IN_FLIGHT, STATE_UNAVAILABLE } from './error-fate.js';
import type { ThrottledSoFar } from './error-fate.js';

interface EventStateOptions {
  written: KV;
  checkpoints: KV;
  xref: XrefReplica;
  integration: string;
  /** Digest of the event id: scopes the checkpoints. */
  eventDigest: string;
  /** Keep last-written hashes (echo suppression): only integrations with a reverse partner (echo-partners.ts). */
  echoState: boolean;
  /** Sent marks as leases across processes (call-leases.ts); without it a mark is a plain checkpoint. */
  leases?: AttemptLeases;
}

export function eventExecutionState(options: EventStateOptions): ExecutionState {
  const { written, checkpoints, integration, eventDigest, leases } = options;
  return {
    xref: retryableXref(options.xref.xref),
    // Without: every write is sent, nothing is hashed, read or stored.
    lastWritten: options.echoState ? new LastWritten(written) : undefined,
    sourceState: options.echoState ? new SourceState(written) : undefined,
    createdBy: new CreatedBy(written),
    checkpoint: leases
      ? new LeasedCheckpoints(checkpoints, integration, eventDigest, leases)
      : new Checkpoints(checkpoints, integration, eventDigest),
  };
}

/** The error a failed KV call rejects with: retryable, the broker's failure as its cause. */
function unavailable(error: unknown): EngineStateError {
  return new EngineStateError(STATE_UNAVAILABLE, `runtime state unavailable: ${(error as Error).message}`, {
    cause: error,
  });
}

const RETRYABLE_XREFS = new WeakMap<ExecutionState['xref'], ExecutionState['xref']>();

/** The replica's xref with a retryable `set` (its `get` reads the replica, which never fails): one per replica. */
function retryableXref(xref: ExecutionState['xref']): ExecutionState['xref'] {
  let retryable = RETRYABLE_XREFS.get(xref);
  if (!retryable) {
    const { get, set } = xref;
    retryable = {
      get,
      async set(map, sourceId, targetId) {
        try {
          return await set(map, sourceId, targetId);
        } catch (error) {
          throw unavailable(error);
        }
      },
    };
    RETRYABLE_XREFS.set(xref, retryable);
  }
  return retryable;
}

/** Last-written hashes by the digest of the record key. */
class LastWritten implements NonNullable<ExecutionState['lastWritten']> {
  // A write reads the record's last hash and then sets it: digest the record key once.
  readonly #digests = new RecordDigest();
  constructor(private readonly written: KV) {}
  async get(recordKey: string): Promise<string | undefined> {
    try {
      return (await this.written.get(this.#digests.of(recordKey)))?.string() || undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }
  async set(recordKey: string, hash: string): Promise<void> {
    try {
      await this.written.put(this.#digests.of(recordKey), hash);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

/** What is known of a source record, in the same bucket under `seen/<record key>`. */
class SourceState implements NonNullable<ExecutionState['sourceState']> {
  constructor(private readonly written: KV) {}
  async get(recordKey: string): Promise<SeenRecord | undefined> {
    try {
      const text = (await this.written.get(keyDigest(`seen/${recordKey}`)))?.string();
      return text ? (JSON.parse(text) as SeenRecord) : undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }
  async set(recordKey: string, seen: SeenRecord): Promise<void> {
    try {
      await this.written.put(keyDigest(`seen/${recordKey}`), JSON.stringify(seen));
    } catch (error) {
      throw unavailable(error);
    }
  }
}

/** In the same bucket as the hashes, under a key of its own (`created/` is part of what is digested). */
class CreatedBy implements NonNullable<ExecutionState['createdBy']> {
  constructor(private readonly written: KV) {}
  async get(recordKey: string): Promise<string | undefined> {
    try {
      return (await this.written.get(keyDigest(`created/${recordKey}`)))?.string() || undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }
  async set(recordKey: string, creator: string): Promise<void> {
    try {
      await this.written.put(keyDigest(`created/${recordKey}`), creator);
    } catch (error) {
      throw unavailable(error);
    }
  }
}

/** The event's checkpoints; sent marks are plain checkpoints. */
class Checkpoints implements NonNullable<ExecutionState['checkpoint']> {
  constructor(
    private readonly kv: KV,
    private readonly integration: string,
    private readonly eventDigest: string,
  ) {}
  async get(callKey: string): Promise<CallCheckpoint | undefined> {
    try {
      const entry = await this.kv.get(this.key(callKey));
      this.seen(callKey, entry);
      return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<CallCheckpoint>() : undefined;
    } catch (error) {
      throw unavailable(error);
    }
  }
  async set(callKey: string, value: CallCheckpoint): Promise<void> {
    try {
      const key = this.key(callKey);
      await this.kv.put(key, checkpointJson(value));
      this.settled(key);
    } catch (error) {
      throw unavailable(error);
    }
  }
  async clear(callKey: string): Promise<void> {
    try {
      const key = this.key(callKey);
      await this.kv.delete(key);
      this.settled(key);
    } catch (error) {
      throw unavailable(error);
    }
  }
  protected key(callKey: string): string {
    return checkpointKey(this.integration, this.eventDigest, callKey);
  }
  /** A checkpoint entry the attempt read (or null). */
  protected seen(_callKey: string, _entry: KvEntry | null): void {}
  /** A call's checkpoint was written or cleared. */
  protected settled(_key: string): void {}
}

/** Checkpoints whose sent marks are leases across processes (call-leases.ts). */
class LeasedCheckpoints extends Checkpoints {
  // The checkpoint entries this attempt read, so a claim is a compare-and-set against what the attempt saw.
  readonly #seen = new Map<string, KvEntry | null>();
  constructor(
    kv: KV,
    integration: string,
    eventDigest: string,
    private readonly leases: AttemptLeases,
  ) {
    super(kv, integration, eventDigest);
  }
  async claim(callKey: string): Promise<void> {
    try {
      await this.leases.claim(this.key(callKey), this.#seen.get(callKey));
    } catch (error) {
      // Its call-in-flight and awaiting-commit errors are about the event, and pass as they are.
      const code = (error as { code?: string }).code;
      if (code === CALL_IN_FLIGHT || code === AWAITING_COMMIT) throw error;
      throw unavailable(error);
    }
  }
  /** Never fails: a renewal the broker did not take only answers false. */
  holds(callKey: string): Promise<boolean> {
    return this.leases.holdsForCall(this.key(callKey));
  }
  protected override seen(callKey: string, entry: KvEntry | null): void {
    this.#seen.set(callKey, entry);
  }
  protected override settled(key: string): void {
    this.leases.settled(key);
  }
}

function checkpointKey(integration: string, eventDigest: string, callKey: string): string {
  return `${integration}.${eventDigest}.${callKey}`;
}

/** The KV key of a target record, remembered for the last record asked about. */
class RecordDigest {
  #recordKey: string | undefined;
  #digest = '';
  of(recordKey: string): string {
    if (recordKey !== this.#recordKey) {
      this.#recordKey = recordKey;
      this.#digest = keyDigest(recordKey);
    }
    return this.#digest;
  }
}

/**
 * A checkpoint as stored: the call's result (later steps read it) and its request without the body. A resumed call
 * only counts as a request sent (ledger entry), and the body can be large, so it is not written to KV a second time.
 * A sent marker is stored as it is.
 */
export function checkpointJson(value: CallCheckpoint): string {
  if (isSentCall(value)) return JSON.stringify(value);
  const { body: _body, ...request } = value.request;
  return JSON.stringify({ result: value.result, request });
}

/** Spec commit an event's first attempt ran with, so its retries keep that version. */
export async function pinnedCommit(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
): Promise<string | undefined> {
  const entry = await checkpoints.get(`${integration}.${eventDigest}._pin`);
  return entry?.operation === 'PUT' ? entry.string() || undefined : undefined;
}

/** How often the target throttled a retried event, and since when (error-fate.ts: `throttle_deadline`). */
export async function throttledSoFar(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
): Promise<ThrottledSoFar | undefined> {
  const entry = await checkpoints.get(`${integration}.${eventDigest}._throttled`);
  return entry?.operation === 'PUT' ? entry.json<ThrottledSoFar>() : undefined;
}

/** Records a throttled attempt; `undefined` clears the record once the event finishes (a replay starts afresh). */
export async function recordThrottled(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
  throttled: ThrottledSoFar | undefined,
): Promise<void> {
  const key = `${integration}.${eventDigest}._throttled`;
  if (throttled) await checkpoints.put(key, JSON.stringify(throttled));
  else await checkpoints.delete(key);
}

export async function pinCommit(
  checkpoints: KV,
  integration: string,
  eventDigest: string,
  commit: string,
): Promise<void> {
  await checkpoints.create(`${integration}.${eventDigest}._pin`, commit).catch(() => undefined);
}
