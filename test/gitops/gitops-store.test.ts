/**
 * The bucket's listings and housekeeping, and the swap report: entries are listed by their dot-separated prefix (live
 * ones only), stale worker heartbeats are purged while live ones stay, and a swap is described integration by
 * integration from the content hashes.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  listEntries,
  listWorkers,
  openGitopsStore,
  purgeStaleWorkers,
  workerKey,
} from '../../engine/gitops/gitops-store.js';
import type { WorkerSync } from '../../engine/gitops/gitops-store.js';
import { swapReport } from '../../engine/gitops/swap-report.js';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import type { CompiledIntegration, CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';

let nats: TestNatsServer | undefined;
let nc: NatsConnection | undefined;
afterEach(async () => {
  await nc?.close();
  await nats?.dispose();
  nc = nats = undefined;
});

/** A set whose integrations carry only what the report reads: name and hash. */
function set(commit: string, hashes: Record<string, string>, keys: Record<string, string> = {}): CompiledSpecSet {
  const integrations = new Map(
    Object.entries(hashes).map(([name, hash]) => [
      name,
      { name, hash, key: { source: keys[name] ?? '$string(id)' } } as CompiledIntegration,
    ]),
  );
  return { commit, connections: new Map(), lookups: new Map(), integrations };
}

describe('gitops store', () => {
  it('purges stale worker heartbeats and keeps live ones', async () => {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url, noAsyncTraces: true });
    const kv = await openGitopsStore(new Kvm(jetstream(nc)));
    for (const id of ['host-a-1', 'host.b 2']) {
      const record: WorkerSync = { id, commit: 'c1', applied_at: 'now', heartbeat_at: 'now' };
      await kv.put(workerKey(id), JSON.stringify(record));
    }
    // Neighbours that share a prefix but not the token are not heartbeats.
    await kv.put('workers.x', '{}');
    await kv.put('rejected.abc', '{}');
    expect(workerKey('host.b 2')).toBe('worker.host_b_2');
    expect((await listEntries(kv, 'worker')).map((e) => e.key).sort()).toEqual(['worker.host-a-1', 'worker.host_b_2']);
    expect(await purgeStaleWorkers(kv, 60 * 60_000, localClock)).toBe(0);
    expect((await listWorkers(kv, localClock)).map((w) => w.id)).toEqual(['host-a-1', 'host.b 2']);
    // Any age limit below the heartbeats' age makes them stale.
    expect(await purgeStaleWorkers(kv, -1, localClock)).toBe(2);
    expect(await listWorkers(kv, localClock)).toEqual([]);
    expect((await listEntries(kv, 'rejected')).map((e) => e.key)).toEqual(['rejected.abc']);
  });

  it('reports added, changed, unchanged and removed integrations by content hash', () => {
    const before = set('c1', { orders: 'h1', refunds: 'h2', stock: 'h3' });
    const after = set('c2', { orders: 'h1', stock: 'h3b', customers: 'h4', accounts: 'h5' });
    expect(swapReport(before, after)).toEqual({
      from: 'c1',
      to: 'c2',
      added: ['accounts', 'customers'],
      changed: ['stock'],
      unchanged: ['orders'],
      removed: ['refunds'],
      keyChanged: [],
    });
    expect(swapReport(after, after)).toEqual({
      from: 'c2',
      to: 'c2',
      added: [],
      changed: [],
      unchanged: ['accounts', 'customers', 'orders', 'stock'],
      removed: [],
      keyChanged: [],
    });
  });

  it('names the changed integrations whose record key changed (re-indenting the key is no change)', () => {
    const before = set('c1', { orders: 'h1', stock: 'h2', refunds: 'h3' }, { stock: 'sku' });
    const after = set(
      'c2',
      { orders: 'h1b', stock: 'h2b', refunds: 'h3' },
      { orders: '$string(id) ', stock: 'sku & "-" & warehouse' },
    );
    expect(swapReport(before, after)).toMatchObject({ changed: ['orders', 'stock'], keyChanged: ['stock'] });
  });
});
