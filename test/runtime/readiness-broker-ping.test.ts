/**
 * The readiness probe's broker ping, with a ping the test answers: a ping every second in the background (probes
 * only read the last outcome), not ready once one has gone unanswered for 3 s, and one slow ping answered within
 * that does not flip the answer (no flapping).
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { readinessProbe } from '../../engine/runtime/observe/readiness.js';
import type { ReadinessProbe } from '../../engine/runtime/observe/readiness.js';

const jsm = { streams: { info: () => Promise.resolve({}) } } as unknown as JetStreamManager;
let probe: ReadinessProbe | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-12-06T07:00:00.000Z') });
});
afterEach(() => {
  probe?.stop();
  vi.useRealTimers();
});

/** A probe whose pings the test answers: `answer()` answers the oldest unanswered one. */
function probeWithPings() {
  const pending: (() => void)[] = [];
  let sent = 0;
  probe = readinessProbe({
    natsDown: () => undefined,
    commit: () => 'abc',
    stopping: () => false,
    jsm,
    ping: () => {
      sent++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
  });
  return { probe, answer: () => pending.shift()!(), sent: () => sent };
}

it('pings once a second, one at a time, and answers probes from the last outcome', async () => {
  const { probe, answer, sent } = probeWithPings();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(1);
  // Unanswered: no second ping piles up behind it.
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(1);
  answer();
  await vi.advanceTimersByTimeAsync(1_000);
  expect(sent()).toBe(2);
  for (let i = 0; i < 50; i++) probe();
  expect(sent()).toBe(2);
});

it('stays ready through one slow ping answered within 3 s', async () => {
  const { probe, answer } = probeWithPings();
  await vi.advanceTimersByTimeAsync(1_000);
  for (let t = 0; t < 28; t++) {
    await vi.advanceTimersByTimeAsync(100);
    expect(probe()).toEqual({ ready: true, reasons: [] });
  }
  answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(probe()).toEqual({ ready: true, reasons: [] });
});

it('is not ready once a ping has gone unanswered for 3 s, and ready again when it is answered', async () => {
  const { probe, answer } = probeWithPings();
  await vi.advanceTimersByTimeAsync(1_000);
  await vi.advanceTimersByTimeAsync(3_000);
  expect(probe()).toEqual({
    ready: false,
    reasons: [
      {
        check: 'nats',
        message:
          'NATS has not answered a ping for 3.0 s (sent at 2026-12-06T07:00:01.000Z): the broker is stalled or ' +
          'the network to it drops packets',
      },
    ],
  });
  answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(probe()).toEqual({ ready: true, reasons: [] });
});
