/**
 * The dead-letter store lists its KV bucket while other processes keep writing to it. `kv.keys()` was seen to stall
 * for good under concurrent writes on nats-server 2.9.10; the store lists from the stream's per-subject counts
 * instead (engine/runtime/broker/kv-listing.ts). Every listing here must come back, and never lose an entry already
 * written.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it } from 'vitest';
import { DeadLetterStore } from '../../engine/runtime/stores/dead-letter-store.js';
import type { DeadLetter } from '../../engine/runtime/stores/dead-letter-store.js';
import { listKvKeys, listLiveEntries } from '../../engine/runtime/broker/kv-listing.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { natsTestBed } from '../helpers/nats-server.js';

const bed = natsTestBed();
afterEach(() => bed.dispose());

function entry(integration: string, n: number): DeadLetter {
  return {
    id: `evt${n}-0`,
    integration,
    eventId: `${integration}:${n}`,
    key: String(n),
    subject: `junction.events.${integration}.0`,
    event: { id: n },
    commit: 'c1',
    error: { code: 'validation', message: 'rejected', status: 400 },
    reason: 'permanent',
    attempts: 1,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, n)).toISOString(),
    status: 'open',
  };
}

/** Rejects when `promise` has not settled within `ms`: a stalled listing fails the test instead of hanging it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not return within ${ms} ms`)), ms)),
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openStore(): Promise<DeadLetterStore> {
  const nc = await bed.connect();
  const kv = await new Kvm(jetstream(nc)).create(BUCKET_NAMES.dlq, { history: 1 });
  return new DeadLetterStore(kv);
}

it('lists, filters and finds dead letters while other connections write and update entries', async () => {
  await bed.start();
  // Writers use their own connections, as other engine processes would.
  const readers = await openStore();
  const writers = await Promise.all([openStore(), openStore(), openStore()]);
  const integrations = ['orders', 'refunds', 'stock'];
  const perWriter = 150;

  let writing = true;
  const written = new Set<string>();
  const writes = writers.map(async (store, w) => {
    const integration = integrations[w];
    for (let n = 0; n < perWriter; n++) {
      await store.write(entry(integration, n));
      written.add(`${integration}.evt${n}-0`);
      // Every fifth entry is also marked replayed at once: a compare-and-set update racing the listings.
      if (n % 5 === 0) {
        const found = await store.get(`evt${n}-0`, integration);
        expect(await store.markReplayed(found!.entry, found!.revision)).toBe(true);
      }
    }
  });
  const allWritten = Promise.all(writes).finally(() => (writing = false));

  let listings = 0;
  let lastSize = 0;
  while (writing) {
    const before = new Set(written);
    const all = await within(readers.list(), 10_000, 'list()');
    const keys = new Set(all.map((e) => `${e.integration}.${e.id}`));
    // Nothing written before the listing started is missing from it, and the listing only grows.
    for (const key of before) expect(keys.has(key), `${key} missing from a listing`).toBe(true);
    expect(all.length).toBeGreaterThanOrEqual(lastSize);
    lastSize = all.length;
    const sorted = [...all].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    expect(all).toEqual(sorted);

    const orders = await within(readers.list({ integration: 'orders' }), 10_000, 'list({ integration })');
    expect(orders.every((e) => e.integration === 'orders')).toBe(true);
    const open = await within(readers.list({ status: 'open' }), 10_000, 'list({ status })');
    expect(open.every((e) => e.status === 'open')).toBe(true);
    // Lookup by id alone scans `*.<id>`, the other listing path.
    const found = await within(readers.get('evt0-0'), 10_000, 'get(id)');
    if (found) expect(found.entry.id).toBe('evt0-0');
    listings++;
  }
  await allWritten;
  expect(listings).toBeGreaterThan(0);

  const all = await within(readers.list(), 10_000, 'final list()');
  expect(all).toHaveLength(integrations.length * perWriter);
  expect((await readers.list({ status: 'replayed' })).length).toBe(integrations.length * (perWriter / 5));
  expect((await readers.list({ integration: 'refunds', status: 'open' })).length).toBe(perWriter - perWriter / 5);
  expect((await readers.get('evt149-0', 'stock'))?.entry.key).toBe('149');
  expect(await readers.get('nope-0')).toBeUndefined();
});

it('listKvKeys matches KV key filters token by token, and an empty bucket lists nothing', async () => {
  await bed.start();
  const nc = await bed.connect();
  const kv = await new Kvm(jetstream(nc)).create('listing_test', { history: 1 });
  expect(await listKvKeys(kv)).toEqual([]);
  for (const key of ['a.1', 'a.2', 'ab.1', 'b.x.1']) await kv.put(key, '{}');
  await kv.delete('a.2');
  // A deleted key keeps its marker on the subject: listed as a key, but not as a live entry.
  expect((await listKvKeys(kv)).sort()).toEqual(['a.1', 'a.2', 'ab.1', 'b.x.1']);
  expect((await listLiveEntries(kv)).map((e) => e.key).sort()).toEqual(['a.1', 'ab.1', 'b.x.1']);
  expect((await listKvKeys(kv, 'a.>')).sort()).toEqual(['a.1', 'a.2']);
  expect((await listKvKeys(kv, '*.1')).sort()).toEqual(['a.1', 'ab.1']);
  expect(await listKvKeys(kv, 'b.>')).toEqual(['b.x.1']);
});
