/**
 * `junction validate [dir]`: every problem in a spec directory as `path:line:col  severity  code  message`, with its
 * own values and in each of its environments.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { DIAGNOSTIC_FORMATS, formatDiagnostics } from '../formats/format-diagnostics.js';
import type { DiagnosticFormat } from '../formats/format-diagnostics.js';
import type { TransformEngineName } from '../../transform/select-engine.js';
import { transformEngineOption } from '../transform-engine-option.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('validate and compile every spec under a directory, in each of its environments')
    .argument('[dir]', 'spec directory', 'specs')
    .addOption(new Option('--format <format>', 'output format').choices(DIAGNOSTIC_FORMATS).default('stylish'))
    .addOption(transformEngineOption())
    .action(async (dir: string, opts: { format: DiagnosticFormat; transformEngine: TransformEngineName }) => {
      // Loaded when the command runs, so `junction --help` does not pay for the compiler.
      const { compileDirectory, createWiring } = await import('../wiring.js');
      const { compileEveryEnvironment, environmentDiagnostics } = await import('../environments.js');
      const wiring = createWiring({ transformEngine: opts.transformEngine });
      const { result, tree } = await compileDirectory(wiring, dir, { requireSpecs: true });
      const diagnostics = environmentDiagnostics(compileEveryEnvironment(wiring, tree, result));
      process.stdout.write(formatDiagnostics(diagnostics, opts.format));
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      if (opts.format === 'stylish')
        process.stderr.write(
          errors === 0 ? `✓ ${dir}: no problems\n` : `✗ ${errors} error${errors === 1 ? '' : 's'}\n`,
        );
      process.exitCode = errors > 0 ? 1 : 0;
    });
}
