/**
 * `junction pause|resume <integration>`: stop or restart delivery of one integration on every engine of the cluster
 * (a key in the control bucket that every engine follows). Ingest keeps storing its events while it is paused;
 * they are delivered, in order, after `resume`. Both are audited.
 */
import type { Command } from 'commander';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import { UsageError } from '../usage-error.js';
import { checkReason } from '../operator/reason-option.js';

interface PauseOptions {
  nats?: string;
  reason?: string;
}

export function registerPauseCommands(program: Command): void {
  for (const verb of ['pause', 'resume'] as const) {
    program
      .command(verb)
      .description(
        verb === 'pause'
          ? 'stop delivering an integration on every engine (its events keep being stored)'
          : 'deliver a paused integration again, from where it stopped',
      )
      .argument('<integration>', 'integration name')
      .option('--reason <text>', 'why (kept in the audit trail and shown in status)')
      .option('--nats <url>', NATS_OPTION_HELP)
      .action((integration: string, opts: PauseOptions) => {
        if (opts.reason !== undefined) checkReason(opts.reason);
        return withCluster(opts.nats, `junction-${verb}`, async (cluster) => {
          // Loaded when the command runs, so `junction --help` does not pay for the runtime.
          const { notOnClusterMessage, runsOnCluster } = await import('../operator/known-integration.js');
          const { setPaused } = await import('../../runtime/control/pause-control.js');
          if (!(await runsOnCluster(cluster.jsm, integration)))
            throw new UsageError(await notOnClusterMessage(cluster.jsm, integration));
          const control = await cluster.bucket('control');
          const info =
            verb === 'pause'
              ? { by: cluster.actor, at: new Date().toISOString(), ...(opts.reason ? { reason: opts.reason } : {}) }
              : undefined;
          const was = await setPaused(control, integration, info);
          await cluster.audit({
            action: `integration.${verb}`,
            target: integration,
            reason: opts.reason,
            detail: { was: was ? 'paused' : 'running' },
          });
          process.stdout.write(
            verb === 'pause'
              ? `${integration} paused${was ? ' (it already was)' : ''}: events are still stored, nothing is delivered until \`junction resume ${integration}\`\n`
              : `${integration} ${was ? 'resumed: the stored events are delivered in order' : 'was not paused'}\n`,
          );
        });
      });
  }
}
