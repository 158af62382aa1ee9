/**
 * `junction dlq list|show|replay`: the dead-letter queue, read from NATS KV directly (the engine need not run).
 * Replay re-publishes the original event with a new message id and marks the entry replayed.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connectNats } from '../../runtime/broker/connect.js';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { replayDeadLetter } from '../../runtime/stores/dead-letter-replay.js';
import { DeadLetterStore, redactedView } from '../../runtime/stores/dead-letter-store.js';
import type { DeadLetter } from '../../runtime/stores/dead-letter-store.js';
import { resolveNatsUrl } from '../../runtime/broker/embedded-nats.js';
import { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import { BUCKET_NAMES } from '../../runtime/broker/provision.js';
import { UsageError } from '../usage-error.js';

interface DlqOptions {
  nats?: string;
  integration?: string;
  id?: string;
  status?: 'open' | 'replayed';
  all?: boolean;
  json?: boolean;
}

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description('list, show and replay dead letters');
  const common = (c: Command) =>
    c
      .option('--nats <url>', 'NATS URL (default: $JUNCTION_NATS_URL, else the embedded server of `junction run` here)')
      .option('--integration <name>', 'only this integration');
  common(
    dlq
      .command('list')
      .description('list dead letters')
      .option('--status <status>', 'open or replayed')
      .option('--json', 'JSON output'),
  ).action((opts: DlqOptions) =>
    withStore(opts, async ({ store }) => {
      const entries = (await store.list({ integration: opts.integration, status: opts.status })).map(redactedView);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      for (const e of entries)
        process.stdout.write(
          `${e.id}  ${e.status.padEnd(8)}  ${e.integration}  key=${e.key}  ${e.error.code}${e.error.status ? ` ${e.error.status}` : ''}  attempts=${e.attempts}  ${e.createdAt}\n`,
        );
      process.stderr.write(`${entries.length} dead letter${entries.length === 1 ? '' : 's'}\n`);
    }),
  );
  common(dlq.command('show').description('show one dead letter').requiredOption('--id <id>', 'dead-letter id')).action(
    (opts: DlqOptions) =>
      withStore(opts, async ({ store }) => {
        const found = await store.get(opts.id!, opts.integration);
        if (!found) throw new UsageError(`no dead letter ${opts.id}`);
        process.stdout.write(`${JSON.stringify(redactedView(found.entry), null, 2)}\n`);
      }),
  );
  common(
    dlq
      .command('replay')
      .description('replay dead letters (one by --id, or every open one of --integration, or --all)')
      .option('--id <id>', 'dead-letter id')
      .option('--all', 'every open dead letter'),
  ).action((opts: DlqOptions) =>
    withStore(opts, async ({ store, publisher }) => {
      if (!opts.id && !opts.integration && !opts.all)
        throw new UsageError('dlq replay needs --id, --integration or --all');
      const targets: Pick<DeadLetter, 'id' | 'integration'>[] = opts.id
        ? [{ id: opts.id, integration: opts.integration ?? '' }]
        : await store.list({ integration: opts.integration, status: 'open' });
      let failed = 0;
      for (const t of targets) {
        const outcome = await replayDeadLetter(store, publisher(), t.id, { integration: t.integration || undefined });
        if (outcome.status !== 'replayed') failed++;
        process.stdout.write(
          `${t.id}  ${outcome.status}${outcome.status === 'replayed' ? ` (stream seq ${outcome.seq})` : ''}\n`,
        );
      }
      process.exitCode = failed > 0 ? 1 : 0;
    }),
  );
}

async function withStore(
  opts: DlqOptions,
  run: (tools: { store: DeadLetterStore; publisher: () => EventPublisher }) => Promise<void>,
): Promise<void> {
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
