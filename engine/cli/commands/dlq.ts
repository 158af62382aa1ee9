/**
 * `junction dlq list|show|replay`: the dead-letter queue, through a running engine's operator API (`--url`, with an
 * API token) or straight from NATS KV (the engine need not run). Replay re-publishes the original event (with a
 * message id of the entry's own) and marks the entry replayed; every action is audited. A listing and a bulk replay
 * read a page at a time, never every entry at once.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import type { DeadLetter } from '../../runtime/stores/dead-letter-store.js';
import { DEAD_LETTER_STATUSES } from '../../runtime/stores/dead-letter-statuses.js';
import { DEAD_LETTER_ID, INTEGRATION_NAME } from '../../runtime/stores/dead-letter-id.js';
import type { DlqBackend, DlqTargetOptions } from '../operator/dlq-backend.js';
import { parseDuration } from '../../compiler/duration.js';
import { UsageError } from '../usage-error.js';
import { countOption } from '../count-option.js';
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
      .description('list dead letters, oldest first, a page at a time')
      .option('--integration <name>', 'only this integration')
      .addOption(new Option('--status <status>', 'only entries in this status').choices([...DEAD_LETTER_STATUSES]))
      .addOption(
        new Option('--format <format>', 'output format (json: one array)').choices(['text', 'json']).default('text'),
      )
      .option('--json', 'the same as --format json')
      .option(
        '--limit <n>',
        `at most this many entries (1-${MAX_LIST_LIMIT})`,
        (text) => countOption('--limit', text, MAX_LIST_LIMIT),
        DEFAULT_LIST_LIMIT,
      )
      .option('--after <cursor>', 'the page after this cursor (the previous page prints the command)'),
  ).action((opts: DlqListOptions) => {
    checkSelectors([], opts.integration);
    // --format json as status, trace and alert list take it; --json is kept for the scripts that use it.
    if (opts.format === 'json') opts.json = true;
    return withDlqBackend(opts, async (backend) => {
      const { integration, status, limit, after } = opts;
      const { entries, next } = await backend.page({ integration, status, limit, after });
      if (entries.length === 0 && !after) await knownIntegration(backend, opts.integration);
      if (opts.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
      else
        for (const e of entries)
          process.stdout.write(
            `${e.id}  ${e.status.padEnd(8)}  ${e.integration}  key=${e.key}  ${e.error.code}${e.error.status ? ` ${e.error.status}` : ''}  attempts=${e.attempts}  ${e.createdAt}\n`,
          );
      const more = next === null ? undefined : `more: ${nextPageCommand(opts, next)}`;
      // JSON's reader wants the array; stderr then says only where the next page is, when there is one.
      const count = `${entries.length} dead letter${entries.length === 1 ? '' : 's'}`;
      if (opts.json) process.stderr.write(more ? `${more}\n` : '');
      else process.stderr.write(more ? `${count}; ${more}\n` : `${count}\n`);
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
      .option('--force', 'replay even when a later event of the same key was delivered since (older data wins)')
      .option('--after <cursor>', 'with --all or --integration: go on after this cursor (printed as it goes)'),
  ).action((ids: string[], opts: DlqReplayOptions) => {
    // The selector is checked before anything connects, so a usage mistake is reported as one.
    if (ids.length > 0 && (opts.integration || opts.all))
      throw new UsageError('dlq replay takes ids or a selector (--integration, --all), not both');
    if (ids.length === 0 && !opts.integration && !opts.all)
      throw new UsageError('dlq replay needs ids, --integration <name> or --all');
    if (ids.length > 0 && opts.after !== undefined)
      throw new UsageError('dlq replay --after goes with --all or --integration, not with ids');
    checkSelectors(ids, opts.integration);
    return withDlqBackend(opts, async (backend) => {
      if (ids.length === 0) return replayOpen(backend, opts);
      let failed = 0;
      for (const id of ids) if (await replayOne(backend, id, undefined, opts.force)) failed++;
      if (failed > 0) process.stderr.write(`${failed} of ${ids.length} not replayed\n`);
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
      .addOption(new Option('--status <status>', 'only entries in this status').choices([...DEAD_LETTER_STATUSES]))
      .option('--yes', 'purge open (still replayable) dead letters too')
      .addOption(new Option('--reason <text>', 'why (kept in the audit trail)').makeOptionMandatory()),
  ).action((opts: DlqPurgeOptions) => {
    if (!opts.integration && !opts.before) throw new UsageError('dlq purge needs --integration and/or --before');
    checkReason(opts.reason);
    checkSelectors([], opts.integration);
    const before = opts.before === undefined ? undefined : pastTime(opts.before);
    return withDlqBackend(opts, async (backend) => {
      const { integration, status } = opts;
      if (!opts.yes && status !== 'replayed' && status !== 'resolved') await refuseOpen(backend, opts, before);
      const ids = await backend.purge({ integration, before, status }, opts.reason);
      if (ids.length === 0) await knownIntegration(backend, opts.integration);
      for (const id of ids) process.stdout.write(`${id}  discarded\n`);
      process.stderr.write(`${ids.length} dead letter${ids.length === 1 ? '' : 's'} purged\n`);
    });
  });
}

type DlqListOptions = DlqTargetOptions & {
  integration?: string;
  status?: DeadLetter['status'];
  json?: boolean;
  format: 'text' | 'json';
  limit: number;
  after?: string;
};

type DlqPurgeOptions = DlqTargetOptions & {
  integration?: string;
  before?: string;
  status?: DeadLetter['status'];
  yes?: boolean;
  reason: string;
};

type DlqReplayOptions = DlqTargetOptions & { integration?: string; all?: boolean; force?: boolean; after?: string };

/** A page of `dlq list` by default: what a terminal shows; the line on stderr gives the next page's command. */
const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 10_000;

/** Entries a bulk replay reads at a time (it holds no more), with a progress line after each batch. */
const REPLAY_BATCH = 100;

/** The command that lists the page after `next`, with the options given (the token stays in $JUNCTION_TOKEN). */
function nextPageCommand(opts: DlqListOptions, next: string): string {
  const given: [string, string | number | boolean | undefined][] = [
    ['--integration', opts.integration],
    ['--status', opts.status],
    ['--limit', opts.limit === DEFAULT_LIST_LIMIT ? undefined : opts.limit],
    ['--format', opts.json ? 'json' : undefined],
    ['--url', opts.url],
    ['--nats', opts.nats],
  ];
  const options = given.flatMap(([name, value]) =>
    value === undefined || value === false ? [] : value === true ? [name] : [name, String(value)],
  );
  return ['junction dlq list', ...options, '--after', next].join(' ');
}

/**
 * Replays one entry and prints its line; true when it was replayed. One entry failing (the broker refused the
 * publish) is reported, and the caller goes on with the others.
 */
async function replayOne(
  backend: DlqBackend,
  id: string,
  integration: string | undefined,
  force: boolean | undefined,
): Promise<{ status: string } | undefined> {
  const outcome = await backend.replay(id, { integration, force }).catch(asFailure);
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
  return outcome.status === 'replayed' ? undefined : outcome;
}

/**
 * `dlq replay --all | --integration`: the open entries there were when it started, a batch at a time (never all in
 * memory), oldest first. After each batch a progress line on stderr gives the cursor to go on from if it is stopped;
 * at the end, what was replayed and why the others were not.
 */
async function replayOpen(backend: DlqBackend, opts: DlqReplayOptions): Promise<void> {
  const until = await backend.bound();
  const refused = new Map<string, number>();
  let replayed = 0;
  let seen = 0;
  for (let after = opts.after; ;) {
    const page = await backend.page({
      integration: opts.integration,
      status: 'open',
      after,
      until,
      limit: REPLAY_BATCH,
    });
    for (const entry of page.entries) {
      seen++;
      const failure = await replayOne(backend, entry.id, entry.integration, opts.force);
      if (!failure) replayed++;
      else refused.set(failure.status, (refused.get(failure.status) ?? 0) + 1);
    }
    if (page.next === null) break;
    after = page.next;
    const selector = opts.integration ? `--integration ${opts.integration}` : '--all';
    process.stderr.write(
      `${seen} done (${replayed} replayed, ${seen - replayed} not); if stopped, go on with: ` +
        `junction dlq replay ${selector} --after ${after}\n`,
    );
  }
  if (seen === 0 && !opts.after) await knownIntegration(backend, opts.integration);
  const why = [...refused].map(([status, n]) => `${n} ${status}`).join(', ');
  const dead = `${seen} open dead letter${seen === 1 ? '' : 's'}`;
  process.stderr.write(`${dead}: ${replayed} replayed, ${seen - replayed} not replayed${why ? ` (${why})` : ''}\n`);
  process.exitCode = seen > replayed ? 1 : 0;
}

/**
 * A purge would discard open entries, whose events were never delivered and can still be replayed: refused (exit 2,
 * nothing purged) unless `--yes`, saying how many and what to run, as `reconcile --fix` asks before it writes.
 */
async function refuseOpen(backend: DlqBackend, opts: DlqPurgeOptions, before: Date | undefined): Promise<void> {
  let open = 0;
  for (let after: string | undefined; ;) {
    const page = await backend.page({ integration: opts.integration, status: 'open', after, limit: 500 });
    open += page.entries.filter((e) => !before || Date.parse(e.createdAt) < before.getTime()).length;
    if (page.next === null) break;
    after = page.next;
  }
  if (open === 0) return;
  const selector = opts.integration ? ` --integration ${opts.integration}` : '';
  throw new UsageError(
    `dlq purge would discard ${open} open dead letter${open === 1 ? '' : 's'} (never delivered, still replayable: ` +
      `junction dlq list --status open${selector}); pass --yes to purge them too, or --status replayed or ` +
      '--status resolved to purge only handled ones',
  );
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
  const lettered = new Set(await backend.lettered());
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
