/** Runs the real `junction` command in a child process, as a user would, from the sources (through tsx). */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Node arguments that start the CLI from source in any working directory: tsx's loader, then the entry file. */
export const JUNCTION_ARGS = [
  '--import',
  pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href,
  fileURLToPath(new URL('../../engine/cli/junction.ts', import.meta.url)),
];

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `signal` kills the command (SIGKILL) when aborted, and the result then has code null: a test that ends before its
 * command does (a timeout) leaves no engine running on after it.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...JUNCTION_ARGS, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => {
      if (error.name !== 'AbortError') reject(error);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
