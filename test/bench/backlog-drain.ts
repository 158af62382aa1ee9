/**
 * The scale bench's backlog: how many events wait in the events stream while a run goes (nats-server's monitoring
 * endpoint), and the drain of a stored backlog. A closed loop measures ingest and delivery together: its senders wait
 * for each webhook's 202, so when the ingest answers slowly the stream runs dry and the engines wait for work. A drain
 * measures delivery alone: the integration is paused (`junction pause`, as an operator would), the orders are stored,
 * and the time from its resume to the last delivery is what the engines can deliver.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { procCpuMs } from './bench-child.js';

const run = promisify(execFile);
const EVENTS_STREAM = 'JUNCTION_EVENTS';

/** Events stored and not yet acked (a work-queue stream keeps only those), from `http://127.0.0.1:<port>/jsz`. */
export async function streamBacklog(monitorPort: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${monitorPort}/jsz?streams=true`);
  if (!response.ok) throw new Error(`nats-server /jsz on port ${monitorPort} answered ${response.status}`);
  const jsz = (await response.json()) as {
    account_details?: { stream_detail?: { name: string; state: { messages: number } }[] }[];
  };
  for (const account of jsz.account_details ?? [])
    for (const stream of account.stream_detail ?? []) if (stream.name === EVENTS_STREAM) return stream.state.messages;
  return 0;
}

/** `junction pause|resume <integration>` against `natsUrl`, with the command as shipped (`junction` = its .js). */
export async function pauseOrResume(
  junction: string,
  verb: 'pause' | 'resume',
  integration: string,
  natsUrl: string,
): Promise<void> {
  await run(process.execPath, [junction, verb, integration, '--nats', natsUrl, '--reason', 'scale bench drain']);
}

interface Sample {
  at: number;
  backlog: number;
  cpuMs: number[];
}

/** Figures of a run from its samples: the stream's backlog and each engine process's share of a core. */
export interface BacklogSummary {
  /** Backlog at the 10th, 50th and 90th percentile of the samples. */
  backlog: [p10: number, p50: number, p90: number];
  /** Share of the samples with fewer events waiting than the integration has partitions: partitions sat idle. */
  dryShare: number;
  /** Each engine process's busy share (0..1 of a core) at the 10th and 50th percentile of the sample intervals. */
  busy: [p10: number, p50: number][];
}

/** Samples the events stream's backlog and the engine processes' CPU every `intervalMs` while a run goes. */
export class BacklogSampler {
  readonly #samples: Sample[] = [];
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> | undefined;

  constructor(
    private readonly monitorPort: number,
    private readonly pids: number[],
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void (this.#reading ??= this.#take()), this.intervalMs);
  }

  async stop(partitions: number): Promise<BacklogSummary> {
    clearInterval(this.#timer);
    await this.#reading;
    const samples = this.#samples;
    const backlogs = samples.map((s) => s.backlog).sort((a, b) => a - b);
    const busy = this.pids.map((_, i) => {
      const shares = samples
        .slice(1)
        .map((s, j) => (s.cpuMs[i] - samples[j].cpuMs[i]) / (s.at - samples[j].at))
        .sort((a, b) => a - b);
      return [quantile(shares, 0.1), quantile(shares, 0.5)] as [number, number];
    });
    return {
      backlog: [quantile(backlogs, 0.1), quantile(backlogs, 0.5), quantile(backlogs, 0.9)],
      dryShare: backlogs.filter((b) => b < partitions).length / Math.max(1, backlogs.length),
      busy,
    };
  }

  async #take(): Promise<void> {
    try {
      const backlog = await streamBacklog(this.monitorPort);
      this.#samples.push({ at: performance.now(), backlog, cpuMs: this.pids.map((pid) => procCpuMs(pid) ?? NaN) });
    } catch {
      // A sample lost (the server busy past the interval) leaves a gap, not a wrong figure.
    } finally {
      this.#reading = undefined;
    }
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
