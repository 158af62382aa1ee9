/**
 * The "done when", in one test: a fresh clone of this repository's HEAD goes through
 * `npm ci && npm run build`, `npm pack`, an install of the tarball into an empty project, and
 * `npx junction init demo-specs && cd demo-specs && npx junction validate && npx junction test`.
 * `npm test` itself is not rerun inside the clone: CI runs it on the same commit already.
 * npm takes packages from its cache (`--prefer-offline`), so the test needs no network once the cache is warm.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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

it('builds, packs and installs from a fresh clone; junction init scaffolds specs that validate and test green', async () => {
  const clone = join(work, 'clone');
  await step(work, 'git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, clone]);
  // --ignore-scripts: `prepare` would build once more; the build is the next, explicit step.
  await step(clone, 'npm', ['ci', '--ignore-scripts', ...NPM_FLAGS]);
  await step(clone, 'npm', ['run', 'build']);
  await step(clone, 'npm', ['pack', '--ignore-scripts', '--pack-destination', work]);
  const [tarball] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(tarball).toMatch(/^junction-\d+\.\d+\.\d+\.tgz$/);

  const project = join(work, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'empty-project', private: true }));
  await step(project, 'npm', ['install', ...NPM_FLAGS, join(work, tarball)]);

  // `npx --no`: the local install or nothing; never a download of some other package named junction.
  const npx = (cwd: string, ...args: string[]) => run(cwd, 'npx', ['--no', 'junction', ...args]);
  const init = await npx(project, 'init', 'demo-specs');
  expect(init.code).toBe(0);
  expect(init.stdout).toContain('created a spec repository in demo-specs:\n');
  const specs = join(project, 'demo-specs');
  expect(await npx(specs, 'validate')).toEqual({ code: 0, stdout: '', stderr: '✓ specs: no problems\n' });
  expect(await npx(specs, 'test')).toEqual({
    code: 0,
    stderr: '',
    stdout: [
      '✓ shop-orders-to-orders-api › a paid order reaches the orders service',
      '✓ shop-orders-to-orders-api › unpaid orders are skipped',
      '',
      '2 passed, 0 failed',
      '',
    ].join('\n'),
  });
  // Deep recursion runs in a worker thread that loads the compiled engine: no tsx in an installed package.
  writeFileSync(
    join(project, 'deep.mjs'),
    `import { junctionEngine } from 'junction/dist/engine/transform/junction-engine.js';
     const f = junctionEngine.compile('($f := function($n){ $n = 0 ? 0 : 1 + $f($n - 1) }; $f(10000))');
     console.log(f.evaluate({}, {}, { timeoutMs: 60000 }));`,
  );
  const deep = await run(project, process.execPath, ['deep.mjs']);
  expect(deep).toEqual({ code: 0, stdout: '10000\n', stderr: '' });
  // The editor line points into the local install, so it holds on every clone that installs the same way.
  expect(readFileSync(join(specs, 'specs/shop-orders-to-orders-api.yaml'), 'utf8').split('\n')[0]).toBe(
    '# yaml-language-server: $schema=../../node_modules/junction/schemas/integration.schema.json',
  );
}, 600_000);
