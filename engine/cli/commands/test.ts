/** `junction test [dir]`: runs every spec test as a dry run against its recorded responses. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { runSpecTests } from '../../plan/spec-tests/run-spec-tests.js';
import { updateExpectations } from '../../plan/spec-tests/update-expectations.js';
import type { TransformEngineName } from '../../transform/select-engine.js';
import { formatDiagnostics } from '../formats/format-diagnostics.js';
import { formatTestReport } from '../formats/test-report.js';
import { compileDirectory, createWiring, transformEngineOption } from '../wiring.js';

/** Registers `junction test`. */
export function registerTestCommand(program: Command): void {
  program
    .command('test')
    .description('run the spec tests (<integration>.test.yaml) as dry runs against recorded responses')
    .argument('[dir]', 'spec directory', 'specs')
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .option('--update', "rewrite each failing case's expectations from the actual plan")
    .option('--integration <name>', 'only the tests of this integration')
    .addOption(transformEngineOption())
    .action(
      async (
        dir: string,
        opts: {
          format: 'stylish' | 'json';
          update?: boolean;
          integration?: string;
          transformEngine: TransformEngineName;
        },
      ) => {
        const wiring = createWiring({ transformEngine: opts.transformEngine });
        const { result, tree } = await compileDirectory(wiring, dir);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        if (errors.length > 0) {
          process.stdout.write(formatDiagnostics(result.diagnostics, opts.format === 'json' ? 'json' : 'stylish'));
          process.stderr.write(
            `✗ the specs do not validate (${errors.length} error${errors.length === 1 ? '' : 's'}); fix them before testing\n`,
          );
          process.exitCode = 1;
          return;
        }
        const reports = await runSpecTests(
          result,
          tree,
          wiring.connectors,
          (t) => !opts.integration || t.integration === opts.integration,
        );
        process.stdout.write(formatTestReport(reports, opts.format));
        if (opts.update) {
          const root = resolve(dir);
          const changed = await updateExpectations(reports, (file) =>
            resolve(root, file.slice(tree.displayRoot === '.' ? 0 : tree.displayRoot.replace(/\/$/, '').length + 1)),
          );
          process.stderr.write(changed.length ? `updated ${changed.join(', ')}\n` : 'nothing to update\n');
          process.exitCode = reports.some((r) => r.error || r.fieldProblems.length > 0) ? 1 : 0;
          return;
        }
        process.exitCode = reports.some((r) => !r.passed) ? 1 : 0;
      },
    );
}
