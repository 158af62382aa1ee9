/**
 * Source leases against a real nats-server: `until` is written by the holder's clock, so an engine whose clock runs
 * ahead judges a live lease run out. It may take the lease over, but starts the source only once the old lease has
 * run out by the broker's timestamps, by when the old holder has stopped: never two sources at once. The lease rules
 * (what `takeLease` reports as replaced, and how much of it is left by the broker's clock) are checked on their own.
 */
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it, vi } from 'vitest';
import { brokerMsUntil, releaseLease, takeLease } from '../../engine/runtime/control/kv-lease.js';
import { SourceLease } from '../../engine/runtime/sources/source-lease.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { testLogger, waitFor } from './helpers/runtime-harness.js';

let nats: TestNatsServer | undefined;
let nc: NatsConnection | undefined;
const leases: SourceLease[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const lease of leases.splice(0)) await lease.stop();
  await nc?.close();
  await nats?.dispose();
  nc = nats = undefined;
});

async function controlBucket(): Promise<KV> {
  nats = await startTestNatsServer();
  nc = await connect({ servers: nats.url });
  return new Kvm(nc).create('control_test', { history: 1 });
}

const KEY = 'source-lease.orders';

it("an engine whose clock runs a minute ahead takes a live lease over, but starts the source only once it has run out by the broker's clock, after the holder stopped", async () => {
  const control = await controlBucket();
  const ttlMs = 6_000;
  const log = testLogger();
  const leading = new Set<string>();
  const seen: string[] = [];
  let atOnce = 0;
  const source = (name: string) => () => {
    leading.add(name);
    atOnce = Math.max(atOnce, leading.size);
    seen.push(`${name} leads`);
    return async () => {
      leading.delete(name);
      seen.push(`${name} stops`);
    };
  };

  // Engine a's clock is a minute behind b's while it takes the lease: to b, a's lease ran out long ago.
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() - 60_000 });
  leases.push(new SourceLease({ control, holder: 'a', ttlMs, log }, 'orders', source('a')));
  await waitFor(() => leading.has('a'), 'engine a leads');
  vi.useRealTimers();
  const taken = (await control.get(KEY))!;
  expect(taken.json<{ holder: string; until: number }>()).toMatchObject({ holder: 'a', ttl: ttlMs });
  expect(taken.json<{ until: number }>().until).toBeLessThan(Date.now());

  leases.push(new SourceLease({ control, holder: 'b', ttlMs, log }, 'orders', source('b')));
  // b takes the lease over by its own clock at once; a's next renewal finds it taken and a stops its source.
  await waitFor(
    () => seen.includes('a stops'),
    () => `engine a stops (${seen.join(', ')})`,
  );
  expect((await control.get(KEY))!.json<{ holder: string }>().holder).toBe('b');
  await waitFor(
    () => leading.has('b'),
    () => `engine b leads (${seen.join(', ')})`,
  );
  expect(seen).toEqual(['a leads', 'a stops', 'b leads']);
  expect(atOnce).toBe(1);
  // Not before a's lease ran out by the broker's clock: its last write's timestamp plus the TTL.
  expect(Date.now()).toBeGreaterThanOrEqual(taken.created.getTime() + ttlMs);
}, 60_000);

it("takeLease reports another holder's lease it replaced, and brokerMsUntil what was left of it by the broker's clock", async () => {
  const control = await controlBucket();
  expect(await takeLease(control, KEY, 'a', 60_000)).toEqual({ revision: expect.any(Number) });
  // Its own lease renewed, another holder's live lease refused.
  expect((await takeLease(control, KEY, 'a', 60_000))?.replaced).toBeUndefined();
  expect(await takeLease(control, KEY, 'b', 60_000)).toBeUndefined();

  // Handed back: free to take, nothing to wait out.
  await releaseLease(control, KEY, 'a');
  expect((await takeLease(control, KEY, 'b', 60_000))?.replaced).toBeUndefined();

  // Run out by c's clock, written by b a moment ago with a 60 s lease: c replaces it and has most of a minute to wait.
  const written = (await control.get(KEY))!;
  await control.put(KEY, JSON.stringify({ holder: 'b', until: Date.now() - 1, ttl: 60_000 }), {
    previousSeq: written.revision,
  });
  const before = (await control.get(KEY))!;
  const taken = await takeLease(control, KEY, 'c', 60_000);
  expect(taken?.replaced).toEqual({ written: before.created, ttlMs: 60_000 });
  const endsAt = before.created.getTime() + 60_000;
  const left = await brokerMsUntil(control, KEY, taken!.revision, endsAt, 60_000);
  const ours = (await control.get(KEY, { revision: taken!.revision }))!;
  expect(left).toBe(before.created.getTime() + 60_000 - ours.created.getTime());
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThanOrEqual(60_000);
});

it('a wall clock stepped back an hour during a renewal does not stretch the leader: it stops by its deadline when the next renewal hangs', async () => {
  const control = await controlBucket();
  const ttlMs = 3_000;
  const realNow = Date.now.bind(Date);
  let offset = 0;
  const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  // The first renewal's write is answered as NTP steps the clock back an hour; the renewals after it hang 10 s.
  let renewals = 0;
  let hang = false;
  let hungAnswered = 0;
  const stepping = new Proxy(control, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'get')
        return async (...args: unknown[]) => {
          if (hang) {
            await new Promise((resolve) => setTimeout(resolve, 10_000));
            hungAnswered++;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      if (prop === 'update')
        return async (...args: unknown[]) => {
          const revision = await (value as (...a: unknown[]) => Promise<number>).apply(target, args);
          if (++renewals === 1) {
            offset -= 3_600_000;
            hang = true;
          }
          return revision;
        };
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  const seen: string[] = [];
  leases.push(
    new SourceLease({ control: stepping, holder: 'a', ttlMs, log: testLogger() }, 'orders', () => {
      seen.push('a leads');
      return async () => void seen.push('a stops');
    }),
  );
  try {
    await waitFor(() => renewals === 1, 'the first renewal');
    // Its lease runs out 3 s after that renewal: the leader stops by its deadline (2.5 s), while the next renewal
    // still hangs, not an hour later.
    await waitFor(
      () => seen.includes('a stops'),
      () => `engine a stops (${seen.join(', ')})`,
      8_000,
    );
    expect(hungAnswered).toBe(0);
    expect(seen).toEqual(['a leads', 'a stops']);
  } finally {
    hang = false;
    clock.mockRestore();
  }
}, 60_000);
