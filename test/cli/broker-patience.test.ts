/**
 * The demo's patience with a broker that went away (engine/cli/broker-patience.ts): a retryable failure is tried
 * again with backoff until it succeeds or the patience runs out, while `waiting` says what is waited for and why (the
 * progress header's "broker unreachable, retrying…"). A fake clock that moves only when it sleeps: no timing.
 */
import { expect, it } from 'vitest';
import { BrokerGaveUp, BrokerPatience, Retryable } from '../../engine/cli/broker-patience.js';

const NOT_STORED =
  'the engine answered 503: {"error":"unavailable","message":"event not stored, retry later: NATS is not connected"}';

/** A clock that moves only when the patience sleeps, the delays it slept and what `waiting` said at each. */
function fakeClock() {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms: number) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** An attempt that fails `failures` times as the engine's ingest does while NATS is away, then answers 'stored'. */
function outage(failures: number) {
  const attempts = { count: 0 };
  const attempt = async () => {
    if (++attempts.count > failures) return 'stored';
    throw new Retryable(NOT_STORED);
  };
  return { attempts, attempt };
}

it('tries again with backoff until the attempt succeeds, saying meanwhile what it waits for and why', async () => {
  const clock = fakeClock();
  const seen: unknown[] = [];
  const patience: BrokerPatience = new BrokerPatience(
    120_000,
    async (ms) => {
      seen.push(patience.waiting);
      await clock.sleep(ms);
    },
    clock.now,
  );
  const { attempts, attempt } = outage(7);
  await expect(patience.retry('the webhook of bng-orders-to-m3', attempt)).resolves.toBe('stored');
  expect(attempts.count).toBe(8);
  expect(clock.slept).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
  expect(seen[0]).toEqual({ what: 'the webhook of bng-orders-to-m3', since: 1_000_000, reason: NOT_STORED });
  expect(seen).toHaveLength(7);
  // Done: nothing waits any more, and the 15.75 s waited are left out of the demo's timeline.
  expect(patience.waiting).toBeUndefined();
  expect(patience.waitedMs).toBe(15_750);
});

it('gives up after its patience, naming what it waited for and the last answer', async () => {
  const clock = fakeClock();
  const patience = new BrokerPatience(20_000, clock.sleep, clock.now);
  const { attempts, attempt } = outage(Infinity);
  const retrying = patience.retry('the webhook of bng-orders-to-m3', attempt);
  await expect(retrying).rejects.toBeInstanceOf(BrokerGaveUp);
  await expect(retrying).rejects.toThrow(
    `gave up on the webhook of bng-orders-to-m3 after 20 s of retrying (${NOT_STORED}): the demo waits up to 20 s ` +
      "for NATS to come back. Is nats-server still running (the demo's own, in .junction/demo-*)?",
  );
  // 0.25 + 0.5 + 1 + 2 + 4 + 4 + 4 + 4 = 19.75 s slept; one more 4 s wait would pass 20 s.
  expect(clock.slept).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000, 4000]);
  expect(attempts.count).toBe(9);
  expect(patience.waiting).toBeUndefined();
});

it('throws a failure that a retry cannot change at once (a 4xx), unless told every failure is the broker', async () => {
  const clock = fakeClock();
  const patience = new BrokerPatience(20_000, clock.sleep, clock.now);
  const refused = async () => {
    throw new Error('webhook bng-orders-to-m3: the engine answered 401: {"error":"bad-signature"}');
  };
  await expect(patience.retry('the webhook of bng-orders-to-m3', refused)).rejects.toThrow(
    'webhook bng-orders-to-m3: the engine answered 401: {"error":"bad-signature"}',
  );
  expect(clock.slept).toEqual([]);
  // Listing dead letters fails only while NATS is away: every failure is retried.
  let calls = 0;
  const list = async () => {
    if (++calls < 3) throw new Error('TIMEOUT');
    return ['dlq-1'];
  };
  await expect(patience.retry('listing the dead letters', list, true)).resolves.toEqual(['dlq-1']);
  expect(clock.slept).toEqual([250, 500]);
});

it('once stopped (Ctrl-C), ends a wait at its next try and waits out no new failure', async () => {
  const clock = fakeClock();
  const patience: BrokerPatience = new BrokerPatience(
    120_000,
    async (ms) => {
      await clock.sleep(ms);
      if (clock.slept.length === 2) patience.stop();
    },
    clock.now,
  );
  const { attempts, attempt } = outage(Infinity);
  await expect(patience.retry('the webhook of bng-orders-to-m3', attempt)).rejects.toThrow(
    `stopped (Ctrl-C) while retrying the webhook of bng-orders-to-m3 (${NOT_STORED}): the end check needs NATS, so ` +
      'there is none.',
  );
  expect(attempts.count).toBe(3);
  await expect(patience.retry('listing the dead letters', outage(1).attempt)).rejects.toBeInstanceOf(BrokerGaveUp);
  expect(clock.slept).toEqual([250, 500]);
  // What needs no wait still runs.
  await expect(patience.retry('listing the dead letters', async () => ['dlq-1'])).resolves.toEqual(['dlq-1']);
});
