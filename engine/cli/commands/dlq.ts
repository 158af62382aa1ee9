/**
 * `junction dlq list|show|replay`: the dead-letter queue, through a running engine's operator API (`--url`, with an
 * API token) or straight from NATS KV (the engine need not run). Replay re-publishes the original event with a new
 * message id and marks the entry replayed; every action is audited.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { DeadLetter } from '../../runtime/stores/dead-letter-store.js';
import { DEAD_LETTER_STATUSES } from '../../runtime/stores/dead-letter-statuses.js';
import { DEAD_LETTER_ID, INTEGRATION_NAME } from '../../runtime/stores/dead-letter-id.js';
import type { DlqBackend, DlqTargetOptions } from '../operator/dlq-backend.js';
import { parseDuration } from '../../compiler/duration.js';
import { UsageError } from '../usage-error.js';
import { stepsRerunMessage } from '../../runtime/operator/replay-steps-message.js';
import { refusedTokenOption } from '../operator/operator-client.js';
import { checkReason } from '../operator/reason-option.js';
import { futureBefore } from '../../runtime/operator/purge-filter.js';

/** Where the command acts: the operator API (`--url`, the token from $JUNCTION_TOKEN) or NATS (`--nats`). */
const targetOptions = (c: Command) =>
  c
    .option(
      '--url <url>',
      'operator URL of a running engine (default: $JUNCTION_URL; else NATS is used), with the API token in $JUNCTION_TOKEN',
    )
    .addOption(refusedTokenOption())
    .addOption(
      new Option(
        '--nats <url>',
        'NATS URL (default: $JUNCTION_NATS_URL, else the embedded server of `junction run` here)',
      ),
    );

/** Loaded when a dlq command runs, so `junction --help` does not pay for the NATS client. */
async function withDlqBackend(opts: DlqTargetOptions, work: (backend: DlqBackend) => Promise<void>): Promise<void> {
  const { withDlqBackend: run } = await import('../operator/dlq-backend.js');
  return run(opts, work);
}

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description('list, show, replay, resolve, discard and purge dead letters');
  targetOptions(
    dlq
      .command('list')
      .description('list dead letters, oldest first')
      .option('--integration <name>', 'only this integration')
      .addOption(new Option('--status <status>', 'only entries in this status').choices([...DEAD_LETTER_STATUSES]))
      .option('--json', 'JSON output (one array)'),
  ).action((opts: DlqTargetOptions & { integration?: string; status?: DeadLetter['status']; json?: boolean }) => {
    checkSelectors([], opts.integration);
    return withDlqBackend(opts, async (backend) => {
      const entries = await backend.list({ integration: opts.integration, status: opts.status });
      if (entries.length === 0) await knownIntegration(backend, opts.integration);
      if (opts.json) return void process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      for (const e of entries)
        process.stdout.write(
          `${e.id}  ${e.status.padEnd(8)}  ${e.integration}  key=${e.key}  ${e.error.code}${e.error.status ? ` ${e.error.status}` : ''}  attempts=${e.attempts}  ${e.createdAt}\n`,
        );
      process.stderr.write(`${entries.length} dead letter${entries.length === 1 ? '' : 's'}\n`);
    });
  });
  targetOptions(
    dlq
      .command('show')
      .description('show one dead letter: the event, the failing request, the response and the error')
      .argument('<id>', 'dead-letter id (from `junction dlq list`)'),
  ).action((id: string, opts: DlqTargetOptions) => {
    checkSelectors([id], undefined);
    return withDlqBackend(opts, async (backend) => {
      const found = await backend.get(id);
      if (!found) throw new UsageError(`no dead letter ${id}`);
      process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
    });
  });
  targetOptions(
    dlq
      .command('replay')
      .description('replay dead letters: the ones named, every open one of --integration, or every open one (--all)')
      .argument('[id...]', 'dead-letter ids (from `junction dlq list`)')
      .addOption(new Option('--integration <name>', 'every open dead letter of this integration').conflicts('all'))
      .option('--all', 'every open dead letter')
      .option('--force', 'replay even when a later event of the same key was delivered since (older data wins)'),
  ).action((ids: string[], opts: DlqTargetOptions & { integration?: string; all?: boolean; force?: boolean }) => {
    // The selector is checked before anything connects, so a usage mistake is reported as one.
    if (ids.length > 0 && (opts.integration || opts.all))
      throw new UsageError('dlq replay takes ids or a selector (--integration, --all), not both');
    if (ids.length === 0 && !opts.integration && !opts.all)
      throw new UsageError('dlq replay needs ids, --integration <name> or --all');
    checkSelectors(ids, opts.integration);
    return withDlqBackend(opts, async (backend) => {
      const targets: { id: string; integration?: string }[] =
        ids.length > 0
          ? ids.map((id) => ({ id }))
          : await backend.list({ integration: opts.integration, status: 'open' });
      if (targets.length === 0) await knownIntegration(backend, opts.integration);
      let failed = 0;
      for (const { id, integration } of targets) {
        // One entry failing (the broker refused the publish) is reported, and the others are still replayed.
        const outcome = await backend.replay(id, { integration, force: opts.force }).catch(asFailure);
        if (outcome.status !== 'replayed') failed++;
        const note =
          outcome.status === 'replayed'
            ? ` (stream seq ${outcome.seq})`
            : outcome.newer
              ? ` (event ${outcome.newer.eventId} of the same key ` +
                (outcome.newer.deliveredAt ? `was delivered at ${outcome.newer.deliveredAt}` : 'is being retried') +
                '; --force replays anyway)'
              : outcome.status === 'steps-changed'
                ? ` (${stepsRerunMessage(outcome.steps ?? [], outcome.expired ?? [])}; --force replays anyway)`
                : outcome.message
                  ? ` (${outcome.message})`
                  : '';
        process.stdout.write(`${id}  ${outcome.status}${note}\n`);
      }
      if (failed > 0) process.stderr.write(`${failed} of ${targets.length} not replayed\n`);
      process.exitCode = failed > 0 ? 1 : 0;
    });
  });
  for (const [verb, what] of [
    ['resolve', 'mark dead letters handled without a replay (fixed by hand, say)'],
    ['discard', 'delete dead letters and their customer data for good'],
  ] as const)
    targetOptions(
      dlq
        .command(verb)
        .description(`${what}; audited with the reason`)
        .argument('<id...>', 'dead-letter ids (from `junction dlq list`)')
        .addOption(new Option('--reason <text>', 'why (kept in the audit trail)').makeOptionMandatory()),
    ).action((ids: string[], opts: DlqTargetOptions & { reason: string }) => {
      checkReason(opts.reason);
      checkSelectors(ids, undefined);
      return withDlqBackend(opts, async (backend) => {
        let failed = 0;
        for (const id of ids) {
          const outcome = await backend.change(verb, id, opts.reason).catch(asFailure);
          if (outcome.status !== `${verb === 'resolve' ? 'resolved' : 'discarded'}`) failed++;
          process.stdout.write(`${id}  ${outcome.status}${outcome.message ? ` (${outcome.message})` : ''}\n`);
        }
        process.exitCode = failed > 0 ? 1 : 0;
      });
    });
  targetOptions(
    dlq
      .command('purge')
      .description('discard every dead letter of --integration and/or created before --before; audited')
      .option('--integration <name>', 'only this integration')
      .option('--before <time>', 'only entries created before this ISO time, or this long ago (e.g. 7d)')
      .addOption(new Option('--reason <text>', 'why (kept in the audit trail)').makeOptionMandatory()),
  ).action((opts: DlqTargetOptions & { integration?: string; before?: string; reason: string }) => {
    if (!opts.integration && !opts.before) throw new UsageError('dlq purge needs --integration and/or --before');
    checkReason(opts.reason);
    checkSelectors([], opts.integration);
    const before = opts.before === undefined ? undefined : pastTime(opts.before);
    return withDlqBackend(opts, async (backend) => {
      const ids = await backend.purge({ integration: opts.integration, before }, opts.reason);
      if (ids.length === 0) await knownIntegration(backend, opts.integration);
      for (const id of ids) process.stdout.write(`${id}  discarded\n`);
      process.stderr.write(`${ids.length} dead letter${ids.length === 1 ? '' : 's'} purged\n`);
    });
  });
}

/**
 * Nothing found for `--integration <name>`: fine when that integration runs on the cluster or has dead letters (one
 * removed from the specs keeps its entries), else a usage error naming the closest name, so a typo does not read as
 * "no dead letters".
 */
async function knownIntegration(backend: DlqBackend, name: string | undefined): Promise<void> {
  if (name === undefined) return;
  const running = await backend.integrations();
  if (running.includes(name)) return;
  const { didYouMean } = await import('../../compiler/suggest.js');
  const lettered = new Set((await backend.list({})).map((e) => e.integration));
  if (lettered.has(name)) return;
  throw new UsageError(
    `no integration named ${JSON.stringify(name)} runs on this cluster or has dead letters` +
      `${didYouMean(name, [...new Set([...running, ...lettered])])} (junction status lists them)`,
  );
}

/**
 * Ids and `--integration` are checked before anything connects: on NATS they become key filters, where `*` or `>`
 * would match other entries (`dlq discard '*'` deleting whichever the broker lists first, `dlq purge --integration
 * '*'` every one).
 */
function checkSelectors(ids: readonly string[], integration: string | undefined): void {
  for (const id of ids)
    if (!DEAD_LETTER_ID.test(id))
      throw new UsageError(
        `${JSON.stringify(id)} is not a dead-letter id (letters, digits, "_" and "-", as \`junction dlq list\` shows)`,
      );
  if (integration !== undefined && !INTEGRATION_NAME.test(integration))
    throw new UsageError(
      `--integration ${JSON.stringify(integration)} is not an integration name (lower-case letters, digits and "-", ` +
        'starting with a letter, as `junction status` lists them)',
    );
}

/** An action on one entry that threw (no answer, a refused publish): reported as that entry's outcome. */
function asFailure(error: unknown): {
  status: 'failed';
  message: string;
  seq?: undefined;
  newer?: undefined;
  steps?: undefined;
  expired?: undefined;
} {
  return { status: 'failed', message: (error as Error).message };
}

/** `--before`: an ISO time, or a duration ago (`7d`). */
function pastTime(text: string): Date {
  const ago = /^\d+(ms|s|m|h|d)$/.test(text) ? parseDuration(text) : undefined;
  const at = ago === undefined ? new Date(text) : new Date(Date.now() - ago);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`--before must be an ISO time or a duration like 7d, got ${JSON.stringify(text)}`);
  const future = futureBefore(at, `--before ${text}${at.toISOString() === text ? '' : ` (${at.toISOString()})`}`);
  if (future) throw new UsageError(future);
  return at;
}
