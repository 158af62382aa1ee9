/**
 * Child processes of the engine bench (load generator, fake ERP): started with `node --import tsx <file>`, driven by
 * request/response messages over the IPC channel, optionally pinned to one CPU, and able to report their own CPU time.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

interface Call {
  id: number;
  method: string;
  args: unknown;
}
interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

export interface BenchChild {
  readonly pid: number;
  call<T>(method: string, args?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `file` in a fresh node process (no inherited execArgv, so a `--cpu-prof` of the bench stays on the engine).
 */
export async function spawnBenchChild(file: string): Promise<BenchChild> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', file], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: Reply | 'ready') => {
      if (message === 'ready') return resolve();
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result);
    });
    child.once('exit', (code, signal) => {
      exited = new Error(`${file} exited (${code ?? signal})`);
      reject(exited);
      for (const w of pending.values()) w.reject(exited);
      pending.clear();
    });
  });
  await ready;
  return {
    pid: child.pid!,
    call: <T>(method: string, args?: unknown) =>
      new Promise<T>((resolve, reject) => {
        if (exited) return reject(exited);
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ id, method, args } satisfies Call);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited || child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * What every child answers besides its own handlers: its CPU time split into user and kernel (system) time, and a V8
 * CPU profile of itself between `startProfile` and `stopProfile` (BENCH_RIG_PROFILE: where a rig child's CPU goes).
 */
let profiler: Session | undefined;
const common: Record<string, (args: never) => unknown> = {
  cpuTimes: () => ownCpuTimes(),
  startProfile: async () => {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    // 250 µs between samples (V8's default is 1 ms): a child's run is seconds of a fraction of a core.
    await profiler.post('Profiler.setSamplingInterval', { interval: 250 });
    await profiler.post('Profiler.start');
  },
  stopProfile: async ({ file }: { file: string }) => {
    if (!profiler) throw new Error('no profile started');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    await writeFile(file, JSON.stringify(profile));
  },
};

/** Child side: answers the parent's calls with `handlers`, then tells it that it is ready. */
export function serveParent(handlers: Record<string, (args: never) => unknown>): void {
  process.on('message', (message: Call) => {
    const handler = handlers[message.method] ?? common[message.method];
    Promise.resolve()
      .then(() => (handler ? handler(message.args as never) : Promise.reject(new Error(`no method ${message.method}`))))
      .then(
        (result) => process.send!({ id: message.id, result } satisfies Reply),
        (error: unknown) =>
          process.send!({ id: message.id, error: String((error as Error)?.message ?? error) } satisfies Reply),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

/** CPU time (user + system, ms) this process has used so far. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** CPU time (ms) this process has used so far in user space and in the kernel (system calls, loopback TCP). */
export function ownCpuTimes(): { user: number; system: number } {
  const u = process.cpuUsage();
  return { user: u.user / 1000, system: u.system / 1000 };
}

/** CPU time (ms) of any process, from /proc (Linux); undefined elsewhere. */
export function procCpuMs(pid: number): number | undefined {
  const times = procCpuTimes(pid);
  return times && times.user + times.system;
}

/** The same split into user and kernel (system) time. */
export function procCpuTimes(pid: number): { user: number; system: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 (utime) and 15 (stime), counted from 1 over the whole line; here the line starts at field 3.
    const ms = (ticks: string) => (Number(ticks) * 1000) / clockTicks();
    return { user: ms(fields[11]), system: ms(fields[12]) };
  } catch {
    return undefined;
  }
}

let ticks: number | undefined;
/** The kernel's clock ticks per second (the unit of /proc's CPU times). */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** Pins every thread of `pid` to `cpu` (a CPU or a taskset list, `0-1`) with taskset; false when not possible. */
export function pinToCpu(pid: number, cpu: number | string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock time in ms with sub-ms resolution, comparable across processes on one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
