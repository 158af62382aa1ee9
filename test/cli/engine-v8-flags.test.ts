/**
 * The engine's V8 flags (engine/cli/engine-v8-flags.ts), set at run time as `junction run` sets them, take effect:
 * once they are set, no scavenge has helper-thread time. V8's own per-collection trace says so; without the flags,
 * the same child's scavenges do have it.
 *
 * The trace is switched on by the child right after its choice (see the child), never on the command line: before,
 * this test counted `--trace-parallel-scavenge` task lines, whose prefixes interleave between threads and between
 * isolates (tsx's loader thread is one), and counted scavenges from before the flags were set; it failed under load.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { REPO_ROOT } from './run-cli.js';

const exec = promisify(execFile);
const CHILD = join(REPO_ROOT, 'test/cli/helpers/scavenge-tasks-main.ts');

/** The helper threads' ms of each scavenge of a child run, from `--trace-gc-nvp` (`gc=s` lines). */
async function scavengeHelperMs(mode: 'engine' | 'default', nodeFlags: string[] = []): Promise<number[]> {
  const args = [...nodeFlags, '--import', 'tsx', CHILD, mode];
  const { stdout } = await exec(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 });
  return [...stdout.matchAll(/gc=s .*?background\.scavenge\.parallel=([\d.]+)/g)].map((m) => Number(m[1]));
}

it('scavenges on the main thread alone once the flags are set', async () => {
  const helperMs = await scavengeHelperMs('engine');
  expect(helperMs.length).toBeGreaterThanOrEqual(20);
  expect(helperMs.filter((ms) => ms > 0)).toEqual([]);
}, 60_000);

it('scavenges with helper threads without them', async () => {
  const helperMs = await scavengeHelperMs('default');
  expect(helperMs.length).toBeGreaterThanOrEqual(20);
  expect(helperMs.some((ms) => ms > 0)).toBe(true);
}, 60_000);

it('leaves a flag node was started with alone: --parallel-scavenge keeps the helper threads', async () => {
  const helperMs = await scavengeHelperMs('engine', ['--parallel-scavenge']);
  expect(helperMs.length).toBeGreaterThanOrEqual(20);
  expect(helperMs.some((ms) => ms > 0)).toBe(true);
}, 60_000);
