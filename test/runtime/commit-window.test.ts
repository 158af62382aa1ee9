/**
 * A create the target commits after its client gave up (a server goes on with a request whose client timed out;
 * docs/connectors.md "Late commits"). The retry's `find` looks the record up; if that runs before the late commit,
 * it finds nothing and creates a second record. A connection's `commit_window` makes the look-up wait until the
 * target can no longer commit the unanswered call. Real nats-server, real fake target that ignores Idempotency-Key;
 * the lease rules run against a real KV bucket at the end.
 */
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { CallLeases } from '../../engine/runtime/worker/call-leases.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

const FOUND_CREATE = integrationYaml({ steps: FOUND_CREATE_STEP });

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** Retries of `orders` events with `code`. */
async function retried(code: string): Promise<number> {
  const text = await h!.engine.metrics.getSingleMetricAsString('junction_events_retried_total');
  return Number(new RegExp(`integration="orders",code="${code}"} (\\d+)`).exec(text)?.[1] ?? 0);
}

/**
 * The target's first create of the record answers nothing in time (1 s timeout) and commits late: 6 s after it arrived,
 * or (`'after-the-retry'`) once the retry's own create has come.
 */
async function lateCommit(commit: '6s' | 'after-the-retry', connection?: string): Promise<RuntimeHarness> {
  h = await startRuntimeHarness({ integrations: [FOUND_CREATE], timeout: '1s', connection });
  let committedLate = false;
  let retryCreates = () => undefined as void;
  const retryCreated = new Promise<void>((resolve) => (retryCreates = resolve));
  h.target.fault = (r) => {
    if (r.method !== 'POST') return undefined;
    if (r.attempt > 1) return void retryCreates();
    const late = commit === '6s' ? new Promise((resolve) => setTimeout(resolve, 6_000)) : retryCreated;
    return { until: late.then(() => (committedLate = true)) };
  };
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(() => committedLate, 'the late create committed', 30_000);
  await expectDrained(h.nats.url, 30_000);
  return h;
}

const creates = () => h!.target.requests.filter((r) => r.method === 'POST').length;

it('without a commit window the retry looks up before the late commit and creates the record a second time', async () => {
  // The late commit waits for the retry's create: with a fixed 6 s the test raced the retry (1 s timeout, backoff,
  // redelivery) against that timer, and a retry a loaded machine delayed past it found the record and created none.
  await lateCommit('after-the-retry');
  expect(creates()).toBe(2);
  expect(h!.target.effectiveWrites.get('1')).toBe(2);
}, 60_000);

it('with commit_window: 8s the retry waits for the window, then finds the late create: one create', async () => {
  await lateCommit('6s', 'commit_window: 8s');
  expect(creates()).toBe(1);
  expect(h!.target.effectiveWrites.get('1')).toBe(1);
  // The look-up ran once the window had passed, and found what the late commit created.
  const lookUps = h!.target.requests.filter((r) => r.method === 'GET');
  expect(lookUps.length).toBeGreaterThanOrEqual(1);
  expect(lookUps.every((r) => r.at >= h!.target.requests[0].at + 6_000)).toBe(true);
  expect(await retried('awaiting-commit')).toBeGreaterThanOrEqual(1);
  expect(await h!.engine.deadLetters.list()).toEqual([]);
}, 60_000);

describe('the commit window in KV', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let kv: KV;
  const KEY = 'orders.e1.create';
  const TERMS = { ttlMs: 30_000, commitWindowMs: 2_000 };
  afterEach(async () => {
    await nc?.close();
    await nats?.dispose();
  });
  async function bucket(): Promise<void> {
    nats = await startTestNatsServer();
    nc = await connect({ servers: nats.url });
    kv = await new Kvm(nc).create('commit_window_test', { history: 1 });
  }

  it('waits from the end of the unanswered call, by the broker clock, through hand-backs of attempts that sent nothing', async () => {
    await bucket();
    const leases = new CallLeases('a', 1_000);
    // The call goes out and gets no answer: its attempt hands it back.
    const first = leases.attempt(kv, TERMS);
    await first.claim(KEY, await kv.get(KEY));
    expect(await first.holdsForCall(KEY)).toBe(true);
    await first.end();
    const handedBack = (await kv.get(KEY))!;
    expect(handedBack.json()).toEqual({ sent: true });

    // The retry right away: the target may still commit it, so no look-up yet.
    const second = leases.attempt(kv, TERMS);
    const early = await second.claim(KEY, handedBack).catch((error: unknown) => error);
    expect(early).toMatchObject({ code: 'awaiting-commit' });
    const left = (early as { retryAfterMs: number }).retryAfterMs;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(2_000);
    // It hands the call back with the time the call ended, not its own: the window does not start again.
    await second.end();
    expect((await kv.get(KEY))!.json()).toEqual({ sent: true, since: handedBack.created.getTime() });

    await new Promise((resolve) => setTimeout(resolve, left + 50));
    await leases.attempt(kv, TERMS).claim(KEY, await kv.get(KEY));
    expect((await kv.get(KEY))!.json()).toMatchObject({ holder: 'a#3' });
  });

  it('a holder that died may have sent until its lease ran out: the window counts from there', async () => {
    await bucket();
    // Another engine's lease that ran out at once (by the broker's clock too): its call may have gone out meanwhile.
    await kv.put(KEY, JSON.stringify({ sent: true, holder: 'c#1', until: Date.now() - 1, ttl: 1 }));
    const early = await new CallLeases('b', 1_000)
      .attempt(kv, TERMS)
      .claim(KEY, await kv.get(KEY))
      .catch((error: unknown) => error);
    expect(early).toMatchObject({ code: 'awaiting-commit' });
    expect((early as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(2_001);
  });

  it('an attempt that sent nothing hands back a mark the next attempt looks up at once', async () => {
    await bucket();
    const a = new CallLeases('a', 1_000).attempt(kv, TERMS);
    await a.claim(KEY, await kv.get(KEY));
    await a.end();
    expect((await kv.get(KEY))!.json()).toEqual({ sent: true, since: 0 });
    await new CallLeases('b', 1_000).attempt(kv, TERMS).claim(KEY, await kv.get(KEY));
    expect((await kv.get(KEY))!.json()).toMatchObject({ holder: 'b#1' });
  });
});
