/**
 * The cluster's dead-letter id key (engine start): the engine that creates it uses what it wrote; the others read it,
 * and keep reading while a replica has not applied the winner's write yet (fault 23 once failed engine start with
 * "missing after create" on a fresh R3 cluster).
 */
import type { KV } from '@nats-io/kv';
import { describe, expect, it } from 'vitest';
import { loadDeadLetterIdKey } from '../../engine/runtime/stores/dead-letter-store.js';

/** A KV whose `create` answers as given and whose reads see the stored value only from the `visibleFrom`-th read. */
function kvDouble(create: 'wins' | 'loses', stored: string | undefined, visibleFrom = 1) {
  const reads: string[] = [];
  const writes: string[] = [];
  const kv = {
    create: async (key: string, value: string) => {
      if (create === 'loses') throw new Error('wrong last sequence: 1');
      writes.push(`${key}=${value}`);
      return 1;
    },
    get: async (key: string) => {
      reads.push(key);
      return reads.length >= visibleFrom && stored ? { string: () => stored } : null;
    },
  };
  return { kv: kv as unknown as KV, reads, writes };
}

describe('loadDeadLetterIdKey', () => {
  it('uses the key it created, without reading it back', async () => {
    const { kv, reads, writes } = kvDouble('wins', undefined);
    const key = await loadDeadLetterIdKey(kv);
    expect(writes).toEqual([`dlq-id-key=${key.toString('base64')}`]);
    expect(key).toHaveLength(32);
    expect(reads).toEqual([]);
  });

  it("reads another engine's key, again while a replica does not show it yet", async () => {
    const theirs = Buffer.alloc(32, 7).toString('base64');
    const { kv, reads } = kvDouble('loses', theirs, 3);
    expect((await loadDeadLetterIdKey(kv)).toString('base64')).toBe(theirs);
    expect(reads).toEqual(['dlq-id-key', 'dlq-id-key', 'dlq-id-key']);
  });

  it('says what failed and what to check when the key can be neither created nor read', async () => {
    const { kv, reads } = kvDouble('loses', undefined);
    await expect(loadDeadLetterIdKey(kv, 3)).rejects.toThrow(
      'KV dlq-id-key could not be created (wrong last sequence: 1) nor read after 3 tries: check that the NATS cluster has a JetStream leader for the runtime buckets, then start again',
    );
    expect(reads).toHaveLength(3);
  });
});
