/**
 * Golden help: every command's `--help` as a user sees it (required options marked, defaults and choices shown,
 * advanced options only with `--help-all`). The expected stdout is in test/cli/golden/<name>.txt;
 * `UPDATE_GOLDEN=1 npx vitest run test/cli/help.test.ts` rewrites the files after an intended change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, expect, it, vi } from 'vitest';
import { main } from '../../engine/cli/main.js';

const GOLDEN = new URL('./golden/', import.meta.url);

const HELP: [name: string, args: string[]][] = [
  ['help', ['--help']],
  ['help-init', ['init', '--help']],
  ['help-validate', ['validate', '--help']],
  ['help-test', ['test', '--help']],
  ['help-record', ['record', '--help']],
  ['help-plan', ['plan', '--help']],
  ['help-ci-github', ['ci', 'github', '--help']],
  ['help-run', ['run', '--help']],
  ['help-all-run', ['run', '--help-all']],
  ['help-dlq', ['dlq', '--help']],
  ['help-dlq-list', ['dlq', 'list', '--help']],
  ['help-dlq-show', ['dlq', 'show', '--help']],
  ['help-dlq-replay', ['dlq', 'replay', '--help']],
  ['help-status', ['status', '--help']],
  ['help-emulator', ['emulator', '--help']],
  ['help-demo', ['demo', '--help']],
  ['help-check', ['check', '--help']],
  ['help-xref', ['xref', '--help']],
  ['help-schema-pull', ['schema', 'pull', '--help']],
];

afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in this process; a test worker's stdout is not a terminal, so help wraps at 80 columns. */
async function junction(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const code = await main(['node', 'junction', ...args]);
  vi.restoreAllMocks();
  return { code, stdout };
}

it.each(HELP)('%s matches its golden file', async (name, args) => {
  const { code, stdout } = await junction(args);
  const file = new URL(`${name}.txt`, GOLDEN);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, stdout);
  expect({ code, stdout }).toEqual({ code: 0, stdout: readFileSync(file, 'utf8') });
});
