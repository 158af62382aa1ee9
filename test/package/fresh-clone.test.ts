/**
 * The package as a new user gets it, from a fresh clone of this repository's HEAD: `npm ci && npm run build`,
 * `npm pack`, an install of the tarball into an empty project, then the installed `junction` on a spec repository.
 * `npm test` itself is not rerun inside the clone: CI runs it on the same commit already.
 * npm takes packages from its cache (`--prefer-offline`), so the test needs no network once the cache is warm.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/run-cli.js';

const exec = promisify(execFile);
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
const work = mkdtempSync(join(tmpdir(), 'junction-package-'));
// Two node_modules trees: removing them takes a while on a busy machine.
afterAll(() => rm(work, { recursive: true, force: true }), 180_000);

/** Runs a command; resolves to its exit code and output (a failing command is an outcome, not a throw). */
async function run(cwd: string, file: string, args: string[]) {
  try {
    const { stdout, stderr } = await exec(file, args, { cwd, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Like `run`, but a failure stops the test with the command's output. */
async function step(cwd: string, file: string, args: string[]): Promise<string> {
  const result = await run(cwd, file, args);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}\n${result.stderr}`);
  return result.stdout;
}

it('builds, packs and installs from a fresh clone; the installed junction validates and tests specs', async () => {
  const clone = join(work, 'clone');
  await step(work, 'git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
  // --ignore-scripts: `prepare` would build once more; the build is the next, explicit step.
  await step(clone, 'npm', ['ci', '--ignore-scripts', ...NPM_FLAGS]);
  await step(clone, 'npm', ['run', 'build']);
  await step(clone, 'npm', ['pack', '--ignore-scripts', '--pack-destination', work]);
  const [tarball] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarball).toMatch(/^junction-\d+\.\d+\.\d+\.tgz$/);

  const project = join(work, 'project');
  cpSync(join(REPO_ROOT, 'test/plan/fixtures/specs'), join(project, 'specs'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', private: true }));
  await step(project, 'npm', ['install', ...NPM_FLAGS, join(work, tarball)]);

  // `npx --no`: the local install or nothing; never a download of some other package named junction.
  const npx = (cwd: string, ...args: string[]) => run(cwd, 'npx', ['--no', 'junction', ...args]);
  expect(await npx(project, 'validate', 'specs')).toEqual({ code: 0, stdout: '', stderr: '✓ specs: no problems\n' });
  const tested = await npx(project, 'test', 'specs');
  expect(tested.code).toBe(0);
  expect(tested.stdout.trim().split('\n').at(-1)).toBe('3 passed, 0 failed');
}, 600_000);
