/**
 * `junction backfill <integration> [dir]`: the initial load. Reads the integration's existing source records through
 * its `read.list` and stores each as one of its events (normal dedup ids, so re-running is harmless), with a progress
 * line, resuming after an interruption, and never more than `--max-in-flight` backfilled events ahead of live ones.
 * `--dry-run` prints what the first records would write, and stores nothing.
 */
import type { Command } from 'commander';
import type { BackfillFlags } from '../backfill/backfill-action.js';
import { NATS_OPTION_HELP } from '../cluster-connection.js';
import { addSecurityOptions } from '../security-options.js';

export function registerBackfillCommand(program: Command): void {
  const command = program
    .command('backfill')
    .description("initial load: store an integration's existing source records as events (resumable, re-runnable)")
    .argument('<integration>', 'integration name')
    .argument('[dir]', 'spec directory', 'specs')
    .option(
      '--since <cursor>',
      'start at this cursor value (e.g. "2026-01-01 00:00:00"), not at read.list.initial_cursor',
    )
    .option(
      '--where <jsonata>',
      'only records for which this JSONata expression is true, e.g. \'status = "processing"\'',
    )
    .option('--limit <n>', 'stop after this many records')
    .option('--dry-run', 'print what the records would write (the first 5 unless --limit), store nothing')
    .option('--restart', 'ignore the position of an interrupted backfill and start over')
    .option('--max-in-flight <n>', 'wait while the integration has this many events stored and not delivered', '200')
    .option('--nats <url>', NATS_OPTION_HELP);
  addSecurityOptions(command).action(async (name: string, dir: string, flags: BackfillFlags) => {
    const { backfill } = await import('../backfill/backfill-action.js');
    await backfill(name, dir, flags);
  });
}
