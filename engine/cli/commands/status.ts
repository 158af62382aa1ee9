/**
 * `junction status`: spec sync (tracked branch, active and last seen commit, rejections with diagnostics, workers,
 * pin) and per-integration health. From a running engine (`--url`, default), or straight from NATS (`--nats`) when
 * no engine answers; with both, the engine's integrations and the bucket's sync view.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { SwapReport } from '../../gitops/swap-report.js';
import type { SyncStatus } from '../../gitops/sync-status.js';
import type { SourceHealthRecord } from '../../runtime/sources/source-health.js';
import type { MissedChangesStatus } from '../../runtime/observe/missed-changes.js';
import type { MissingConsumer } from '../../runtime/observe/consumer-lag.js';
import type { KeyChangeStatus } from '../../runtime/worker/key-change-drain.js';
import { UsageError } from '../usage-error.js';
import { callOperator, findOperatorTarget, operatorTarget, refusedTokenOption } from '../operator/operator-client.js';
import type { OperatorTarget } from '../operator/operator-client.js';
import { guardWorkflowCommands, oneLine } from '../formats/workflow-command-guard.js';
import { pausedBy } from '../../runtime/control/paused-by.js';

interface EngineBody extends Partial<SyncStatus> {
  commit: string;
  /** The engine that answered (absent from engines before it was added). */
  engine?: string;
  countsSince?: string;
  warnings?: string[];
  last_swap?: SwapReport | null;
  partitionMembers?: PartitionMemberLine[];
  integrations: {
    name: string;
    hash?: string;
    status?: string;
    problems?: string[];
    lag: number;
    deadLetters: number;
    waiting?: number;
    paused?: { by: { kind: string; id: string }; at: string; reason?: string };
    sourceHealth?: SourceHealthRecord;
    missedChanges?: MissedChangesStatus;
    missingConsumers?: MissingConsumer[];
    keyChanges?: KeyChangeStatus[];
    counts: Record<string, number>;
  }[];
}

/** A live engine of the partition group and the partitions it pulls (runtime/control/partition-assignment.ts). */
interface PartitionMemberLine {
  holder: string;
  partitions: number[];
  self: boolean;
  claimUntil: string;
}

type IntegrationLine = { name: string; hash?: string; health?: string; lag?: number; dead_letters?: number } & Record<
  string,
  unknown
>;

/** What `--format json` prints (one line). */
interface StatusSummary {
  /** The engine that answered: the counts, warnings and last swap are its own (only from an engine). */
  engine?: string;
  /** Since when that engine counts (it started then). */
  counts_since?: string;
  active_commit: string | null;
  tracked_branch: string | null;
  last_seen_commit: string | null;
  pinned: string | null;
  rejected: SyncStatus['rejected'];
  workers: SyncStatus['workers'];
  /** What the answering engine's last swap did (only from an engine: it is per process). */
  last_swap?: SwapReport | null;
  /** Engine-wide warnings (the events stream filling up, a removed integration with events left; engine only). */
  warnings?: string[];
  /** Which engine pulls which partitions (only from an engine that runs workers). */
  partition_members?: PartitionMemberLine[];
  integrations: IntegrationLine[];
}

async function fromEngine(target: OperatorTarget): Promise<StatusSummary> {
  const { body } = await callOperator<EngineBody>(target, 'GET', '/api/status');
  return {
    ...(body.engine ? { engine: body.engine } : {}),
    ...(body.countsSince ? { counts_since: body.countsSince } : {}),
    active_commit: body.active_commit ?? body.commit,
    tracked_branch: body.tracked_branch ?? null,
    last_seen_commit: body.last_seen_commit ?? null,
    pinned: body.pinned ?? null,
    rejected: body.rejected ?? [],
    workers: body.workers ?? [],
    last_swap: body.last_swap ?? null,
    warnings: body.warnings ?? [],
    ...(body.partitionMembers ? { partition_members: body.partitionMembers } : {}),
    integrations: body.integrations.map((i) => ({
      name: i.name,
      ...(i.hash ? { hash: i.hash } : {}),
      health: i.status ?? (i.deadLetters > 0 ? 'dead-letters' : 'ok'),
      ...(i.problems?.length || i.paused || i.sourceHealth?.failedRounds || i.missingConsumers
        ? {
            problems: [
              ...pausedLine(i.paused),
              ...missingLines(i.missingConsumers),
              ...failingLine(i.sourceHealth),
              ...(i.problems ?? []),
            ],
          }
        : {}),
      ...(i.sourceHealth ? { source_health: sourceHealthJson(i.sourceHealth) } : {}),
      ...(i.missedChanges ? { missed_changes: missedChangesJson(i.missedChanges) } : {}),
      ...(i.keyChanges?.length ? { key_changes: i.keyChanges.map(keyChangeJson) } : {}),
      lag: i.lag,
      ...(i.missingConsumers ? { missing_consumers: i.missingConsumers } : {}),
      dead_letters: i.deadLetters,
      ...(i.waiting ? { waiting: i.waiting } : {}),
      ...i.counts,
    })),
  };
}

async function fromNats(natsUrl: string): Promise<StatusSummary> {
  // Loaded only for --nats, so `junction --help` and `status --url` do not pay for the NATS client and compiler.
  const { readClusterStatus } = await import('../../gitops/cluster-status.js');
  const { resolveNatsTarget } = await import('../../runtime/broker/embedded-nats.js');
  const { createWiring } = await import('../wiring.js');
  try {
    // The embedded server of a `junction run` here is named by its URL; its credentials are in .junction/.
    const { options } = (await resolveNatsTarget(natsUrl))!;
    const { integrations, ...sync } = await readClusterStatus(natsUrl, createWiring().compileTree, options);
    return {
      ...sync,
      integrations: integrations.map((i) => ({
        name: i.name,
        ...(i.hash ? { hash: i.hash } : {}),
        ...(i.lag === undefined ? {} : { lag: i.lag }),
        ...(i.source ? { source: i.source } : {}),
        ...(i.sourceHealth?.failedRounds ? { problems: failingLine(i.sourceHealth) } : {}),
        ...(i.sourceHealth ? { source_health: sourceHealthJson(i.sourceHealth) } : {}),
        ...(i.missedChanges ? { missed_changes: missedChangesJson(i.missedChanges) } : {}),
      })),
    };
  } catch (error) {
    throw new UsageError(
      `cannot read spec sync from NATS at ${natsUrl} (${(error as Error).message}); is an engine running with --repo?`,
    );
  }
}

/** `<from> -> <to>; added a; changed b; removed c (stream data kept)`: unchanged integrations are not listed. */
function describeSwap(swap: SwapReport): string {
  const parts = [`${swap.from} -> ${swap.to}`];
  if (swap.added.length > 0) parts.push(`added ${swap.added.join(', ')}`);
  if (swap.changed.length > 0) parts.push(`changed ${swap.changed.join(', ')}`);
  if (swap.removed.length > 0) parts.push(`removed ${swap.removed.join(', ')} (stream data kept)`);
  // Absent in the status of an engine from before this field.
  const keyChanged = (swap as Partial<SwapReport>).keyChanged ?? [];
  if (keyChanged.length > 0)
    parts.push(`key changed ${keyChanged.join(', ')} (draining: newer events wait behind the old key's)`);
  return parts.join('; ');
}

function render(s: StatusSummary): string {
  const lines = [
    // Behind a load balancer each call may reach another engine: its counts and its last swap are its own.
    ...(s.engine ? [`engine          ${s.engine}${s.counts_since ? `  counts since ${s.counts_since}` : ''}`] : []),
    `active commit   ${s.active_commit ?? '–'}${s.pinned ? `  (PINNED to ${s.pinned})` : ''}`,
  ];
  if (s.tracked_branch) lines.push(`tracked branch  ${s.tracked_branch}, last seen ${s.last_seen_commit ?? '–'}`);
  for (const r of s.rejected) {
    lines.push(`rejected        ${r.commit}  at ${r.rejected_at}`);
    for (const d of r.diagnostics) lines.push(`  ${d.file}:${d.line}:${d.col}  ${d.code}  ${d.message}`);
    if (r.omitted) lines.push(`  … and ${r.omitted} more: run junction validate at ${r.commit} for every one`);
  }
  for (const w of s.workers) lines.push(`worker          ${w.id}  ${w.commit}  applied ${w.applied_at}`);
  if (s.last_swap) lines.push(`last swap       ${describeSwap(s.last_swap)}`);
  for (const w of s.warnings ?? []) lines.push(`WARNING         ${w}`);
  for (const m of s.partition_members ?? [])
    lines.push(
      `partitions      ${m.holder}${m.self ? ' (this engine)' : ''}  ${m.partitions.join(',') || 'none'}  ` +
        `claim until ${m.claimUntil}`,
    );
  // The name column is as wide as the longest name, so long names keep the table aligned.
  const width = Math.max(0, ...s.integrations.map((i) => i.name.length));
  for (const i of s.integrations) {
    const health =
      i.health === undefined
        ? `${i.hash ?? ''}${i.lag === undefined ? '' : `  lag ${i.lag}`}`
        : `${`${i.health} `.padEnd(13)}lag ${i.lag}  dead letters ${i.dead_letters}${i.waiting ? `  waiting ${String(i.waiting)}` : ''}`;
    lines.push(`integration     ${i.name.padEnd(width)}  ${health}`);
    const source = i.source_health as ReturnType<typeof sourceHealthJson> | undefined;
    // The status's report with its command (from an engine, or from NATS); else the source health's bare report.
    const missed = missedLines(
      (i.missed_changes as ReturnType<typeof missedChangesJson> | undefined) ?? source?.missed_changes ?? undefined,
    );
    const draining = keyChangeLines(i.key_changes as ReturnType<typeof keyChangeJson>[] | undefined);
    for (const detail of [
      ...((i.problems as string[] | undefined) ?? []),
      ...draining,
      ...missed,
      ...sourceLine(source),
    ])
      lines.push(`                ${' '.repeat(width + 2)}${detail}`);
  }
  // Problems quote vendors (a source's last failure): their control characters are shown as escapes.
  return lines.map(oneLine).join('\n') + '\n';
}

/** Registers `junction status`. */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show spec sync (active commit, rejections, workers, pin) and integration health')
    .option(
      '--url <url>',
      'operator URL of the engine (default: $JUNCTION_URL, else the engine found on NATS, else ' +
        'http://127.0.0.1:8081); the API token of an engine with sign-in in $JUNCTION_TOKEN',
    )
    .addOption(refusedTokenOption())
    .option('--nats <url>', 'read spec sync from NATS directly (no engine needed)')
    .option('--engines', "list the running engines' operator URLs (found on NATS, as without --url) and exit")
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .action(async (opts: StatusOptions) => {
      if (opts.engines) return listEngines(opts);
      const target = operatorTarget(opts);
      let summary: StatusSummary;
      if (opts.nats && target)
        summary = await fromNats(opts.nats).then(async (s) => {
          const { integrations, warnings, engine, counts_since, partition_members } = await fromEngine(target);
          return {
            ...(engine ? { engine } : {}),
            ...(counts_since ? { counts_since } : {}),
            ...s,
            warnings,
            ...(partition_members ? { partition_members } : {}),
            integrations,
          };
        });
      else if (opts.nats) summary = await fromNats(opts.nats);
      else summary = await fromEngine(await findOperatorTarget(opts));
      process.stdout.write(
        opts.format === 'json' ? JSON.stringify(summary) + '\n' : guardWorkflowCommands(render(summary)),
      );
    });
}

interface StatusOptions {
  url?: string;
  token?: string;
  nats?: string;
  engines?: boolean;
  format: 'stylish' | 'json';
}

/** `status --engines`: the engines found, a line each (JSON: one line); none found exits 1 saying where it looked. */
async function listEngines(opts: StatusOptions): Promise<void> {
  const { discoverEngines, engineLines, whereLooked } = await import('../operator/engine-discovery.js');
  const discovery = await discoverEngines(opts.nats);
  if (opts.format === 'json') {
    const engines = discovery.found.flatMap(({ engines }) => engines.map(({ ageMs: _age, ...e }) => e));
    process.stdout.write(JSON.stringify({ nats: discovery.nats ?? null, engines }) + '\n');
  } else if (discovery.found.length > 0)
    process.stdout.write(
      guardWorkflowCommands(
        engineLines(discovery.found)
          .map((l) => l.trim())
          .join('\n') + '\n',
      ),
    );
  if (discovery.found.length === 0) {
    process.stderr.write(`junction: no running engine found: ${whereLooked(discovery)}\n`);
    process.exitCode = 1;
  }
}

function failingLine(health: SourceHealthRecord | undefined): string[] {
  if (!health?.failedRounds) return [];
  const last = health.lastFailure;
  const since = health.lastSuccessAt ? `last success ${health.lastSuccessAt}` : 'no success yet';
  return [
    `source failed ${health.failedRounds} round${health.failedRounds === 1 ? '' : 's'} in a row (${since})` +
      (last ? `, the last at ${last.at}: ${last.message}` : ''),
  ];
}

/** A source that is not failing: its last success, and its last error if it ever had one. */
function sourceLine(health: ReturnType<typeof sourceHealthJson> | undefined): string[] {
  if (!health || health.failed_rounds > 0) return [];
  // A missed-changes report is also its round's failure: it is printed once, as such (missedLines).
  const missed = health.missed_changes;
  const last = missed && health.last_failure?.at === missed.at ? null : health.last_failure;
  return [
    `source ${health.last_success_at ? `last success ${health.last_success_at}` : 'no success yet'}` +
      (last ? `, last error at ${last.at}: ${last.message}` : ', no error'),
  ];
}

/** A source's health in the JSON output, in its snake_case. */
function sourceHealthJson(health: SourceHealthRecord) {
  return {
    last_success_at: health.lastSuccessAt ?? null,
    last_failure: health.lastFailure ?? null,
    failed_rounds: health.failedRounds,
    missed_changes: health.missedChanges ?? null,
  };
}

/** Changes the vendor could not send as events, and how to recover them, in the JSON output's snake_case. */
function missedChangesJson(missed: MissedChangesStatus) {
  return {
    at: missed.at,
    message: missed.message,
    recover: missed.recover,
    reconciled_at: missed.reconciledAt ?? null,
  };
}

/** The vendor's report of changes it could not send, and the command to run (or when a reconcile ran since). */
function missedLines(missed: Partial<ReturnType<typeof missedChangesJson>> | undefined): string[] {
  if (!missed) return [];
  return [
    `${missed.reconciled_at ? 'missed changes' : 'MISSED CHANGES'} reported at ${missed.at}: ${missed.message}`,
    ...(missed.reconciled_at
      ? [`reconciled (--all) at ${missed.reconciled_at}, after the report: its result is on the dashboard`]
      : missed.recover
        ? [`to recover them: ${missed.recover}`]
        : []),
  ];
}

/** A hot-loaded key change being drained, in the JSON output's snake_case. */
function keyChangeJson(k: KeyChangeStatus) {
  return {
    from: k.from,
    to: k.to,
    old_key: k.oldKey,
    new_key: k.newKey,
    since: k.since,
    partitions_left: k.partitionsLeft,
    parked_keys_left: k.parkedKeysLeft,
    held: k.held,
  };
}

/** What is left under the old key, and that the same records' newer events wait behind it. */
function keyChangeLines(changes: ReturnType<typeof keyChangeJson>[] | undefined): string[] {
  return (changes ?? []).map((k) => {
    const left = [
      `oldest events stored under the old key in ${k.partitions_left} partition${k.partitions_left === 1 ? '' : 's'}`,
      k.parked_keys_left === null
        ? 'parked keys counted once every partition has passed them'
        : `${k.parked_keys_left} key${k.parked_keys_left === 1 ? '' : 's'} parked under the old key`,
    ];
    return (
      `key change draining since ${k.since} (${k.from} -> ${k.to}, key ${k.old_key} -> ${k.new_key}): ` +
      `${left.join(', ')}; the same records' newer events wait behind them (${k.held} waiting in this engine)`
    );
  });
}

/** Consumers the broker lost (a restart, state in memory): their events wait, counted in lag, until one is back. */
function missingLines(missing: MissingConsumer[] | undefined): string[] {
  return (missing ?? []).map(
    (m) =>
      `consumer ${m.consumer} is missing on the broker (restarted?): its ${m.stored} stored ` +
      `event${m.stored === 1 ? '' : 's'} (counted in lag) wait until an engine running the integration creates it ` +
      'again, which it does when its next pull gets no answer',
  );
}

function pausedLine(paused: EngineBody['integrations'][number]['paused']): string[] {
  return paused ? [`paused ${pausedBy(paused)}`] : [];
}
