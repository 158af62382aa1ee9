/**
 * Rolling per-integration window of this process's deliveries, for the dashboard's live p50/p99 latency and
 * throughput. Prometheus histograms only give bucketed quantiles; this keeps exact figures over the recent past in
 * bounded memory: the last `maxSamples` latencies (ring buffer) and one delivery count per second of the span.
 */
interface WindowStats {
  /** Median delivery latency (ms, nearest rank, 0.1 ms) of the samples within the span; null without samples. */
  latencyP50Ms: number | null;
  /** 99th-percentile delivery latency (ms, nearest rank, 0.1 ms); null without samples. */
  latencyP99Ms: number | null;
  /** Deliveries per second averaged over the span, to the second (0.01/s); null when none in the span. */
  throughputPerS: number | null;
}

interface WindowOptions {
  /** How far back the figures look. @default 60_000 */
  spanMs?: number;
  /** Latency samples kept per integration (the newest win). @default 1024 */
  maxSamples?: number;
  /** Clock (ms), for tests. @default Date.now */
  now?: () => number;
}

/** One integration's buffers; both are allocated once, so memory does not grow with traffic. */
class Window {
  /** Ring buffer of the newest samples: when each delivery finished and its latency. */
  readonly at: Float64Array;
  readonly latency: Float64Array;
  size = 0;
  next = 0;
  /** `counts[i]` deliveries finished in epoch second `seconds[i]` (slot = second mod span): exact however busy. */
  readonly seconds: Float64Array;
  readonly counts: Uint32Array;

  constructor(maxSamples: number, spanSeconds: number) {
    this.at = new Float64Array(maxSamples);
    this.latency = new Float64Array(maxSamples);
    this.seconds = new Float64Array(spanSeconds).fill(-1);
    this.counts = new Uint32Array(spanSeconds);
  }
}

export class IntegrationWindows {
  private readonly windows = new Map<string, Window>();
  private readonly spanMs: number;
  private readonly spanSeconds: number;
  private readonly maxSamples: number;
  private readonly now: () => number;

  constructor(options: WindowOptions = {}) {
    this.spanMs = options.spanMs ?? 60_000;
    this.spanSeconds = Math.max(1, Math.ceil(this.spanMs / 1000));
    this.maxSamples = options.maxSamples ?? 1024;
    this.now = options.now ?? Date.now;
  }

  /** Records one delivery that finished now, `latencyMs` after its event was stored. */
  record(integration: string, latencyMs: number): void {
    let w = this.windows.get(integration);
    if (!w) this.windows.set(integration, (w = new Window(this.maxSamples, this.spanSeconds)));
    const at = this.now();
    w.at[w.next] = at;
    w.latency[w.next] = latencyMs;
    w.next = (w.next + 1) % this.maxSamples;
    w.size = Math.min(w.size + 1, this.maxSamples);
    const second = Math.floor(at / 1000);
    const slot = second % this.spanSeconds;
    if (w.seconds[slot] !== second) {
      w.seconds[slot] = second;
      w.counts[slot] = 0;
    }
    w.counts[slot]++;
  }

  stats(integration: string): WindowStats {
    const w = this.windows.get(integration);
    const now = this.now();
    const latencies: number[] = [];
    let delivered = 0;
    if (w) {
      for (let i = 0; i < w.size; i++) if (now - w.at[i] < this.spanMs) latencies.push(w.latency[i]);
      // The current (partial) second and the `spanSeconds - 1` before it: the span, to the second.
      const second = Math.floor(now / 1000);
      for (let i = 0; i < this.spanSeconds; i++) if (second - w.seconds[i] < this.spanSeconds) delivered += w.counts[i];
    }
    latencies.sort((a, b) => a - b);
    return {
      latencyP50Ms: round(percentile(latencies, 0.5), 10),
      latencyP99Ms: round(percentile(latencies, 0.99), 10),
      throughputPerS: delivered === 0 ? null : round(delivered / this.spanSeconds, 100),
    };
  }
}

/** Nearest-rank percentile of sorted values: the smallest value with at least `p` of the values at or below it. */
function percentile(sorted: number[], p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function round(value: number | null, per: number): number | null {
  return value === null ? null : Math.round(value * per) / per;
}
