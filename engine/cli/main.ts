/**
 * The `junction` CLI. Commands are registered explicitly, one file each. Exit codes: 0 success, 1 the command
 * found problems (invalid specs, failing tests), 2 bad usage. A bare `junction` prints the help to stdout and exits 1,
 * as git and npm do.
 */
import { Command, CommanderError } from 'commander';
import { registerValidateCommand } from './commands/validate.js';
import { registerRunCommand } from './commands/run.js';
import { registerDlqCommand } from './commands/dlq.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerTestCommand } from './commands/test.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTokenCommand } from './commands/token.js';
import { registerPlanCommand } from './commands/plan.js';
import { registerRecordCommand } from './commands/record.js';
import { registerCiGithubCommand } from './commands/ci-github.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerInitCommand } from './commands/init.js';
import { applyHelpLevel } from './help-levels.js';
import { registerCheckCommand } from './commands/check.js';
import { registerXrefCommand } from './commands/xref.js';
import { registerPauseCommands } from './commands/pause.js';
import { registerRetryCommand } from './commands/retry.js';
import { registerTraceCommand } from './commands/trace.js';
import { registerBackfillCommand } from './commands/backfill.js';
import { registerReconcileCommand } from './commands/reconcile.js';
import { registerSchemaCommand } from './commands/schema.js';
import { registerAlertCommand } from './commands/alert.js';
import { UsageError } from './usage-error.js';
import { UnreachableError } from './unreachable-error.js';
import { SpecsDoNotCompileError } from './specs-do-not-compile-error.js';
import { endProgressLines } from './progress-display.js';
import { NatsServerNotFoundError } from '../runtime/broker/nats-server-process.js';
import { packageVersion } from '../package-root.js';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('junction')
    .description(
      'Config-as-code integration engine: YAML specs in Git, JSONata transforms, durable delivery on NATS JetStream.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerInitCommand(program);
  registerValidateCommand(program);
  registerTestCommand(program);
  registerRecordCommand(program);
  registerPlanCommand(program);
  registerCiGithubCommand(program);
  registerCheckCommand(program);
  registerSchemaCommand(program);
  registerRunCommand(program);
  registerDlqCommand(program);
  registerXrefCommand(program);
  registerPauseCommands(program);
  registerRetryCommand(program);
  registerTraceCommand(program);
  registerBackfillCommand(program);
  registerReconcileCommand(program);
  registerAlertCommand(program);
  registerStatusCommand(program);
  registerTokenCommand(program);
  registerEmulatorCommand(program);
  registerDemoCommand(program);
  const helpAll = argv.includes('--help-all');
  applyHelpLevel(program, helpAll);
  if (argv.length <= 2) {
    process.stdout.write(program.helpInformation());
    return 1;
  }
  try {
    await program.parseAsync(helpAll ? argv.map((a) => (a === '--help-all' ? '--help' : a)) : argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // A backfill or reconcile that failed mid-way: its progress line is still open on the terminal.
    endProgressLines();
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`junction: ${error.message}\n`);
      return 2;
    }
    // Not a usage mistake but a problem found: specs that do not compile, a missing program (run and demo embed
    // nats-server), or a broker that does not answer.
    if (
      error instanceof SpecsDoNotCompileError ||
      error instanceof NatsServerNotFoundError ||
      error instanceof UnreachableError
    ) {
      process.stderr.write(`junction: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
