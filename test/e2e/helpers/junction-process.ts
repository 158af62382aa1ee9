/**
 * Real `junction run` child processes on a copy of seed spec sets, for tests that SIGKILL one and start another:
 * a nats-server and the seed systems they share, each process's stderr kept for failure messages.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startSeedSystems } from '../../../connectors/seed-systems.js';
import { freePort } from '../../../engine/runtime/broker/nats-server-process.js';
import { JUNCTION_ARGS } from '../../cli/run-cli.js';
import { startTestNatsServer } from '../../helpers/nats-server.js';
import { waitWhileRunning } from '../../runtime/helpers/runtime-harness.js';
import { copySeedSpecs } from './seed-engine.js';

export interface JunctionProcess {
  child: ChildProcess;
  /** Settles when the process has exited. */
  exit: Promise<void>;
  stderr(): string;
}

type Cleanup = () => Promise<unknown> | void;

/**
 * Starts a nats-server, the seed systems and a copy of the spec sets; `run` starts a `junction run` on them (with
 * `args`) on the same port each time, and `ready` waits for its /readyz while it runs. Everything is stopped through
 * `cleanup`.
 */
export async function seedProcesses(sets: string[], cleanup: Cleanup[], args: string[]) {
  const nats = await startTestNatsServer();
  const systems = await startSeedSystems();
  const dir = copySeedSpecs(sets);
  cleanup.push(
    () => nats.dispose(),
    () => systems.stop(),
    () => rmSync(dir, { recursive: true, force: true }),
  );
  const port = await freePort();
  const run = (): JunctionProcess => {
    const command = ['run', dir, '--nats', nats.url, '--port', String(port), '--operator-port', '0', ...args];
    const child = spawn(process.execPath, [...JUNCTION_ARGS, ...command], {
      env: { ...systems.env, JUNCTION_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exit = new Promise<void>((r) => child.on('close', () => r()));
    cleanup.push(() => (child.kill('SIGKILL'), exit));
    return { child, exit, stderr: () => stderr };
  };
  const ready = (process: JunctionProcess, label: () => string) =>
    waitWhileRunning(
      process.child,
      async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true,
      label,
    );
  return { nats, systems, dir, engineUrl: `http://127.0.0.1:${port}`, run, ready };
}
