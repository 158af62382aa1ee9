/**
 * The in-flight gauge and the finished counter take their per-event updates as sums added when they are read
 * (deferred-increments.ts). A registry read after any sequence of updates gives exactly the text it gave when every
 * update went to prom-client at once: the same values, series and order, also for ups and downs that cancel out.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { DeferredIncrements } from '../../engine/runtime/observe/deferred-increments.js';
import { createRuntimeMetrics } from '../../engine/runtime/observe/runtime-metrics.js';

/** A gauge and a counter as the engine declares them, updated at once (as before) or through DeferredIncrements. */
function pair(deferred: boolean) {
  const registry = new Registry();
  const inFlight = new DeferredIncrements(['integration']);
  const finished = new DeferredIncrements(['integration', 'outcome']);
  const gauge: Gauge<'integration'> = new Gauge({
    name: 'in_flight',
    help: 'h',
    labelNames: ['integration'],
    registers: [registry],
    ...(deferred ? { collect: () => inFlight.flush(gauge) } : {}),
  });
  const counter: Counter<'integration' | 'outcome'> = new Counter({
    name: 'finished_total',
    help: 'h',
    labelNames: ['integration', 'outcome'],
    registers: [registry],
    ...(deferred ? { collect: () => finished.flush(counter) } : {}),
  });
  return {
    registry,
    up: (i: string) => (deferred ? inFlight.add(1, i) : gauge.inc({ integration: i })),
    down: (i: string) => (deferred ? inFlight.add(-1, i) : gauge.dec({ integration: i })),
    finish: (i: string, o: string) => (deferred ? finished.add(1, i, o) : counter.inc({ integration: i, outcome: o })),
  };
}

it('reads exactly as prom-client updated at once, after every step of 3,000 random updates and reads', async () => {
  // Names whose joined keys would collide without the length prefix ('1:a' + 'b' against '1' + ':ab'), and quotes.
  const integrations = ['orders', 'a', '1:a', '1', 'x"y', 'ü-日'];
  const outcomes = ['delivered', 'skipped', ':ab', 'b', 'echo_suppressed'];
  const before = pair(false);
  const after = pair(true);
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * n); // the high bits: the low ones of this generator repeat quickly
  };
  const running = new Map<string, number>();
  let reads = 0;
  for (let step = 0; step < 3_000; step++) {
    const i = integrations[random(integrations.length)]!;
    const what = random(10);
    if (what < 4) {
      before.up(i);
      after.up(i);
      running.set(i, (running.get(i) ?? 0) + 1);
    } else if (what < 7 && (running.get(i) ?? 0) > 0) {
      before.down(i);
      after.down(i);
      running.set(i, running.get(i)! - 1);
    } else if (what < 9) {
      const o = outcomes[random(outcomes.length)]!;
      before.finish(i, o);
      after.finish(i, o);
    } else {
      reads++;
      expect(await after.registry.metrics()).toBe(await before.registry.metrics());
    }
  }
  expect(reads).toBeGreaterThan(100);
  expect(await after.registry.metrics()).toBe(await before.registry.metrics());
});

it('shows a series whose ups and downs cancelled out before the read, at 0, as before', async () => {
  const metrics = createRuntimeMetrics(async () => new Map());
  metrics.perEvent.inFlight('orders', 1);
  metrics.perEvent.inFlight('orders', -1);
  metrics.perEvent.finished('orders', 'delivered');
  const text = await metrics.registry.metrics();
  expect(text).toContain('junction_events_in_flight{integration="orders"} 0');
  expect(text).toContain('junction_events_delivered_total{integration="orders",outcome="delivered"} 1');
  // Read again with nothing new: the same values, nothing added twice.
  metrics.perEvent.finished('orders', 'delivered');
  expect((await metrics.finished.get()).values).toEqual([
    { value: 2, labels: { integration: 'orders', outcome: 'delivered' } },
  ]);
  expect((await metrics.inFlight.get()).values).toEqual([{ value: 0, labels: { integration: 'orders' } }]);
});
