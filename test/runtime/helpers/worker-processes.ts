/** Spawns worker-only engines as child processes (tsx), waits until they consume, and reports how they exited. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerConfig } from './worker-main.js';

const WORKER_MAIN = fileURLToPath(new URL('./worker-main.ts', import.meta.url));

export interface WorkerProcess {
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
  /** The worker engine's Prometheus text, as it is now (the worker must be running). */
  metrics: () => Promise<string>;
}

/** Every worker this process started that has not exited: killAll reaps them, started by a test or still starting. */
const running = new Set<ChildProcess>();

/**
 * Starts a worker and resolves once it consumes; rejects once it exits first. Its start is CPU work (about 1.6 s of
 * CPU: tsx loading some 240 engine modules, then compiling the specs) that a loaded 2-core machine stretches many
 * times, past 30 s at a load of 22-26, so by default nothing but the test's own timeout limits the wait.
 * @param timeoutMs a limit for callers without one (the soak): the worker is killed when it is not ready by then.
 */
export async function spawnWorker(config: WorkerConfig, timeoutMs?: number): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_MAIN], {
    env: { ...process.env, JUNCTION_TEST_WORKER: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A worker that lost its parent's pipe (the parent exited) must not die of EPIPE on a write it cannot make.
  child.stdin!.on('error', () => undefined);
  const answers = readMetricsAnswers(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`worker did not start in ${timeoutMs} ms:\n${err}`));
          }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(({ code, signal }) => reject(new Error(`worker exited early (${code ?? signal}):\n${err}`)));
  });
  const metrics = () => {
    const answer = answers.next();
    child.stdin!.write('metrics\n');
    return answer;
  };
  return { pid: child.pid!, child, exited, stderr: () => err, metrics };
}

/** The worker's answers to `metrics`, one per line of its stdout that starts with `metrics `, in order. */
function readMetricsAnswers(child: ChildProcess) {
  const waiting: ((text: string) => void)[] = [];
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) if (line.startsWith('metrics ')) waiting.shift()?.(JSON.parse(line.slice(8)) as string);
  });
  return { next: () => new Promise<string>((resolve) => waiting.push(resolve)) };
}

/**
 * SIGKILLs every worker this process started that still runs (test cleanup): also one still starting when its test
 * timed out or another worker's start failed, which no caller holds a handle to.
 */
export async function killAll(): Promise<void> {
  const children = [...running];
  const exits = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children) child.kill('SIGKILL');
  await Promise.all(exits);
}
