/**
 * Listing KV keys without `kv.keys()`. That call opens an ordered consumer and waits for a message saying nothing
 * is pending; with entries being written at the same moment it was seen to stall for good on nats-server 2.9.10.
 * Instead, one stream-info request with a subject filter returns the per-subject message counts (paged by the
 * client), and the keys are read off the subjects. Shared by the GitOps store and the dead-letter store.
 */
import { Bucket } from '@nats-io/kv';
import type { KV, KvEntry } from '@nats-io/kv';

/**
 * The keys matching a KV key filter (`a.>`, `*.id`, `>`). Deleted or purged keys may be included (their marker is
 * still a message on the subject): read them with `readLiveEntry`, or use `listLiveEntries`.
 */
export async function listKvKeys(kv: KV, filter = '>'): Promise<string[]> {
  if (!(kv instanceof Bucket)) {
    // Not the stock implementation: its own listing is all there is.
    const keys: string[] = [];
    for await (const key of await kv.keys(filter)) keys.push(key);
    return keys;
  }
  const info = await kv.jsm.streams.info(kv.stream, { subjects_filter: kv.fullKeyName(filter) });
  return Object.keys(info.state.subjects ?? {}).map((subject) => subject.slice(kv.prefixLen));
}

/** The live (not deleted) entry of a key. */
export async function readLiveEntry(kv: KV, key: string): Promise<KvEntry | undefined> {
  return liveEntry(await kv.get(key));
}

/** The entry if it holds a value (not a deleted or purged key's marker). */
export function liveEntry(entry: KvEntry | null): KvEntry | undefined {
  return entry && entry.operation === 'PUT' && entry.length > 0 ? entry : undefined;
}

/** All live entries whose keys match a KV key filter, in no particular order. */
export async function listLiveEntries(kv: KV, filter = '>'): Promise<KvEntry[]> {
  const keys = await listKvKeys(kv, filter);
  const entries = await Promise.all(keys.map((k) => readLiveEntry(kv, k)));
  return entries.filter((e): e is KvEntry => e !== undefined);
}

/** Removes a key with its history (a purge of the key's subject), so no delete marker stays behind. */
export async function purgeKeyHistory(kv: KV, key: string): Promise<void> {
  if (kv instanceof Bucket) await kv.jsm.streams.purge(kv.stream, { filter: kv.fullKeyName(key) });
  else await kv.purge(key);
}
