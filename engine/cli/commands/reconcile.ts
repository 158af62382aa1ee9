/**
 * `junction reconcile <integration> [dir]`: do the systems agree? Reads records on both sides through the connectors
 * and compares the fields the integration owns, as its mapping produces them now, with what the target holds.
 * `--fix` stores the records that differ or are missing again, bypassing echo suppression (confirmation or --yes).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ReconcileFlags } from '../reconcile/reconcile-action.js';
import { NATS_OPTION_HELP } from '../cluster-connection.js';
import { addSecurityOptions } from '../security-options.js';

export const RECONCILE_FORMATS = ['table', 'json', 'markdown'] as const;

export function registerReconcileCommand(program: Command): void {
  const command = program
    .command('reconcile')
    .description('compare the owned fields on both sides of an integration; --fix re-sends what differs')
    .argument('<integration>', 'integration name')
    .argument('[dir]', 'spec directory', 'specs')
    .option('--sample <n>', 'compare a random sample of this many records (default 100)')
    .option('--all', 'compare every record')
    .option('--since <cursor>', 'only records from this cursor value on')
    .addOption(new Option('--format <format>', 'output format').choices(RECONCILE_FORMATS).default('table'))
    .option('--fix', 're-send the records that differ or are missing (asks first)')
    .option('--yes', 'do not ask before --fix')
    .option('--nats <url>', NATS_OPTION_HELP);
  addSecurityOptions(command).action(async (name: string, dir: string, flags: ReconcileFlags) => {
    const { reconcile } = await import('../reconcile/reconcile-action.js');
    await reconcile(name, dir, flags);
  });
}
