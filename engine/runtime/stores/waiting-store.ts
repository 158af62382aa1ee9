/**
 * Events waiting for a required cross-reference (`requires`), one KV entry per event: since when it waits (the
 * dependency deadline counts from there, across processes and restarts), how many waits (they do not use up the
 * retry budget), and for which cross-reference. The entry is removed when the event finishes, so the live keys per
 * integration are its `waiting` count.
 */
import type { KV } from '@nats-io/kv';
import { listKvKeys, listLiveEntries, purgeKeyHistory, readLiveEntry } from '../broker/kv-listing.js';

export interface WaitingEntry {
  integration: string;
  eventId: string;
  /** The event's record key. */
  key: string;
  /** The cross-reference it waits for. */
  map: string;
  id: string;
  /** ISO time of the first wait. */
  since: string;
  waits: number;
  /** The integration asked to fetch the record, if one was. */
  fetchedBy?: string;
}

export class WaitingStore {
  constructor(private readonly kv: KV) {}

  async get(integration: string, digest: string): Promise<WaitingEntry | undefined> {
    return (await readLiveEntry(this.kv, `${integration}.${digest}`))?.json<WaitingEntry>();
  }

  async put(digest: string, entry: WaitingEntry): Promise<void> {
    await this.kv.put(`${entry.integration}.${digest}`, JSON.stringify(entry));
  }

  /** Removes an event's entry with its history (a purge of the key's subject), so it no longer counts. */
  async clear(integration: string, digest: string): Promise<void> {
    await purgeKeyHistory(this.kv, `${integration}.${digest}`);
  }

  /** Waiting events per integration (one stream-info request). */
  async counts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const key of await listKvKeys(this.kv)) {
      const integration = key.slice(0, key.lastIndexOf('.'));
      counts.set(integration, (counts.get(integration) ?? 0) + 1);
    }
    return counts;
  }

  /** The waiting events of one integration (or all), longest waiting first. */
  async list(integration?: string): Promise<WaitingEntry[]> {
    const entries = await listLiveEntries(this.kv, integration ? `${integration}.*` : '>');
    return entries.map((e) => e.json<WaitingEntry>()).sort((a, b) => a.since.localeCompare(b.since));
  }
}
