/** Runs a GitOps test's helper process (a `*-main.ts` file, under tsx) and collects what it prints. */
import { spawn } from 'node:child_process';
import { waitWhileRunning } from '../runtime/helpers/runtime-harness.js';

export interface GitopsChild {
  /** Everything it printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the signal it was killed by (null when it exited by itself). */
  exited: Promise<NodeJS.Signals | null>;
  /** SIGKILLs it unless it has ended; resolves once it has. */
  kill(): Promise<NodeJS.Signals | null>;
  /** Resolves once `check` holds (what it printed, or did); fails once it exited first (runtime-harness.ts). */
  until(check: () => boolean | Promise<boolean>, what: string): Promise<void>;
}

/** Starts `main` with `config` as JSON in the environment variable `envName`. */
export function spawnGitopsChild(main: string, envName: string, config: object): GitopsChild {
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...process.env, [envName]: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
    until: (check, what) => waitWhileRunning(child, check, () => `${what}: ${stderr}`),
  };
}
