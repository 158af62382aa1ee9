/**
 * The rolling delivery window behind `GET /api/status`'s live latency and throughput, on a controlled clock: exact
 * nearest-rank percentiles, expiry of old samples and a bounded number of latency samples.
 */
import { describe, expect, it } from 'vitest';
import { IntegrationWindows } from '../../engine/runtime/observe/integration-window.js';

/** A window on a clock the test moves by hand. */
function windowAt(startMs: number, options: { spanMs?: number; maxSamples?: number } = {}) {
  const clock = { now: startMs };
  return { clock, windows: new IntegrationWindows({ ...options, now: () => clock.now }) };
}

describe('integration window', () => {
  it('reports null figures for an integration without deliveries', () => {
    const { windows } = windowAt(1_000_000);
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: null, latencyP99Ms: null, throughputPerS: null });
  });

  it('gives exact nearest-rank p50 and p99 and deliveries per second over the span', () => {
    const { windows } = windowAt(1_000_000);
    // 1..100 ms recorded out of order, all within the current second.
    for (let ms = 100; ms >= 1; ms--) windows.record('orders', ms);
    windows.record('refunds', 7.25);
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: 50, latencyP99Ms: 99, throughputPerS: 1.67 });
    expect(windows.stats('refunds')).toEqual({ latencyP50Ms: 7.3, latencyP99Ms: 7.3, throughputPerS: 0.02 });
  });

  it('uses nearest rank on small sets: of 1..10, p50 is 5 and p99 is 10', () => {
    const { windows } = windowAt(0);
    for (let ms = 1; ms <= 10; ms++) windows.record('orders', ms);
    expect(windows.stats('orders')).toMatchObject({ latencyP50Ms: 5, latencyP99Ms: 10 });
  });

  it('drops samples older than the span, latency to the millisecond and throughput to the second', () => {
    const { clock, windows } = windowAt(10_000, { spanMs: 10_000 });
    windows.record('orders', 500); // at 10.0 s
    clock.now = 15_000;
    windows.record('orders', 20); // at 15.0 s
    windows.record('orders', 30);
    clock.now = 19_999;
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: 30, latencyP99Ms: 500, throughputPerS: 0.3 });
    clock.now = 20_000; // the first sample is now 10 s old: out
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: 20, latencyP99Ms: 30, throughputPerS: 0.2 });
    clock.now = 25_000;
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: null, latencyP99Ms: null, throughputPerS: null });
    windows.record('orders', 4); // a second-slot reused after a full turn starts from zero
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: 4, latencyP99Ms: 4, throughputPerS: 0.1 });
  });

  it('keeps only the newest maxSamples latencies, while throughput still counts every delivery', () => {
    const { windows } = windowAt(0, { spanMs: 1000, maxSamples: 4 });
    for (const ms of [900, 900, 900, 900, 900, 1, 2, 3, 4]) windows.record('orders', ms);
    expect(windows.stats('orders')).toEqual({ latencyP50Ms: 2, latencyP99Ms: 4, throughputPerS: 9 });
  });
});
