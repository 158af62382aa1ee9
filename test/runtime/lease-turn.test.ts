/**
 * A round under a lease (control/lease-turn.ts) on a real nats-server: a holder cut off from NATS past its lease finds
 * it no longer holds it, both by its own monotonic clock and, once the link heals, by asking the broker (another engine
 * holds it); an engine whose estimate of the broker's clock runs ahead takes a live lease over early, but its round
 * begins only once the old lease has run out by the broker's own timestamps.
 */
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import { LeaseTurn } from '../../engine/runtime/control/lease-turn.js';
import type { TurnLease } from '../../engine/runtime/control/lease-turn.js';
import { startBlackholeProxy } from '../helpers/blackhole-proxy.js';
import type { BlackholeProxy } from '../helpers/blackhole-proxy.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { waitFor } from './helpers/runtime-harness.js';

let nats: TestNatsServer | undefined;
let proxy: BlackholeProxy | undefined;
const connections: NatsConnection[] = [];
const turns: LeaseTurn[] = [];
afterEach(async () => {
  for (const turn of turns.splice(0)) turn.end();
  for (const nc of connections.splice(0)) await nc.close().catch(() => undefined);
  await proxy?.close();
  await nats?.dispose();
  nats = proxy = undefined;
});

const KEY = 'alert-lease';

/** The control bucket as one engine sees it, over its own connection to `url`. */
async function control(url: string): Promise<KV> {
  const nc = await connect({ servers: url, noAsyncTraces: true, reconnectTimeWait: 100, timeout: 2_000 });
  connections.push(nc);
  return new Kvm(nc).create('control_test', { history: 1 });
}

async function take(lease: TurnLease): Promise<LeaseTurn | undefined> {
  const turn = await LeaseTurn.take(lease);
  if (turn) turns.push(turn);
  return turn;
}

it('a holder cut off from NATS past its lease no longer holds it: by its own clock at once, and by the broker once the link heals and another engine took it', async () => {
  nats = await startTestNatsServer();
  proxy = await startBlackholeProxy({ port: nats.port });
  const [a, b] = await Promise.all([control(proxy.url('nats')), control(nats.url)]);
  const ttlMs = 2_000;
  const turnA = (await take({ kv: a, key: KEY, holder: 'a', ttlMs, clock: localClock }))!;
  expect(turnA.held()).toBe(true);
  expect(await turnA.confirm()).toBe(true);
  // Held while it renews: b is refused.
  expect(await take({ kv: b, key: KEY, holder: 'b', ttlMs, clock: localClock })).toBeUndefined();

  proxy.blackhole();
  // Its renewals go unanswered: the lease runs out by its own monotonic clock, whatever the broker says.
  await waitFor(() => !turnA.held(), 'a no longer holds the lease by its own clock');
  let turnB: LeaseTurn | undefined;
  await waitFor(
    async () => (turnB = await take({ kv: b, key: KEY, holder: 'b', ttlMs, clock: localClock })) !== undefined,
    'b takes the lease over',
  );
  proxy.heal();
  // Back on the broker, a's renewal finds b's lease: every effect a would make is refused.
  expect(await turnA.confirm()).toBe(false);
  expect(turnA.held()).toBe(false);
  expect(await turnB!.confirm()).toBe(true);
  expect((await b.get(KEY))!.json<{ holder: string }>().holder).toBe('b');
}, 60_000);

it("an engine whose estimate of the broker's clock runs a minute ahead takes a live lease over, but its round begins only once that lease ran out by the broker's timestamps", async () => {
  nats = await startTestNatsServer();
  const kv = await control(nats.url);
  const ttlMs = 3_000;
  const turnA = (await take({ kv, key: KEY, holder: 'a', ttlMs, clock: localClock }))!;
  turnA.end(); // a's round is over; its lease lasts another 3 s by the broker's clock
  const lastWrite = (await kv.get(KEY))!.created.getTime();

  const ahead = { now: () => Date.now() + 60_000 };
  const turnB = await take({ kv, key: KEY, holder: 'b', ttlMs, clock: ahead });
  expect(turnB?.held()).toBe(true);
  // The broker's time now, from a write of its own: past the end of a's lease.
  const probe = await kv.put('probe', 'now');
  expect((await kv.get('probe', { revision: probe }))!.created.getTime()).toBeGreaterThanOrEqual(lastWrite + ttlMs);
  expect((await kv.get(KEY))!.json<{ holder: string }>().holder).toBe('b');
}, 60_000);
