/**
 * `prepare` builds only when the sources changed (`scripts/build.mjs --if-stale`): npm runs `prepare` for every first
 * `npx junction` in a checkout (it links the package into npx's cache), which compiled the whole engine again, a
 * minute or more, before the command even started. A tiny project with the real build scripts, built for real.
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../cli/run-cli.js';

const exec = promisify(execFile);
const project = mkdtempSync(join(tmpdir(), 'junction-build-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(join(project, path, '..'), { recursive: true });
  writeFileSync(join(project, path), text);
}

/** `node scripts/build.mjs [flags]` in the project: its stdout. */
async function build(...flags: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ['scripts/build.mjs', ...flags], { cwd: project });
  return stdout;
}

const UP_TO_DATE = 'dist/ is up to date with engine/ and connectors/: not built again (npm run build forces it)\n';

it('builds when dist/ is missing or its sources changed (edited, deleted), and leaves it as it is otherwise', async () => {
  for (const file of ['scripts/build.mjs', 'scripts/build-fingerprint.mjs', 'tsconfig.json', 'tsconfig.build.json'])
    cpSync(join(REPO_ROOT, file), join(project, file));
  write('package.json', '{ "name": "junction", "type": "module" }\n');
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(project, 'node_modules'));
  write('engine/cli/junction.ts', "console.log('one');\n");
  write('connectors/shop/index.ts', 'export const shop = 1;\n');
  write('connectors/shop/schema.json', '{}\n');

  // A fresh checkout (`npm ci`): no dist/, so it builds.
  expect(await build('--if-stale')).toBe('');
  expect(readFileSync(join(project, 'dist/engine/cli/junction.js'), 'utf8')).toContain("console.log('one')");
  expect(statSync(join(project, 'dist/engine/cli/junction.js')).mode & 0o111).toBe(0o111);
  expect(existsSync(join(project, 'dist/connectors/shop/schema.json'))).toBe(true);

  // `npx junction` (or `npm pack`) with nothing changed: not compiled again.
  write('dist/marker', 'kept\n');
  expect(await build('--if-stale')).toBe(UP_TO_DATE);
  expect(existsSync(join(project, 'dist/marker'))).toBe(true);

  // A source edited since: built again, with the edit.
  write('engine/cli/junction.ts', "console.log('two, edited');\n");
  expect(await build('--if-stale')).toBe('');
  expect(existsSync(join(project, 'dist/marker'))).toBe(false);
  expect(readFileSync(join(project, 'dist/engine/cli/junction.js'), 'utf8')).toContain("console.log('two, edited')");
  expect(await build('--if-stale')).toBe(UP_TO_DATE);

  // A file deleted since: built again, without it.
  rmSync(join(project, 'connectors/shop/schema.json'));
  expect(await build('--if-stale')).toBe('');
  expect(existsSync(join(project, 'dist/connectors/shop/schema.json'))).toBe(false);

  // `npm run build` always builds.
  write('dist/marker', 'kept\n');
  expect(await build()).toBe('');
  expect(existsSync(join(project, 'dist/marker'))).toBe(false);
}, 180_000);

it('is what `prepare` runs', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(pkg.scripts.prepare).toBe('node scripts/build.mjs --if-stale');
  expect(pkg.scripts.build).toBe('node scripts/build.mjs');
});
