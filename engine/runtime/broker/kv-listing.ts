/**
 * Listing KV keys without `kv.keys()`. That call opens an ordered consumer and waits for a message saying nothing
 * is pending; with entries being written at the same moment it was seen to stall for good on nats-server 2.9.10.
 * Instead, one stream-info request with a subject filter returns the per-subject message counts (paged by the
 * client), and the keys are read off the subjects. Shared by the GitOps store and the dead-letter store.
 */
import type { MsgRequest } from '@nats-io/jetstream';
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

/** A live entry as stored: its key, its value and the sequence of the bucket's stream message that holds it. */
interface StoredKvEntry {
  key: string;
  seq: number;
  value: string;
}

/**
 * The live entries matching a key filter, in the order of the bucket's stream, after sequence `after`: one message
 * get per entry (`next_by_subj`, nats-server 2.9+, answered by the stream's leader), so nothing is held but the entry
 * read. With `history: 1` each key keeps only its latest value, so every message found is live unless it is a delete or
 * purge marker. An entry rewritten while this runs moves to the end (it may be met again, or after `until`).
 */
export async function* liveEntriesAfter(kv: KV, filter: string, after: number): AsyncGenerator<StoredKvEntry> {
  if (!(kv instanceof Bucket)) throw new Error('listing a KV bucket in stream order needs the stock implementation');
  const subject = kv.fullKeyName(filter);
  for (let seq = after + 1; ;) {
    // nats.js 3.4 types `getMessage`'s query without `next_by_subj`; the server's API takes it (JSApiMsgGetRequest).
    const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
    const m = await kv.jsm.streams.getMessage(kv.stream, query);
    if (!m) return;
    seq = m.seq + 1;
    const op = m.header?.get('KV-Operation');
    if (op === 'DEL' || op === 'PURGE' || m.data.length === 0) continue;
    yield { key: m.subject.slice(kv.prefixLen), seq: m.seq, value: m.string() };
  }
}

/** The sequence of the last message in the bucket's stream (0 when empty): where a listing started now ends. */
export async function lastKvSequence(kv: KV): Promise<number> {
  return (await kv.status()).streamInfo.state.last_seq;
}
