/**
 * CPU accounting of a scale bench run beyond each process's own CPU time: the whole machine's (were the cores idle?),
 * the bench's own process, and whether an engine's event loop waited for work or for a core. On a shared machine an
 * engine's CPU share says little alone: its event-loop thread's time waiting on a run queue (runnable, no core free)
 * tells a CPU-bound engine on busy cores from one that had nothing to do.
 */
import { readFileSync } from 'node:fs';
import { clockTicks } from './bench-child.js';

/**
 * The machine's CPU so far (ms, all cores together, from /proc/stat): busy (user, nice, system, irq, softirq, steal)
 * and in all. Over a run it says whether the cores had idle time, which the bench's own processes cannot tell: the
 * kernel's loopback network work (softirq) and the processes the bench does not name count too.
 */
export function machineCpuMs(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
  const idle = fields[3] + fields[4];
  const total = fields.reduce((s, f) => s + f, 0);
  const ms = (ticks: number) => (ticks * 1000) / clockTicks();
  return { busy: ms(total - idle), total: ms(total) };
}

/** CPU time (ms) of this process and of its children it has waited for (`ss`, the pause command), from /proc. */
export function ownAndReapedCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: fields 14-17 of the line, 12-15 here (it starts at field 3).
  return ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / clockTicks();
}

/** A thread's time on a core and waiting on a run queue so far (ms), from /proc/<pid>/schedstat (Linux). */
interface SchedTimes {
  onCpuMs: number;
  waitingMs: number;
}

/** The main thread's (a node process's event loop) scheduler times; undefined when /proc has none. */
export function eventLoopSched(pid: number): SchedTimes | undefined {
  try {
    const [onCpu, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { onCpuMs: onCpu / 1e6, waitingMs: waiting / 1e6 };
  } catch {
    return undefined;
  }
}

/**
 * Over `wallMs` between two readings: the shares of the time the event loop ran, waited for a core, and was blocked
 * (nothing to do: waiting on the network, the broker, the ERP). Blocked near 0 means the engine was CPU-bound.
 */
export function eventLoopShares(
  before: SchedTimes | undefined,
  after: SchedTimes | undefined,
  wallMs: number,
): { running: number; runnable: number; blocked: number } {
  if (!before || !after) return { running: NaN, runnable: NaN, blocked: NaN };
  const running = (after.onCpuMs - before.onCpuMs) / wallMs;
  const runnable = (after.waitingMs - before.waitingMs) / wallMs;
  return { running, runnable, blocked: Math.max(0, 1 - running - runnable) };
}
