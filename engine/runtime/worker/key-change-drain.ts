/**
 * Per-record order across a hot-loaded change of an integration's `key` expression (docs/runtime.md, "Changing an
 * integration's key"). An event carries the key ingest computed, so after the change a record's new events go under
 * another key, partition and parking lane than its events stored or parked under the old one. Until nothing is left
 * under the old key, the integration drains: an event stored under the new key first computes the key it would have
 * had under the old expression (its body is at hand), waits until that key's partition has passed its events stored
 * under the old key (they never wait: they go first), and then queues behind that key's parked lane if there is one
 * (the worker does that, key-parking.ts). Events stored under the old key, and every other integration, run as
 * before. The drain ends once every partition's oldest event is a new one and the old key's parked lanes are gone.
 *
 * Every engine hot-loads the change itself and drains by the same facts in the broker (the stream's heads, the
 * parked markers), so engines and `--workers` processes end together. Each drain is also kept in KV
 * (`junction_control`, `key-change.<integration>`) until it ends, so an engine started meanwhile drains it too.
 */
import type { JetStreamManager, MsgRequest, StoredMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import type { CompiledExpression, TransformGuards } from '../../transform/transform-engine.js';
import { casConflict } from '../broker/cas-conflict.js';
import { liveEntry } from '../broker/kv-listing.js';
import { recordKeyOf } from '../ingest/event-publisher.js';
import { EVENTS_STREAM, HEADER, eventSubject, keyDigest, partitionOf } from '../broker/subjects.js';
import type { EventDelivery } from './event-delivery.js';
import type { KeyParking } from './key-parking.js';

/** One key change being drained, as `/api/status` and `junction status` show it. */
export interface KeyChangeStatus {
  /** The commits before and after the change. */
  from: string;
  to: string;
  oldKey: string;
  newKey: string;
  /** When this process hot-loaded the change (ISO 8601). */
  since: string;
  /** Partitions whose oldest stored event was stored under the old key (as of the last check, every second). */
  partitionsLeft: number;
  /** Keys parked under the old key; null until every partition has passed its old events (they can still park). */
  parkedKeysLeft: number | null;
  /** Events stored under the new key waiting in this process for a partition's old events. */
  held: number;
}

interface Drain {
  integration: string;
  from: string;
  to: string;
  /** The key expression before the change: it gives an event's old key. */
  old: Pick<CompiledIntegration, 'key'>;
  newKey: string;
  since: Date;
  /** Partitions known to have passed their old events (for good: events stored since have the new key). */
  passed: Set<number>;
  /** Digests of the old keys' parked lanes left, once every partition has passed (undefined before). */
  lanes?: Set<string>;
  held: number;
}

/** A drain as kept in KV (`junction_control`, `key-change.<integration>`) while it lasts. */
interface StoredDrain {
  from: string;
  to: string;
  oldKey: string;
  newKey: string;
  since: string;
}

interface KeyChangeDrainOptions {
  jsm: JetStreamManager;
  /** Where drains are kept until they end (`junction_control`). */
  control: KV;
  /** Compiles a stored drain's old key expression (an engine started during the drain). */
  compile: (source: string) => CompiledExpression;
  parking: KeyParking;
  partitions: () => number;
  guards: TransformGuards;
  log: Logger;
  /** How often a waiting event looks at its old partition's head again. @default 100 */
  pollMs?: number;
  /** How often the drain's progress (and end) is checked. @default 1000 */
  checkMs?: number;
}

export class KeyChangeDrains {
  readonly #drains = new Map<string, Drain[]>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;
  #stopped = false;

  constructor(private readonly options: KeyChangeDrainOptions) {}

  /** At a hot-load: every integration of both sets whose key expression changed starts draining. */
  begin(previous: CompiledSpecSet, next: CompiledSpecSet): string[] {
    const begun: string[] = [];
    for (const [name, integration] of next.integrations) {
      const before = previous.integrations.get(name);
      if (!before || before.key.source.trim() === integration.key.source.trim()) continue;
      // Already resumed from KV (this engine started on the old set, then hot-loaded the change).
      if (this.#drains.get(name)?.some((d) => d.to === next.commit && d.old.key.source === before.key.source)) continue;
      const drain: Drain = {
        integration: name,
        from: previous.commit,
        to: next.commit,
        old: before,
        newKey: integration.key.source.trim(),
        since: new Date(),
        passed: new Set(),
        held: 0,
      };
      this.#drains.set(name, [...(this.#drains.get(name) ?? []), drain]);
      begun.push(name);
      void this.#store(drain);
    }
    if (begun.length > 0) {
      this.options.log.warn(
        { integrations: begun, from: previous.commit, to: next.commit },
        'record key expression changed: draining; the same records’ events stored under the new key wait behind ' +
          'those stored or parked under the old key (docs/runtime.md, "Changing an integration\'s key")',
      );
      this.#timer ??= setInterval(() => void this.check(), this.options.checkMs ?? 1000);
      void this.check();
    }
    return begun;
  }

  /**
   * At start: the drains other engines began and have not ended (kept in KV), for the integrations of `set`, so this
   * engine's workers hold the same records' new events too.
   */
  async resume(set: CompiledSpecSet): Promise<void> {
    for (const name of set.integrations.keys()) {
      const entry = liveEntry(await this.options.control.get(storeKey(name)));
      for (const stored of entry?.json<StoredDrain[]>() ?? []) {
        let key: CompiledExpression;
        try {
          key = this.options.compile(stored.oldKey);
        } catch (error) {
          this.options.log.warn({ err: error, integration: name }, 'cannot compile a stored key change drain');
          continue;
        }
        const drain: Drain = {
          integration: name,
          from: stored.from,
          to: stored.to,
          old: { key },
          newKey: stored.newKey,
          since: new Date(stored.since),
          passed: new Set(),
          held: 0,
        };
        this.#drains.set(name, [...(this.#drains.get(name) ?? []), drain]);
        this.options.log.warn(
          { integration: name, from: stored.from, to: stored.to, since: stored.since },
          'a key change is draining (begun before this engine started): draining it here too',
        );
      }
    }
    if (this.#drains.size > 0) {
      this.#timer ??= setInterval(() => void this.check(), this.options.checkMs ?? 1000);
      void this.check();
    }
  }

  draining(integration: string): boolean {
    return this.#drains.has(integration);
  }

  /**
   * For an event of a draining integration, delivered from `partition`: the digests of the keys it had before each
   * change that gave it another key, each key's partition having passed its old events first (this waits, holding
   * the event's own partition). Its worker queues it behind the first of them that is parked. Empty for an event
   * stored under the old key (it goes first) or one whose old key cannot be computed.
   */
  async olderKeys(d: EventDelivery, event: unknown, partition: number): Promise<string[]> {
    const older: string[] = [];
    for (const drain of this.#drains.get(d.integration) ?? []) {
      const key = await recordKeyOf(drain.old, event, this.options.guards);
      if (key === undefined || key === d.key) continue;
      const p = partitionOf(key, this.options.partitions());
      // On the event's own partition the broker's order keeps the old events first.
      if (p !== partition) await this.#waitPassed(drain, p);
      older.push(keyDigest(key));
    }
    return older;
  }

  status(integration: string): KeyChangeStatus[] | undefined {
    const drains = this.#drains.get(integration);
    if (!drains) return undefined;
    const partitions = this.options.partitions();
    return drains.map((d) => ({
      from: d.from,
      to: d.to,
      oldKey: d.old.key.source.trim(),
      newKey: d.newKey,
      since: d.since.toISOString(),
      partitionsLeft: partitions - d.passed.size,
      parkedKeysLeft: d.lanes ? d.lanes.size : null,
      held: d.held,
    }));
  }

  /** One progress check of every drain (also every `checkMs`); a drain with nothing left ends. */
  check(): Promise<void> {
    return (this.#checking ??= this.#checkAll().finally(() => (this.#checking = undefined)));
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #checkAll(): Promise<void> {
    for (const [integration, drains] of this.#drains) {
      for (const drain of drains) {
        try {
          if (await this.#progress(drain)) this.#end(drain);
        } catch (error) {
          this.options.log.warn({ err: error, integration }, 'could not check the key change drain; checking again');
        }
      }
    }
    if (this.#drains.size === 0) this.stop();
  }

  /** Whether nothing is left under the drain's old key. */
  async #progress(drain: Drain): Promise<boolean> {
    const partitions = this.options.partitions();
    for (let p = 0; p < partitions; p++) await this.#passedNow(drain, p);
    if (drain.passed.size < partitions) return false;
    // Every partition has passed its old events, so no old key parks any more: its lanes left are the ones there are.
    if (!drain.lanes) {
      drain.lanes = new Set();
      for (const { kd, event } of await this.options.parking.parkedHeads(drain.integration)) {
        const key = await parsedKey(drain, event, this.options.guards);
        if (key !== undefined && keyDigest(key) === kd) drain.lanes.add(kd);
      }
    }
    for (const kd of drain.lanes)
      if (!(await this.options.parking.marker(drain.integration, kd))) drain.lanes.delete(kd);
    return drain.lanes.size === 0;
  }

  #end(drain: Drain): void {
    void this.#unstore(drain);
    const left = (this.#drains.get(drain.integration) ?? []).filter((d) => d !== drain);
    if (left.length > 0) this.#drains.set(drain.integration, left);
    else this.#drains.delete(drain.integration);
    this.options.log.info(
      { integration: drain.integration, from: drain.from, to: drain.to, since: drain.since.toISOString() },
      'key change drained: nothing is left under the old key; events run by their new key alone',
    );
  }

  /** Keeps the drain in KV (once, whichever engine comes first). */
  #store(drain: Drain): Promise<void> {
    const stored: StoredDrain = {
      from: drain.from,
      to: drain.to,
      oldKey: drain.old.key.source,
      newKey: drain.newKey,
      since: drain.since.toISOString(),
    };
    return this.#updateStored(drain.integration, (list) =>
      list.some((s) => sameDrain(s, stored)) ? undefined : [...list, stored],
    );
  }

  #unstore(drain: Drain): Promise<void> {
    const ended = { to: drain.to, oldKey: drain.old.key.source };
    return this.#updateStored(drain.integration, (list) =>
      list.some((s) => sameDrain(s, ended)) ? list.filter((s) => !sameDrain(s, ended)) : undefined,
    );
  }

  /** Changes the stored list by compare-and-set (`change` gives undefined for no change); a failure is logged. */
  async #updateStored(integration: string, change: (list: StoredDrain[]) => StoredDrain[] | undefined) {
    const kv = this.options.control;
    try {
      for (;;) {
        const entry = await kv.get(storeKey(integration));
        const live = liveEntry(entry);
        const next = change(live?.json<StoredDrain[]>() ?? []);
        if (!next) return;
        try {
          if (next.length === 0) await kv.delete(storeKey(integration), { previousSeq: entry!.revision });
          else if (live) await kv.update(storeKey(integration), JSON.stringify(next), live.revision);
          else if (entry) await kv.update(storeKey(integration), JSON.stringify(next), entry.revision);
          else await kv.create(storeKey(integration), JSON.stringify(next));
          return;
        } catch (error) {
          if (!casConflict(error)) throw error;
        }
      }
    } catch (error) {
      this.options.log.warn({ err: error, integration }, 'could not keep the key change drain in KV');
    }
  }

  async #waitPassed(drain: Drain, p: number): Promise<void> {
    drain.held++;
    try {
      while (!(await this.#passedNow(drain, p).catch(() => false))) {
        if (this.#stopped) throw new Error('engine stopping while an event waited for a key change drain');
        // Ended meanwhile (a check saw nothing left): the partition has passed too.
        if (!this.#drains.get(drain.integration)?.includes(drain)) return;
        await new Promise((r) => setTimeout(r, this.options.pollMs ?? 100));
      }
    } finally {
      drain.held--;
    }
  }

  /** Whether partition `p` has passed its events stored under the old key: its oldest stored event is a new one. */
  async #passedNow(drain: Drain, p: number): Promise<boolean> {
    if (drain.passed.has(p)) return true;
    // STREAM.MSG.GET takes `next_by_subj` since nats-server 2.9 (phantom-pending.ts); an acked event is gone.
    const query = { next_by_subj: eventSubject(drain.integration, p), seq: 1 } as unknown as MsgRequest;
    const head = await this.options.jsm.streams.getMessage(EVENTS_STREAM, query);
    if (head && (await storedUnderOldKey(drain, head, this.options.guards))) return false;
    drain.passed.add(p);
    return true;
  }
}

function storeKey(integration: string): string {
  return `key-change.${integration}`;
}

function sameDrain(a: Pick<StoredDrain, 'to' | 'oldKey'>, b: Pick<StoredDrain, 'to' | 'oldKey'>): boolean {
  return a.to === b.to && a.oldKey === b.oldKey;
}

/** Whether a stored event carries the key the old expression gives it (an event that is not JSON counts as old). */
async function storedUnderOldKey(drain: Drain, msg: StoredMsg, guards: TransformGuards): Promise<boolean> {
  const stored = msg.header?.get(HEADER.key);
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(msg.data));
  } catch {
    return true;
  }
  const key = await recordKeyOf(drain.old, event, guards);
  return key !== undefined && key === stored;
}

async function parsedKey(drain: Drain, d: EventDelivery, guards: TransformGuards): Promise<string | undefined> {
  try {
    return await recordKeyOf(drain.old, JSON.parse(new TextDecoder().decode(d.data)), guards);
  } catch {
    return undefined;
  }
}
