/**
 * The compile lease on a real nats-server: one holder at a time by compare-and-set, renewed only by its holder, taken
 * over once expired, and never freed or renewed by a process that lost it.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLease, releaseLease, renewLease } from '../../engine/gitops/compile-lease.js';
import type { Lease } from '../../engine/gitops/compile-lease.js';
import { openGitopsStore } from '../../engine/gitops/gitops-store.js';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';

let nats: TestNatsServer | undefined;
let nc: NatsConnection | undefined;
afterEach(async () => {
  await nc?.close();
  await nats?.dispose();
  nc = nats = undefined;
});

async function store(): Promise<KV> {
  nats = await startTestNatsServer();
  nc = await connect({ servers: nats.url, noAsyncTraces: true });
  return openGitopsStore(new Kvm(jetstream(nc)));
}

const lease = async (kv: KV) => (await kv.get('lease'))?.json<Lease>();
/** Rewrites the lease's expiry into the past, as the clock will see it later (the test never sleeps). */
async function expire(kv: KV): Promise<void> {
  const entry = (await kv.get('lease'))!;
  await kv.update('lease', JSON.stringify({ ...entry.json<Lease>(), expires_at: Date.now() - 1 }), entry.revision);
}

describe('compile lease', () => {
  it('has one holder; only the holder renews it; an expired lease is taken over and the old holder cannot touch it', async () => {
    const kv = await store();
    expect(await acquireLease(kv, 'a', 'c1', 60_000, localClock)).toBe(true);
    expect(await acquireLease(kv, 'b', 'c1', 60_000, localClock)).toBe(false);
    const before = (await lease(kv))!.expires_at;
    expect(await renewLease(kv, 'a', 120_000, localClock)).toBe(true);
    expect((await lease(kv))!.expires_at).toBeGreaterThan(before);
    expect(await lease(kv)).toMatchObject({ holder: 'a', commit: 'c1' });
    expect(await renewLease(kv, 'b', 120_000, localClock)).toBe(false);

    await expire(kv);
    expect(await acquireLease(kv, 'b', 'c2', 60_000, localClock)).toBe(true);
    expect(await renewLease(kv, 'a', 60_000, localClock)).toBe(false);
    await releaseLease(kv, 'a');
    expect(await lease(kv)).toMatchObject({ holder: 'b', commit: 'c2' });

    await releaseLease(kv, 'b');
    expect((await kv.get('lease'))?.operation).toBe('DEL');
    expect(await renewLease(kv, 'b', 60_000, localClock)).toBe(false);
    // A freed lease is taken with create() over the delete marker.
    expect(await acquireLease(kv, 'a', 'c3', 60_000, localClock)).toBe(true);
    expect(await lease(kv)).toMatchObject({ holder: 'a', commit: 'c3' });
  });

  it('lets exactly one of many simultaneous contenders win', async () => {
    const kv = await store();
    const won = await Promise.all(
      Array.from({ length: 8 }, (_, i) => acquireLease(kv, `p${i}`, 'c1', 60_000, localClock)),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect((await lease(kv))!.holder).toBe(`p${won.indexOf(true)}`);
  });
});
