/**
 * The delivery ledger: one KV entry per finished event (delivered, skipped, echo-suppressed or dead-lettered).
 * A redelivery (crash before the ack) or a duplicate beyond the broker's dedup window finds the entry and is acked
 * without touching the target. `create()` fails when the key exists, so two writers can never both record one event.
 */
import type { KV } from '@nats-io/kv';
import { hotKv } from '../broker/hot-kv.js';
import { liveEntry } from '../broker/kv-listing.js';
import type { HotKv } from '../broker/hot-kv.js';
import { keyDigest } from '../broker/subjects.js';

type LedgerStatus = 'delivered' | 'skipped' | 'echo_suppressed' | 'dead_lettered';

export interface LedgerEntry {
  status: LedgerStatus;
  /** Spec commit the event ran with. */
  commit: string;
  /** Broker delivery count of the finishing attempt. */
  attempts: number;
  /** ISO time the event finished. */
  at: string;
  /** Requests sent by the finishing attempt (resumed checkpoints included). */
  requests: number;
  /** Dead-letter entry id, for dead-lettered events. */
  dlqId?: string;
}

export interface LedgerRecord {
  entry: LedgerEntry;
  revision: number;
}

export class DeliveryLedger {
  readonly #kv: KV;
  /** The read and the create every event makes. */
  readonly #hot: HotKv;
  constructor(kv: KV) {
    this.#kv = kv;
    this.#hot = hotKv(kv);
  }

  /**
   * `<integration>.<digest of the event id>`; pass `digest` (= `keyDigest(eventId)`) when the caller has it already.
   */
  static key(integration: string, eventId: string, digest = keyDigest(eventId)): string {
    return `${integration}.${digest}`;
  }

  async get(integration: string, eventId: string, digest?: string): Promise<LedgerRecord | undefined> {
    const entry = liveEntry(await this.#hot.get(DeliveryLedger.key(integration, eventId, digest)));
    return entry && { entry: entry.json<LedgerEntry>(), revision: entry.revision };
  }

  /**
   * Records a finished event. Without `revision` the key must not exist yet (create); with it, the entry is
   * replaced only if unchanged since it was read (compare-and-set: a replay finishing over a dead letter).
   * Returns false when another writer got there first.
   */
  async record(
    integration: string,
    eventId: string,
    entry: LedgerEntry,
    revision?: number,
    digest?: string,
  ): Promise<boolean> {
    const key = DeliveryLedger.key(integration, eventId, digest);
    const value = JSON.stringify(entry);
    try {
      if (revision === undefined) await this.#hot.create(key, value);
      else await this.#kv.update(key, value, revision);
      return true;
    } catch (error) {
      if (/wrong last sequence/i.test(String((error as Error).message))) return false;
      throw error;
    }
  }
}
