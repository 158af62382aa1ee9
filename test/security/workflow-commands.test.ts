/**
 * Security item: spec content cannot inject GitHub workflow commands through the human output formats. The runner
 * reads a line starting (after spaces) with `::` as a command, and `##[` anywhere in a line as the legacy form, so a
 * PR could forge annotations, mask log text or stop command processing. Names, keys and test case names below carry
 * a newline and such commands; no line of `validate`, `test` or `plan` output may read as one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { guardWorkflowCommands, oneLine } from '../../engine/cli/formats/workflow-command-guard.js';
import { runCli } from '../cli/run-cli.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';

let repo: SpecRepo | undefined;
afterEach(() => {
  repo?.remove();
  repo = undefined;
});

/** Lines the Actions runner would treat as workflow commands. */
function commandLines(output: string): string[] {
  return output.split('\n').filter((line) => line.trimStart().startsWith('::') || line.includes('##['));
}

const FORGED = '\\n::error file=README.md,line=1::forged\\n  ::add-mask::x ##[stop-commands]t';

describe('workflow commands from spec content', () => {
  it('never appear as a command line in validate, test or plan output', async () => {
    repo = createSpecRepo();
    // An unknown key (validate), a failing case with a forged name and path (test), and a changed plan case (plan).
    repo.edit('contacts-to-crm.yaml', (t) => t.replace('key: $string(id)', `key: $string(id)\n"x${FORGED}": 1`));
    const validate = await runCli(['validate', 'specs'], { cwd: repo.dir });
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain('unknown property `x\\n::error file=README.md,line=1::forged\\n');
    expect(commandLines(validate.stdout + validate.stderr)).toEqual([]);

    repo.edit('contacts-to-crm.yaml', (t) => t.replace(`\n"x${FORGED}": 1`, ''));
    repo.edit('contacts-to-crm.test.yaml', (t) =>
      t
        .replace('name: a customer becomes a contact', `name: "a customer${FORGED}"`)
        .replace('FirstName: Ada,', `FirstName: Ada, "F${FORGED}": 1,`),
    );
    const test = await runCli(['test', 'specs'], { cwd: repo.dir });
    expect(test.code).toBe(1);
    expect(test.stdout).toContain('✗ contacts-to-crm › a customer\\n::error file=README.md,line=1::forged\\n');
    expect(commandLines(test.stdout + test.stderr)).toEqual([]);

    repo.edit('contacts-to-crm.yaml', (t) => t.replace('"Email": email', `"Email": email & "${FORGED}"`));
    const plan = await runCli(['plan', '--base', repo.base, 'specs'], { cwd: repo.dir });
    expect(plan.stdout).toContain('a customer');
    expect(commandLines(plan.stdout + plan.stderr)).toEqual([]);
  });

  it('keeps spec text on one line and neutralises both command forms', () => {
    expect(oneLine('a\nb\r\tc\u001b[31m')).toBe('a\\nb\\r\\tc\\u001b[31m');
    expect(guardWorkflowCommands('ok\n  ::error::x\nsee ##[group]y\n::')).toBe(
      'ok\n  \\::error::x\nsee ##\\[group]y\n\\::',
    );
  });
});
