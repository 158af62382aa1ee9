/**
 * The engine bench's CPU budget per delivered event: what each process of the run (engine, nats-server, load
 * generator, fake ERP) spent, their sum, and the events/s the machine's cores allow at that sum if every core were
 * busy with nothing else: at 0.55 ms per event two cores allow 2000 / 0.55 = 3,636 events/s, whatever the pinning.
 * That is a ceiling: kernel work charged to no process (ksoftirqd) and idle gaps only lower it. CPU time per event
 * moves less with other load on the machine than events/s do, so the budget is the figure to compare runs by.
 */

/** The engine bench of issue #16's baseline (2026-12-03): the figure its "4x" is counted from. */
const BASELINE_PER_S = 1_130;
/** Issue #16's throughput target: 4x the baseline. */
const TARGET_PER_S = 4 * BASELINE_PER_S;

/** One process's CPU over the measured run, ms per delivered event, user and kernel (system calls, loopback TCP). */
export interface ProcessCpu {
  user: number;
  system: number;
}

interface CpuBudget {
  /** Per process, ms per event (user + kernel); undefined when its CPU time could not be read. */
  perEvent: { engine: number; nats?: number; loadgen: number; target: number };
  /** Kernel time of each process, ms per event. */
  kernel: { engine: number; nats?: number; loadgen: number; target: number };
  /** Sum over the processes read (nats-server's left out when unknown: then `complete` is false). */
  sum: number;
  complete: boolean;
  cores: number;
  /** cores * 1000 / sum: events/s the cores allow at this sum. */
  coresAllowPerS: number;
  /** The sum 4,520 events/s needs on these cores: cores * 1000 / 4,520. */
  targetSum: number;
  /** Pinned layout only: events/s that cpu0 (the engine alone) and cpu1 (the rest) allow. */
  pinned?: { engine: number; rest: number };
  measuredPerS: number;
  /** Measured events/s over the baseline's 1,130. */
  baselineRatio: number;
}

const sumOf = (p: ProcessCpu | undefined) => (p === undefined ? undefined : p.user + p.system);

export function cpuBudget(
  cpu: { engine: ProcessCpu; nats: ProcessCpu | undefined; loadgen: ProcessCpu; target: ProcessCpu },
  measuredPerS: number,
  cores: number,
  pinned: boolean,
): CpuBudget {
  const perEvent = {
    engine: sumOf(cpu.engine)!,
    nats: sumOf(cpu.nats),
    loadgen: sumOf(cpu.loadgen)!,
    target: sumOf(cpu.target)!,
  };
  const kernel = {
    engine: cpu.engine.system,
    nats: cpu.nats?.system,
    loadgen: cpu.loadgen.system,
    target: cpu.target.system,
  };
  const rest = (perEvent.nats ?? 0) + perEvent.loadgen + perEvent.target;
  const sum = perEvent.engine + rest;
  return {
    perEvent,
    kernel,
    sum,
    complete: perEvent.nats !== undefined,
    cores,
    coresAllowPerS: (cores * 1000) / sum,
    targetSum: (cores * 1000) / TARGET_PER_S,
    ...(pinned ? { pinned: { engine: 1000 / perEvent.engine, rest: 1000 / rest } } : {}),
    measuredPerS,
    baselineRatio: measuredPerS / BASELINE_PER_S,
  };
}

const ms = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(3));
const perS = (v: number) => Math.round(v).toLocaleString('en-US');

/** The budget as the bench prints it: a line per process, then the sum and what it allows. */
export function budgetLines(b: CpuBudget): string[] {
  const row = (name: string, k: keyof CpuBudget['perEvent']) =>
    `  ${name.padEnd(16)} ${ms(b.perEvent[k]).padStart(6)} ms (kernel ${ms(b.kernel[k])})`;
  const sumNote = b.complete ? '' : ' (nats-server unknown: left out)';
  const lines = [
    'cpu budget of the measured run, per delivered event (user + kernel):',
    row('engine', 'engine'),
    row('nats-server', 'nats'),
    row('load generator', 'loadgen'),
    row('fake ERP', 'target'),
    `  ${'sum'.padEnd(16)} ${ms(b.sum).padStart(6)} ms${sumNote} -> ${b.cores} cores allow ${perS(b.coresAllowPerS)} ` +
      `events/s (${b.cores * 1000} / sum)`,
  ];
  if (b.pinned)
    lines.push(
      `  pinned: cpu0 (engine alone) allows ${perS(b.pinned.engine)} events/s, cpu1 (nats-server, load generator, ` +
        `fake ERP) ${perS(b.pinned.rest)}`,
    );
  lines.push(
    `  measured ${perS(b.measuredPerS)} events/s = ${b.baselineRatio.toFixed(2)}x the issue's ${perS(BASELINE_PER_S)} ` +
      `(4x = ${perS(TARGET_PER_S)} events/s needs a sum <= ${ms(b.targetSum)} ms on ${b.cores} cores)`,
  );
  return lines;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The budget's fields of the bench's JSON line. */
export function budgetFigures(b: CpuBudget): Record<string, number> {
  return {
    loadgen_cpu_ms_per_event: round3(b.perEvent.loadgen),
    target_cpu_ms_per_event: round3(b.perEvent.target),
    sum_cpu_ms_per_event: round3(b.sum),
    cores: b.cores,
    cores_allow_per_s: Math.round(b.coresAllowPerS),
    baseline_ratio: Math.round(b.baselineRatio * 100) / 100,
  };
}
