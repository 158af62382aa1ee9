/**
 * `junction trace <integration> <key>`: what happened to one record. Every event of that key with every attempt
 * (outcome, the requests sent, the error and the target's answer, the spec commit, when it was stored and when each
 * attempt ended), and its dead letters, read from the cluster (the engine need not run).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { recordTrace } from '../../runtime/operator/trace-reconcile-routes.js';
import type { TraceRecord } from '../../runtime/stores/trace-log.js';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import { oneLine } from '../formats/workflow-command-guard.js';
import { INTEGRATION_NAME } from '../../runtime/stores/dead-letter-id.js';
import { UsageError } from '../usage-error.js';

type Trace = Awaited<ReturnType<typeof recordTrace>>;

export function registerTraceCommand(program: Command): void {
  program
    .command('trace')
    .description('show what happened to one record: every event and attempt, requests, errors, dead letters')
    .argument('<integration>', 'integration name')
    .argument('<key>', "the record key (the integration's `key`, e.g. an order id)")
    .option('--nats <url>', NATS_OPTION_HELP)
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .action((integration: string, key: string, opts: { nats?: string; format: string }) => {
      // A NATS wildcard (`*`) would be read as a key filter over other integrations' dead letters.
      if (!INTEGRATION_NAME.test(integration))
        throw new UsageError(`${JSON.stringify(integration)} is not an integration name (junction status lists them)`);
      return withCluster(opts.nats, 'junction-trace', async (cluster) => {
        // Loaded when the command runs, so `junction --help` does not pay for the runtime.
        const { recordTrace } = await import('../../runtime/operator/trace-reconcile-routes.js');
        const { DeadLetterStore } = await import('../../runtime/stores/dead-letter-store.js');
        const { TraceLog } = await import('../../runtime/stores/trace-log.js');
        const found = await recordTrace(
          {
            trace: new TraceLog(cluster.js, cluster.jsm),
            deadLetters: new DeadLetterStore(await cluster.bucket('dlq')),
          },
          integration,
          key,
        );
        process.stdout.write(opts.format === 'json' ? JSON.stringify(found, null, 2) + '\n' : renderTrace(found));
        if (found.attempts.length === 0 && found.deadLetters.length === 0) {
          // A mistyped name finds nothing too: not to be read as a record too old to be traced.
          const { notOnClusterMessage, runsOnCluster } = await import('../operator/known-integration.js');
          const known = await runsOnCluster(cluster.jsm, integration);
          process.stderr.write(
            known
              ? `nothing traced for ${integration} key ${key} (traces are kept as long as the ledger)\n`
              : `nothing traced for ${integration} key ${key}: ${await notOnClusterMessage(cluster.jsm, integration)}\n`,
          );
          process.exitCode = 1;
        }
      });
    });
}

export function renderTrace(t: Trace): string {
  const lines: string[] = [];
  const events = new Map<string, TraceRecord[]>();
  for (const a of t.attempts) events.set(a.eventId, [...(events.get(a.eventId) ?? []), a]);
  // Once the record's attempts ran more than one spec commit, each retry says which one it ran and why.
  const severalCommits = new Set(t.attempts.map((a) => a.commit)).size > 1;
  for (const [eventId, attempts] of events) {
    lines.push(`event ${eventId}  stored ${attempts[0].storedAt}`);
    for (const a of attempts) {
      const error = a.error ? `  ${a.error.code}${a.error.status ? ` ${a.error.status}` : ''}: ${a.error.message}` : '';
      const next = a.nextInMs === undefined ? '' : `  (next attempt in ${a.nextInMs} ms)`;
      const replay = a.replayOf ? `  replay of ${a.replayOf}` : '';
      const pin = severalCommits ? pinNote(a, attempts[0]) : '';
      lines.push(`  #${a.attempt}  ${a.at}  ${a.outcome.padEnd(15)} commit ${a.commit}${pin}${replay}${error}${next}`);
      for (const r of a.requests)
        lines.push(`        ${r.method} ${r.path}${r.index === undefined ? '' : `  [${r.step} ${r.index}]`}`);
      if (a.error?.response) lines.push(`        answer: ${a.error.response}`);
      if (a.dlqId) lines.push(`        dead letter ${a.dlqId}`);
      // Echo suppression found the event stale (docs/runtime.md, "Echo suppression").
      for (const s of a.superseded ?? [])
        lines.push(
          `        step ${s.step}${s.index === undefined ? '' : ` [${s.index}]`}: stale event, source read again`,
        );
    }
  }
  for (const d of t.deadLetters)
    lines.push(
      `dead letter ${d.id}  ${d.status}  ${d.error.code}${d.error.status ? ` ${d.error.status}` : ''}: ${d.error.message}  (${d.createdAt})`,
    );
  // Vendors' messages and answers reach a terminal: their control characters are shown as escapes.
  return lines.length > 0 ? lines.map(oneLine).join('\n') + '\n' : '';
}

/**
 * Why a retry ran the commit it did (docs/runtime.md, "Spec version pinning"): a retry keeps its first attempt's
 * commit while the engine holds that spec set, and runs the active one otherwise. A replay runs the active set.
 */
function pinNote(a: TraceRecord, first: TraceRecord): string {
  if (a.attempt <= 1 || a.replayOf || first.attempt !== 1 || first.replayOf) return '';
  return a.commit === first.commit
    ? " (pinned: a retry keeps its first attempt's commit; a dead-letter replay runs the active one)"
    : ` (not pinned: the engine no longer held ${first.commit}, so it ran its active commit)`;
}
