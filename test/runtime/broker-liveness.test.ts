/**
 * The broker pinger behind `/readyz` and ingest's at-once refusal, with pings the test answers: a ping every second
 * in the background, one at a time; stalled once one has gone unanswered for 3 s, and not on one slow answer within
 * that (no flapping); a stored event's PubAck ends a stall at once; a tick delayed by a blocked event loop calls no
 * stall, since the answer may wait unread in the socket.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { brokerLiveness } from '../../engine/runtime/observe/broker-liveness.js';
import type { BrokerLiveness } from '../../engine/runtime/observe/broker-liveness.js';

let liveness: BrokerLiveness | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-06T07:00:00.000Z') });
});
afterEach(() => {
  liveness?.stop();
  vi.useRealTimers();
});

/** A pinger whose pings the test answers: `answer()` answers the oldest unanswered one. */
function livenessWithPings(down = () => false) {
  const pending: (() => void)[] = [];
  let sent = 0;
  liveness = brokerLiveness({
    down,
    ping: () => {
      sent++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  });
  return { liveness, answer: () => pending.shift()!(), sent: () => sent };
}

const stalledFor = (seconds: string, sentAt: string) =>
  `NATS has not answered a ping for ${seconds} s (sent at ${sentAt}): the broker is stalled or the network to it ` +
  'drops packets';

it('pings once a second, one at a time, and answers from the last outcome', async () => {
  const { liveness, answer, sent } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(1);
  // Unanswered: no second ping piles up behind it.
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(1);
  answer();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(2);
  for (let i = 0; i < 50; i++) liveness.stalled();
  expect(sent()).toBe(2);
});

it('is not stalled through one slow ping answered within 3 s', async () => {
  const { liveness, answer } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(1_000);
  for (let t = 0; t < 28; t++) {
    await vi.advanceTimersByTimeAsync(100);
    expect(liveness.stalled()).toBeUndefined();
  }
  answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(liveness.stalled()).toBeUndefined();
});

it('is stalled once a ping has gone unanswered for 3 s, and not once it is answered', async () => {
  const { liveness, answer } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(3_999);
  expect(liveness.stalled()).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1);
  expect(liveness.stalled()).toBe(stalledFor('3.0', '2026-12-06T07:00:01.000Z'));
  answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(liveness.stalled()).toBeUndefined();
});

it('ends a stall at once when the broker answers something else (a PubAck), and counts 3 s again from it', async () => {
  const { liveness } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(4_000);
  expect(liveness.stalled()).toBe(stalledFor('3.0', '2026-12-06T07:00:01.000Z'));
  liveness.answered();
  expect(liveness.stalled()).toBeUndefined();
  // The ping is still unanswered: the broker froze again right after that answer.
  await vi.advanceTimersByTimeAsync(2_999);
  expect(liveness.stalled()).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1);
  expect(liveness.stalled()).toBe(stalledFor('6.0', '2026-12-06T07:00:01.000Z'));
});

it('calls no stall on a tick delayed by a blocked event loop: the next tick on time decides', async () => {
  const { liveness, answer } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(3_000);
  // The loop is blocked for 4 s (the clock moves, no timer runs); the answer arrived meanwhile, unread.
  vi.setSystemTime(Date.now() + 4_000);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(liveness.stalled()).toBeUndefined();
  answer();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(liveness.stalled()).toBeUndefined();
});

it('calls the stall at the first tick on time after a blocked loop when the ping is still unanswered', async () => {
  const { liveness } = livenessWithPings();
  await vi.advanceTimersByTimeAsync(3_000);
  vi.setSystemTime(Date.now() + 4_000);
  await vi.advanceTimersByTimeAsync(1_000);
  expect(liveness.stalled()).toBeUndefined();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(liveness.stalled()).toBe(stalledFor('8.0', '2026-12-06T07:00:01.000Z'));
});

it('pings nothing and is not stalled while the connection is lost (readiness and ingest say so themselves)', async () => {
  let down = true;
  const { liveness, sent } = livenessWithPings(() => down);
  await vi.advanceTimersByTimeAsync(5_000);
  expect(sent()).toBe(0);
  expect(liveness.stalled()).toBeUndefined();
  down = false;
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(1);
});
