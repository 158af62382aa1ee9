/**
 * Figures per block of delivered events over a bench run (events/s and each process's CPU per event), from samples
 * taken every 250 ms. They show whether a run measured a warming engine (V8 still optimising the hot path) or a steady
 * one. A closed loop's senders wait for the ingest's 202, not for delivery, so the ingest runs ahead: a block's CPU
 * is its deliveries plus what the ingest accepted meanwhile (printed beside it), and the blocks after the senders
 * are done (the drain) pay for no ingest. The run's own total, ingest and delivery of all its events, is exact.
 */

/**
 * One moment of a run: events the ERP has had so far (and the ingest had accepted, when known) and the CPU time (ms)
 * each process had used by then.
 */
export interface RunSample {
  at: number;
  delivered: number;
  accepted?: number;
  cpuMs: Record<string, number | undefined>;
}

export interface Block {
  /** Delivered events at the block's start and end (the end is the first sample at or past the block size). */
  from: number;
  to: number;
  /** Events the ingest accepted meanwhile, when known. */
  accepted?: number;
  perS: number;
  cpuMsPerEvent: Record<string, number | undefined>;
}

/** Samples `read` every `intervalMs` until stopped; a slow read makes the next tick wait rather than pile up. */
export class RunSampler {
  private readonly samples: RunSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly read: () => Promise<RunSample>,
    private readonly intervalMs = 250,
  ) {}

  async start(): Promise<void> {
    await this.take();
    this.timer = setInterval(() => void (this.reading ??= this.take()), this.intervalMs);
  }

  /** Stops, takes a last sample, and returns them all in order. */
  async stop(): Promise<RunSample[]> {
    clearInterval(this.timer);
    await this.reading;
    await this.take();
    return this.samples;
  }

  private async take(): Promise<void> {
    try {
      this.samples.push(await this.read());
    } finally {
      this.reading = undefined;
    }
  }
}

/** Figures between two samples. */
function between(start: RunSample, end: RunSample): Block {
  const events = end.delivered - start.delivered;
  const cpuMsPerEvent: Record<string, number | undefined> = {};
  for (const [name, ms] of Object.entries(end.cpuMs)) {
    const before = start.cpuMs[name];
    cpuMsPerEvent[name] = ms === undefined || before === undefined ? undefined : (ms - before) / events;
  }
  const accepted = end.accepted === undefined ? undefined : end.accepted - (start.accepted ?? 0);
  const perS = events / ((end.at - start.at) / 1000);
  return { from: start.delivered, to: end.delivered, accepted, perS, cpuMsPerEvent };
}

/** Cuts `samples` into consecutive blocks of at least `size` delivered events. */
export function blocksOf(samples: RunSample[], size: number): Block[] {
  const total = samples.at(-1)?.delivered ?? 0;
  const blocks: Block[] = [];
  let start = samples[0];
  for (const sample of samples.slice(1)) {
    const events = sample.delivered - start.delivered;
    const end = sample === samples.at(-1);
    // A rest shorter than half a block says little on its own: it joins the block before.
    if (!end && (events < size || total - sample.delivered < size / 2)) continue;
    if (events > 0) blocks.push(between(start, sample));
    start = sample;
  }
  return blocks;
}
