/**
 * `junction dlq list|show|replay`: the dead-letter queue, read from NATS KV directly (the engine need not run).
 * Replay re-publishes the original event with a new message id and marks the entry replayed.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { Option } from 'commander';
import type { Command } from 'commander';
import type { DeadLetter, DeadLetterStore } from '../../runtime/stores/dead-letter-store.js';
import type { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import { UsageError } from '../usage-error.js';

interface NatsOption {
  nats?: string;
}

const natsOption = () =>
  new Option('--nats <url>', 'NATS URL (default: $JUNCTION_NATS_URL, else the embedded server of `junction run` here)');

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description('list, show and replay dead letters');
  dlq
    .command('list')
    .description('list dead letters, oldest first')
    .option('--integration <name>', 'only this integration')
    .addOption(new Option('--status <status>', 'only entries in this status').choices(['open', 'replayed']))
    .option('--json', 'JSON output (one array)')
    .addOption(natsOption())
    .action((opts: NatsOption & { integration?: string; status?: DeadLetter['status']; json?: boolean }) =>
      withStore(opts, async ({ store }) => {
        const { redactedView } = await import('../../runtime/stores/dead-letter-store.js');
        const entries = (await store.list({ integration: opts.integration, status: opts.status })).map(redactedView);
        if (opts.json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
        for (const e of entries)
          process.stdout.write(
            `${e.id}  ${e.status.padEnd(8)}  ${e.integration}  key=${e.key}  ${e.error.code}${e.error.status ? ` ${e.error.status}` : ''}  attempts=${e.attempts}  ${e.createdAt}\n`,
          );
        process.stderr.write(`${entries.length} dead letter${entries.length === 1 ? '' : 's'}\n`);
      }),
    );
  dlq
    .command('show')
    .description('show one dead letter: the event, the failing request, the response and the error')
    .argument('<id>', 'dead-letter id (from `junction dlq list`)')
    .addOption(natsOption())
    .action((id: string, opts: NatsOption) =>
      withStore(opts, async ({ store }) => {
        const { redactedView } = await import('../../runtime/stores/dead-letter-store.js');
        const found = await store.get(id);
        if (!found) throw new UsageError(`no dead letter ${id}`);
        process.stdout.write(`${JSON.stringify(redactedView(found.entry), null, 2)}\n`);
      }),
    );
  dlq
    .command('replay')
    .description('replay dead letters: the ones named, every open one of --integration, or every open one (--all)')
    .argument('[id...]', 'dead-letter ids (from `junction dlq list`)')
    .addOption(new Option('--integration <name>', 'every open dead letter of this integration').conflicts('all'))
    .option('--all', 'every open dead letter')
    .addOption(natsOption())
    .action((ids: string[], opts: NatsOption & { integration?: string; all?: boolean }) => {
      // The selector is checked before anything connects, so a usage mistake is reported as one.
      if (ids.length > 0 && (opts.integration || opts.all))
        throw new UsageError('dlq replay takes ids or a selector (--integration, --all), not both');
      if (ids.length === 0 && !opts.integration && !opts.all)
        throw new UsageError('dlq replay needs ids, --integration <name> or --all');
      return withStore(opts, async ({ store, publisher }) => {
        const { replayDeadLetter } = await import('../../runtime/stores/dead-letter-replay.js');
        const targets: { id: string; integration?: string }[] =
          ids.length > 0
            ? ids.map((id) => ({ id }))
            : await store.list({ integration: opts.integration, status: 'open' });
        let failed = 0;
        for (const { id, integration } of targets) {
          const outcome = await replayDeadLetter(store, publisher(), id, { integration });
          if (outcome.status !== 'replayed') failed++;
          process.stdout.write(
            `${id}  ${outcome.status}${outcome.status === 'replayed' ? ` (stream seq ${outcome.seq})` : ''}\n`,
          );
        }
        process.exitCode = failed > 0 ? 1 : 0;
      });
    });
}

async function withStore(
  opts: NatsOption,
  run: (tools: { store: DeadLetterStore; publisher: () => EventPublisher }) => Promise<void>,
): Promise<void> {
  // Loaded when a dlq command runs, so `junction --help` does not pay for the NATS client.
  const { jetstream } = await import('@nats-io/jetstream');
  const { Kvm } = await import('@nats-io/kv');
  const { connectNats } = await import('../../runtime/broker/connect.js');
  const { resolveNatsUrl } = await import('../../runtime/broker/embedded-nats.js');
  const { BUCKET_NAMES } = await import('../../runtime/broker/provision.js');
  const { DeadLetterStore } = await import('../../runtime/stores/dead-letter-store.js');
  const { EventPublisher } = await import('../../runtime/ingest/event-publisher.js');
  const url = await resolveNatsUrl(opts.nats);
  if (!url)
    throw new UsageError(
      'no NATS URL: pass --nats, set JUNCTION_NATS_URL, or run this next to a running `junction run`',
    );
  let nc: NatsConnection;
  try {
    nc = await connectNats(url, 'cli', 'junction-dlq');
  } catch (error) {
    throw new UsageError(`cannot connect to NATS at ${url}: ${(error as Error).message}`);
  }
  try {
    const js = jetstream(nc);
    const kvm = new Kvm(js);
    const dlqKv = await kvm.open(BUCKET_NAMES.dlq, { bindOnly: true });
    const meta = await kvm.open(BUCKET_NAMES.meta, { bindOnly: true });
    const partitions = Number((await meta.get('partitions'))?.string()) || 16;
    await run({ store: new DeadLetterStore(dlqKv), publisher: () => new EventPublisher(js, () => partitions, 5_000) });
  } finally {
    await nc.close();
  }
}
