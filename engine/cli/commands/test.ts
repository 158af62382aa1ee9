/**
 * `junction test [dir]`: runs every spec test as a dry run against its recorded responses, and lists the
 * integrations that have no test case (`--require-tests` fails on them, as CI should).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { TransformEngineName } from '../../transform/select-engine.js';
import { formatDiagnostics } from '../formats/format-diagnostics.js';
import { formatTestReport } from '../formats/test-report.js';
import { transformEngineOption } from '../transform-engine-option.js';

interface TestOptions {
  format: 'stylish' | 'json';
  update?: boolean;
  integration?: string;
  requireTests?: boolean;
  transformEngine: TransformEngineName;
}

/** Registers `junction test`. */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description('run the spec tests (<integration>.test.yaml) as dry runs against recorded responses')
    .argument('[dir]', 'spec directory', 'specs')
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .option('--integration <name>', 'only the tests of this integration')
    .option('--require-tests', 'fail when an integration has no test case (the reusable CI workflow sets it)')
    .option('--update', "rewrite each failing case's expectations from the actual plan")
    .addOption(transformEngineOption())
    .action(async (dir: string, opts: TestOptions) => {
      // Loaded when the command runs, so `junction --help` does not pay for the compiler and the dry run.
      const { compileDirectory, createWiring } = await import('../wiring.js');
      const { didYouMean } = await import('../../compiler/suggest.js');
      const wiring = createWiring({ transformEngine: opts.transformEngine });
      const { compileEveryEnvironment, environmentDiagnostics, testEveryEnvironment } =
        await import('../environments.js');
      const { result, tree } = await compileDirectory(wiring, dir, { requireSpecs: true });
      const compiles = compileEveryEnvironment(wiring, tree, result);
      const diagnostics = environmentDiagnostics(compiles);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0 || compiles.some((c) => !c.result.specSet)) {
        process.stdout.write(formatDiagnostics(diagnostics, opts.format === 'json' ? 'json' : 'stylish'));
        process.stderr.write(
          `✗ the specs do not validate (${errors.length} error${errors.length === 1 ? '' : 's'}); fix them before testing\n`,
        );
        process.exitCode = 1;
        return;
      }
      const names = [...result.specSet!.integrations.keys()];
      if (opts.integration !== undefined && !names.includes(opts.integration)) {
        process.stderr.write(
          `junction: no integration named ${JSON.stringify(opts.integration)} in ${dir}${didYouMean(opts.integration, names)}\n`,
        );
        process.exitCode = 1;
        return;
      }
      const selected = opts.integration === undefined ? names : [opts.integration];
      const { reports, own } = await testEveryEnvironment(wiring, tree, compiles, (t) =>
        selected.includes(t.integration),
      );
      const untested = selected.filter((name) => !reports.some((r) => r.integration === name));
      process.stdout.write(formatTestReport(reports, untested, opts.format));
      if (opts.update) {
        const { updateExpectations } = await import('../../plan/spec-tests/update-expectations.js');
        const root = resolve(dir);
        const changed = await updateExpectations(own, (file) =>
          resolve(root, file.slice(tree.displayRoot === '.' ? 0 : tree.displayRoot.replace(/\/$/, '').length + 1)),
        );
        process.stderr.write(changed.length ? `updated ${changed.join(', ')}\n` : 'nothing to update\n');
        // --update rewrites the specs' own expectations; environment runs only check.
        process.exitCode = reports.some((r) => r.error || r.fieldProblems.length > 0) ? 1 : 0;
        return;
      }
      if (opts.requireTests && untested.length > 0)
        process.stderr.write(
          `✗ --require-tests: ${untested.length} integration${untested.length === 1 ? ' has' : 's have'} no test case; add a <name>.test.yaml beside each\n`,
        );
      process.exitCode = reports.some((r) => !r.passed) || (opts.requireTests && untested.length > 0) ? 1 : 0;
    });
}
