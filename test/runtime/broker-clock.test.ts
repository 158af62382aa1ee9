/**
 * The broker clock's estimate against a real nats-server. Engines that start together estimate at once, each writing
 * the same key (history 1), so one engine's write is often replaced before it reads it back: more than a third of the
 * estimates of four such engines were lost, and a lost estimate leaves an engine on its own wall clock until the next
 * one (a minute later, when the others sample again too). The write that replaced it serves as well.
 */
import { Kvm } from '@nats-io/kv';
import { afterEach, expect, it, vi } from 'vitest';
import { createBucket } from '../../engine/runtime/broker/create-bucket.js';
import { BrokerClock } from '../../engine/runtime/control/broker-clock.js';
import { natsTestBed } from '../helpers/nats-server.js';
import { waitFor } from './helpers/runtime-harness.js';

const bed = natsTestBed();
afterEach(() => bed.dispose());

it('gives every one of four engines estimating at once an estimate, within its stated error of the broker clock', async () => {
  await bed.start();
  const connections = [await bed.connect(), await bed.connect(), await bed.connect(), await bed.connect()];
  // Created as engines create it: four at once race to add its stream (create-bucket.ts).
  const buckets = await Promise.all(
    connections.map((nc) => createBucket(new Kvm(nc), 'junction_control', { history: 1 })),
  );
  const clocks = buckets.map((kv, i) => new BrokerClock(kv, `engine-${i}`));
  for (let round = 0; round < 20; round++) {
    const estimates = await Promise.all(clocks.map((clock) => clock.sync()));
    expect(estimates.filter((estimate) => estimate === undefined)).toEqual([]);
    // The broker runs on this machine's clock, so each engine's broker time is this machine's wall time within the
    // estimate's error, plus 1 ms for the broker timestamp cut to whole ms and 0.5 ms for `now()` rounding to them.
    // The wall clock is read on both sides: a loaded machine can pause this process between any two reads (an
    // estimate's `offsetMs` takes its two a moment apart, and was 1.3 ms beyond this bound at a load of 22).
    for (const [i, clock] of clocks.entries()) {
      const wallBefore = Date.now();
      const brokerNow = clock.now();
      const wallAfter = Date.now(); // whole ms cut down: the wall time at `brokerNow` is below wallAfter + 1
      expect(brokerNow).toBeGreaterThanOrEqual(wallBefore - estimates[i]!.errorMs - 1.5);
      expect(brokerNow).toBeLessThanOrEqual(wallAfter + 1 + estimates[i]!.errorMs + 0.5);
    }
  }
});

it('an engine whose first estimate is lost (its writes time out) takes one a second later, not a minute later', async () => {
  await bed.start();
  const control = await createBucket(new Kvm(await bed.connect()), 'junction_control', { history: 1 });
  // The broker does not answer this engine's first writes in time, as when it is slow under load.
  let lost = 3;
  const slow = new Proxy(control, {
    get: (target, name, receiver) =>
      name === 'put'
        ? (...args: Parameters<typeof control.put>) =>
            lost-- > 0 ? Promise.reject(new Error('TimeoutError: timeout')) : target.put(...args)
        : (Reflect.get(target, name, receiver) as unknown),
  });
  const clock = new BrokerClock(slow, 'engine-0');
  try {
    expect(await clock.start()).toBeUndefined();
    expect(clock.estimated).toBe(false);
    await waitFor(() => clock.estimated, 'an estimate of the broker clock');
    // From the estimate on, this process's wall clock no longer matters: it runs an hour ahead here.
    const realNow = Date.now.bind(Date);
    const ahead = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 3_600_000);
    try {
      expect(Math.abs(clock.now() - realNow())).toBeLessThan(60_000);
    } finally {
      ahead.mockRestore();
    }
  } finally {
    clock.stop();
  }
});
