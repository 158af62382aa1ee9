/**
 * What each engine process of a `junction run --workers N` bench run did: the webhooks it took in, the orders it
 * delivered and its CPU. The load generator counts 202s per connection and the fake ERP counts writes per connection
 * (by port); `ss -tnp` run while the run goes names the process that holds the engine's end of each connection.
 * Linux only (ss, /proc), as the benches' CPU figures are.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { procCpuMs } from './bench-child.js';

const run = promisify(execFile);

/** The engine processes of `junction run` as `pid` runs it: its cluster workers, or itself with one worker. */
export function enginePids(pid: number, workers: number): number[] {
  if (workers === 1) return [pid];
  const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((p) => p > 0);
}

/** Per-connection counts, by the port of the connection's other end (the load generator's or the engine's). */
export type PortCounts = [port: number, count: number][];

export interface WorkerShare {
  pid: number;
  /** Webhooks this process answered 202 in the measured run, and over how many of the load generator's connections. */
  ingested: number;
  connections: number;
  /** Writes the ERP got from it in the measured run. */
  delivered: number;
  /** CPU time it used over the measured run (ms), and the share of one core that is (0..1). */
  cpuMs: number;
  busy: number;
}

/** One ss line: local and peer address, and the processes holding the socket (`users:(("node",pid=12,fd=3))`). */
const SS_LINE = /\S+:(\d+)\s+\S+:(\d+)\s+users:\((.*)\)\s*$/;

/**
 * Samples, while a run goes, which engine process holds each connection to the ingest port and to the ERP; at the
 * end, splits the load generator's and the ERP's per-port counts between the processes.
 */
export class WorkerShareSampler {
  /** Load generator port -> engine pid (the ingest's connections), engine port -> engine pid (the ERP's). */
  readonly #ingestOwner = new Map<number, number>();
  readonly #deliveryOwner = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;
  #sampling: Promise<void> | undefined;
  #cpuAtStart: number[] = [];
  #startedAt = 0;

  constructor(
    private readonly pids: number[],
    private readonly ports: { ingest: number; erp: number },
  ) {}

  start(): void {
    this.#cpuAtStart = this.pids.map((pid) => procCpuMs(pid) ?? NaN);
    this.#startedAt = performance.now();
    void this.#sample();
    // Connections live as long as the run (keep-alive); one opened and closed between two samples goes unnamed.
    this.#timer = setInterval(() => void (this.#sampling ??= this.#sample()), 500);
  }

  /**
   * Ends the run: each process's busy share, and the counts made since the start (`ingested`, `delivered`: after
   * minus before) split between the processes; what no sample could place is `unplaced`.
   */
  async stop(
    ingested: { before: PortCounts; after: PortCounts },
    delivered: { before: PortCounts; after: PortCounts },
  ): Promise<{ workers: WorkerShare[]; unplaced: { ingested: number; delivered: number } }> {
    const wallMs = performance.now() - this.#startedAt;
    const cpu = this.pids.map((pid, i) => (procCpuMs(pid) ?? NaN) - this.#cpuAtStart[i]);
    clearInterval(this.#timer);
    await this.#sampling;
    const ingest = split(this.#ingestOwner, ingested.before, ingested.after);
    const delivery = split(this.#deliveryOwner, delivered.before, delivered.after);
    return {
      workers: this.pids.map((pid, i) => ({
        pid,
        ingested: ingest.byPid.get(pid) ?? 0,
        connections: [...this.#ingestOwner.values()].filter((owner) => owner === pid).length,
        delivered: delivery.byPid.get(pid) ?? 0,
        cpuMs: cpu[i],
        busy: cpu[i] / wallMs,
      })),
      unplaced: { ingested: ingest.unplaced, delivered: delivery.unplaced },
    };
  }

  async #sample(): Promise<void> {
    try {
      const { stdout } = await run('ss', ['-tnpH']);
      for (const line of stdout.split('\n')) {
        const m = SS_LINE.exec(line);
        if (!m) continue;
        const [local, peer] = [Number(m[1]), Number(m[2])];
        const pid = this.pids.find((p) => m[3].includes(`pid=${p},`));
        if (pid === undefined) continue;
        if (local === this.ports.ingest) this.#ingestOwner.set(peer, pid);
        else if (peer === this.ports.erp) this.#deliveryOwner.set(local, pid);
      }
    } finally {
      this.#sampling = undefined;
    }
  }
}

/** Counts made between two readings, added up per owning process. */
function split(owner: Map<number, number>, before: PortCounts, after: PortCounts) {
  const earlier = new Map(before);
  const byPid = new Map<number, number>();
  let unplaced = 0;
  for (const [port, count] of after) {
    const made = count - (earlier.get(port) ?? 0);
    const pid = owner.get(port);
    if (pid === undefined) unplaced += made;
    else byPid.set(pid, (byPid.get(pid) ?? 0) + made);
  }
  return { byPid, unplaced };
}
