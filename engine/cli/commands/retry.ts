/**
 * `junction retry list|give-up|now`: events being retried with backoff (their key parked, later events of the key
 * queued behind them). `give-up` dead-letters the retrying event of a key now (reason `operator-gave-up`; the key's
 * later events then run in order), `now` skips the rest of its backoff. Both are orders a running engine carries
 * out, over NATS (the engine's operator API has the same: /api/retrying); both are audited. Exit 1 when refused.
 */
import type { Command } from 'commander';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import type { Cluster } from '../cluster-connection.js';
import { UsageError } from '../usage-error.js';
import { checkReason } from '../operator/reason-option.js';
import { INTEGRATION_NAME } from '../../runtime/stores/dead-letter-id.js';
import type { RetryingKey, RetryingKeys, RetryingTarget } from '../../runtime/operator/retrying-keys.js';

interface RetryOptions {
  nats?: string;
  reason?: string;
  event?: string;
}

export function registerRetryCommand(program: Command): void {
  const retry = program
    .command('retry')
    .description('events being retried with backoff: list them, give up on one now, or retry it now');
  retry
    .command('list')
    .description('keys whose event is being retried, with its attempts, last error and next attempt')
    .option('--integration <name>', 'only this integration')
    .option('--json', 'JSON output')
    .option('--nats <url>', NATS_OPTION_HELP)
    .action((opts: { integration?: string; json?: boolean; nats?: string }) => {
      if (opts.integration !== undefined) checkIntegration(opts.integration);
      return withRetrying(opts.nats, 'junction-retry-list', async (retrying) => {
        const { keys, more } = await retrying.list(opts.integration);
        if (opts.json) process.stdout.write(`${JSON.stringify(keys, null, 2)}\n`);
        else for (const k of keys) process.stdout.write(`${line(k)}\n`);
        const count = `${keys.length} retrying key${keys.length === 1 ? '' : 's'}`;
        process.stderr.write(more > 0 ? `${count} shown, ${more} more\n` : `${count}\n`);
      });
    });
  for (const verb of ['give-up', 'now'] as const)
    retry
      .command(verb)
      .description(
        verb === 'give-up'
          ? 'dead-letter the event a key retries now (reason operator-gave-up); its later events then run in order'
          : 'skip the rest of the backoff of the event a key retries: its next attempt starts at once',
      )
      .argument('<integration>', 'integration name')
      .argument('<key>', 'record key (as `junction retry list` shows it)')
      .option(
        '--reason <text>',
        `why (kept in the audit trail${verb === 'give-up' ? ' and the dead letter; required' : ''})`,
      )
      .option('--event <id>', 'the event id you saw retried: refused if another event of the key is retried by now')
      .option('--nats <url>', NATS_OPTION_HELP)
      .action((integration: string, key: string, opts: RetryOptions) => {
        checkIntegration(integration);
        if (verb === 'give-up' && !opts.reason?.trim())
          throw new UsageError('give a reason: junction retry give-up <integration> <key> --reason "…"');
        if (opts.reason !== undefined) checkReason(opts.reason);
        const target: RetryingTarget = { integration, key, ...(opts.event ? { eventId: opts.event } : {}) };
        return withRetrying(opts.nats, `junction-retry-${verb}`, async (retrying, cluster) => {
          const { orderedMessage, retryRefusalMessage } = await import('../../runtime/operator/retrying-keys.js');
          if (verb === 'now') {
            const outcome = await retrying.retryNow(cluster.actor, target, opts.reason);
            if (outcome.status !== 'retrying-now') return refused(retryRefusalMessage(target, outcome, 'retry'));
            process.stdout.write(
              `attempt ${outcome.attempt} of event ${outcome.eventId} starts now ` +
                `(see \`junction trace ${integration} ${key}\`)\n`,
            );
            return;
          }
          const outcome = await retrying.giveUp(cluster.actor, target, opts.reason!);
          switch (outcome.status) {
            case 'given-up':
              process.stdout.write(
                `event ${outcome.eventId} dead-lettered as ${outcome.dlqId} (reason operator-gave-up); ` +
                  `${outcome.queued} later event${outcome.queued === 1 ? '' : 's'} of the key now run in order\n`,
              );
              return;
            case 'ordered':
              process.stdout.write(`${orderedMessage(integration, outcome)}\n`);
              return;
            case 'finished-meanwhile':
              return refused(
                `event ${outcome.eventId} finished (${outcome.outcome}) by the attempt under way before it could be ` +
                  'given up',
              );
            default:
              return refused(retryRefusalMessage(target, outcome, 'give up'));
          }
        });
      });
}

function refused(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

function checkIntegration(name: string): void {
  if (!INTEGRATION_NAME.test(name)) throw new UsageError(`${JSON.stringify(name)} is not an integration name`);
}

function line(k: RetryingKey): string {
  const error = k.lastError ? `  ${k.lastError.code}${k.lastError.status ? ` ${k.lastError.status}` : ''}` : '';
  const next = k.nextAttemptAt ? `  next ${k.nextAttemptAt}` : '';
  const order = k.order ? `  ${k.order.kind} ordered by ${k.order.by}` : '';
  return (
    `${k.integration}  key=${k.key}  event=${k.eventId}  attempts=${k.attempts ?? '?'}${error}  ` +
    `queued=${k.queued}${next}${order}`
  );
}

/** The retrying keys over NATS, loaded when a command runs (so `junction --help` does not pay for the runtime). */
async function withRetrying(
  nats: string | undefined,
  name: string,
  work: (retrying: RetryingKeys, cluster: Cluster) => Promise<void>,
): Promise<void> {
  return withCluster(nats, name, async (cluster) => {
    const { RetryingKeys } = await import('../../runtime/operator/retrying-keys.js');
    const { KeyParking } = await import('../../runtime/worker/key-parking.js');
    const { DeliveryLedger } = await import('../../runtime/stores/delivery-ledger.js');
    const { TraceLog } = await import('../../runtime/stores/trace-log.js');
    const { readPause } = await import('../../runtime/control/pause-control.js');
    const retrying = new RetryingKeys({
      parking: new KeyParking(await cluster.bucket('parked'), cluster.js),
      ledger: new DeliveryLedger(await cluster.bucket('ledger')),
      trace: new TraceLog(cluster.js, cluster.jsm),
      audit: { record: ({ actor: _actor, ...entry }) => cluster.audit(entry) },
      paused: async (integration) => readPause(await cluster.bucket('control'), integration),
    });
    await work(retrying, cluster);
  });
}
