/**
 * `junction alert list|silence|unsilence`: what the cluster's alerts say now, and silences. A silence is a key in
 * the control bucket that the evaluating engine reads every round, so it holds on every engine; both changes are
 * audited (`alert.silence`, `alert.unsilence`).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import type { Cluster } from '../cluster-connection.js';
import { formatTable } from '../formats/table.js';
import { UsageError } from '../usage-error.js';
import { oneLine } from '../formats/workflow-command-guard.js';
import { checkReason } from '../operator/reason-option.js';
import type { LoadedAlerts } from '../../runtime/alerts/alert-state.js';

interface Common {
  nats?: string;
  reason?: string;
}

export function registerAlertCommand(program: Command): void {
  const alert = program.command('alert').description('list firing alerts, silence and unsilence them');
  alert
    .command('list')
    .description('the alerts the cluster runs: pending or firing now, silenced, or ok')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--nats <url>', NATS_OPTION_HELP)
    .action((opts: Common & { format: string }) =>
      withCluster(opts.nats, 'junction-alert', async (cluster) => {
        const { rows, loaded } = await alertRows(cluster);
        if (opts.format === 'json') return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        // A bare header reads as "all is well": say why there is nothing to list, as `dlq list` says "0 dead letters".
        if (rows.length === 0) return void process.stderr.write(`${noAlertsNote(loaded)}\n`);
        process.stdout.write(
          formatTable(
            rows.map((r) => [
              r.alert,
              r.subject ?? '',
              r.state,
              r.since ?? '',
              r.summary ?? '',
              r.silenced_until ?? '',
            ]),
            ['ALERT', 'SUBJECT', 'STATE', 'SINCE', 'SUMMARY', 'SILENCED UNTIL'],
          ),
        );
      }),
    );
  alert
    .command('silence')
    .description('send no notification of an alert for a while, on every engine')
    .argument('<alert>', 'alert name')
    .requiredOption('--for <duration>', 'how long, e.g. 30m or 2h')
    .requiredOption('--reason <text>', 'why (kept in the audit trail and shown by alert list)')
    .option('--nats <url>', NATS_OPTION_HELP)
    .action((name: string, opts: Common & { for: string; reason: string }) => {
      checkReason(opts.reason);
      return withCluster(opts.nats, 'junction-alert', async (cluster) => {
        const { parseDuration } = await import('../../compiler/duration.js');
        const { writeSilence } = await import('../../runtime/alerts/alert-state.js');
        let forMs: number;
        try {
          forMs = parseDuration(opts.for);
        } catch (error) {
          throw new UsageError(`--for: ${(error as Error).message}`);
        }
        await refuseUnknownAlert(cluster, name);
        const until = new Date(Date.now() + forMs).toISOString();
        const at = new Date().toISOString();
        await writeSilence(await cluster.bucket('control'), name, {
          until,
          reason: opts.reason,
          by: cluster.actor.id,
          at,
        });
        await cluster.audit({ action: 'alert.silence', target: name, reason: opts.reason, detail: { until } });
        process.stdout.write(`${name} silenced until ${until}: ${oneLine(opts.reason)}\n`);
      });
    });
  alert
    .command('unsilence')
    .description('end the silence of an alert: it notifies again from the next round')
    .argument('<alert>', 'alert name')
    .option('--reason <text>', 'why (kept in the audit trail)')
    .option('--nats <url>', NATS_OPTION_HELP)
    .action((name: string, opts: Common) => {
      if (opts.reason !== undefined) checkReason(opts.reason);
      return withCluster(opts.nats, 'junction-alert', async (cluster) => {
        const { removeSilence } = await import('../../runtime/alerts/alert-state.js');
        if (!(await removeSilence(await cluster.bucket('control'), name))) {
          process.stderr.write(`${name} is not silenced\n`);
          process.exitCode = 1;
          return;
        }
        await cluster.audit({ action: 'alert.unsilence', target: name, reason: opts.reason });
        process.stdout.write(`${name} is no longer silenced\n`);
      });
    });
}

/**
 * A silence under a name no loaded alert has (a typo at 3 a.m.) would silence nothing while the real alert keeps
 * paging: refused, naming the loaded alerts. Unchecked when no engine has published them (none runs the sources role).
 */
async function refuseUnknownAlert(cluster: Cluster, name: string): Promise<void> {
  const { readLoadedAlerts } = await import('../../runtime/alerts/alert-state.js');
  const loaded = await readLoadedAlerts(await cluster.bucket('control'));
  if (!loaded || loaded.names.includes(name)) return;
  const have = loaded.names.length ? `has ${loaded.names.join(', ')}` : 'has no Alert';
  throw new UsageError(
    `no alert named ${JSON.stringify(name)} runs on this cluster: the active specs (commit ${loaded.commit.slice(0, 10)}) ` +
      `${have}; check the name (junction alert list)`,
  );
}

interface AlertRow {
  alert: string;
  subject?: string;
  /** `ok`: loaded, and neither pending nor firing nor silenced. */
  state: 'pending' | 'firing' | 'silenced' | 'ok';
  since?: string;
  firing_since?: string;
  summary?: string;
  silenced_until?: string;
  silence_reason?: string;
}

/** Why `alert list` has no row: the active specs have no Alert, or no engine evaluates alerts to say which. */
function noAlertsNote(loaded: LoadedAlerts | undefined): string {
  return loaded
    ? `0 alerts: the active specs (commit ${loaded.commit.slice(0, 10)}) have no Alert; add a \`kind: Alert\` spec ` +
        'to the spec repository to be told of dead letters, lag or failing sources (docs/operations.md, "Alerts")'
    : '0 alerts known: no engine has published the alerts it runs (alerts run on the engines with the sources role; ' +
        'junction status lists the engines)';
}

async function alertRows(cluster: Cluster): Promise<{ rows: AlertRow[]; loaded: LoadedAlerts | undefined }> {
  const { readAlertStates, readSilences, readLoadedAlerts } = await import('../../runtime/alerts/alert-state.js');
  const control = await cluster.bucket('control');
  const [states, silences, loaded] = await Promise.all([
    readAlertStates(control),
    readSilences(control),
    readLoadedAlerts(control),
  ]);
  const rows: AlertRow[] = [];
  const silence = (alert: string) => {
    const s = silences.get(alert);
    return s ? { silenced_until: s.until, silence_reason: s.reason } : {};
  };
  for (const [alert, state] of [...states].sort(([a], [b]) => a.localeCompare(b)))
    for (const [subject, s] of Object.entries(state))
      rows.push({
        alert,
        subject,
        state: s.firingAt ? 'firing' : 'pending',
        since: s.since,
        ...(s.firingAt ? { firing_since: s.firingAt } : {}),
        summary: s.summary,
        ...silence(alert),
      });
  for (const alert of [...silences.keys()].sort())
    if (!states.has(alert)) rows.push({ alert, state: 'silenced', ...silence(alert) });
  // The rest of what runs, so an empty table is not mistaken for "no alert is loaded".
  for (const alert of loaded?.names ?? [])
    if (!states.has(alert) && !silences.has(alert)) rows.push({ alert, state: 'ok' });
  return { rows, loaded };
}
