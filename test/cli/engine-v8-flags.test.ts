/**
 * The engine's V8 flags (engine/cli/engine-v8-flags.ts), set at run time as `junction run` sets them, take effect:
 * every later scavenge runs as one task on the main thread. V8's own trace says so (one task line per scavenge).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './run-cli.js';

const exec = promisify(execFile);
const CHILD = join(REPO_ROOT, 'test/cli/helpers/scavenge-tasks-main.ts');

/** The number of tasks of each scavenge of a child run, from V8's trace (task lines come before their scavenge). */
async function scavengeTasks(mode: 'engine' | 'default'): Promise<number[]> {
  const args = ['--trace-parallel-scavenge', '--trace-gc', '--import', 'tsx', CHILD, mode];
  const { stdout } = await exec(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  const tasks: number[] = [];
  let pending = 0;
  for (const line of stdout.split('\n')) {
    if (/\] scavenge\[/.test(line)) pending++;
    else if (/ ms: Scavenge /.test(line)) {
      tasks.push(pending);
      pending = 0;
    }
  }
  return tasks;
}

it('scavenges on the main thread alone once the flags are set', async () => {
  const tasks = await scavengeTasks('engine');
  // The child's first scavenges (about 10, loading tsx and the module) ran before the flags were set; about 100 follow.
  const later = tasks.slice(-20);
  expect(later).toHaveLength(20);
  expect(later).toEqual(later.map(() => 1));
}, 60_000);

// V8 sizes a scavenge's tasks by the young generation and node's pool of V8 threads (4 by default), not the cores.
it('scavenges with helper tasks without them', async () => {
  const tasks = await scavengeTasks('default');
  expect(tasks.slice(-20).some((n) => n > 1)).toBe(true);
}, 60_000);
