/**
 * What `junction reconcile` does once its arguments are parsed (loaded only when the command runs).
 */
import { createInterface } from 'node:readline/promises';
import { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import { XrefStore } from '../../runtime/stores/xref-store.js';
import { xrefMapsRead } from '../../ops/backfill/preview-record.js';
import { fixRecords, runReconcile } from '../../ops/reconcile/run-reconcile.js';
import { snapshotReader, xrefSnapshot } from '../../ops/xref-snapshot.js';
import { withCluster } from '../cluster-connection.js';
import { formatReconcile, reconcileProgressLine } from '../formats/reconcile-report.js';
import type { ReconcileProgress } from '../../ops/reconcile/run-reconcile.js';
import { progressDisplay } from '../progress-display.js';
import type { ReconcileFormat } from '../formats/reconcile-report.js';
import { storeReconcileReport } from '../../runtime/control/reconcile-reports.js';
import { UsageError } from '../usage-error.js';
import { countOption } from '../count-option.js';
import { listableIntegration } from '../listable-integration.js';
import { createWiring } from '../wiring.js';
import { engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';

export interface ReconcileFlags extends SecurityFlags {
  sample?: string;
  all?: boolean;
  since?: string;
  format: ReconcileFormat;
  fix?: boolean;
  yes?: boolean;
  nats?: string;
}

export async function reconcile(name: string, dir: string, flags: ReconcileFlags): Promise<void> {
  if (flags.all && flags.sample) throw new UsageError('--sample and --all exclude each other');
  if (flags.sample !== undefined) countOption('--sample', flags.sample);
  // Before the comparisons, which can take minutes: a --fix that could never be confirmed fails at once.
  if (flags.fix && !flags.yes && !process.stdin.isTTY) throw noTerminal();
  // Lists and calls the real systems with resolved secrets, as `junction run` does, so it takes run's allowlist.
  const wiring = createWiring({ security: engineSecurity(process.env, flags, true) });
  const { specSet, integration } = await listableIntegration(wiring, dir, name);
  const sample = flags.all ? undefined : Number(flags.sample ?? 100);
  await withCluster(flags.nats, 'junction-reconcile', async (cluster) => {
    const xrefs = await xrefSnapshot(new XrefStore(await cluster.bucket('xref')), xrefMapsRead(integration));
    // A sample's comparisons are timed from the end of the listing, so their rate and ETA are theirs.
    let phaseStart = Date.now();
    let comparing = sample === undefined;
    const display = progressDisplay((p: ReconcileProgress) =>
      reconcileProgressLine(p, sample, Date.now() - phaseStart),
    );
    let latest: ReconcileProgress | undefined;
    const report = await runReconcile({
      specSet,
      integration,
      invoke: wiring.invokerFactory(specSet),
      connectors: wiring.connectors,
      env: process.env,
      security: wiring.security,
      xref: snapshotReader(xrefs),
      sample,
      since: flags.since,
      onProgress: (p) => {
        if (!comparing && p.total !== undefined) [comparing, phaseStart] = [true, Date.now()];
        display.show((latest = p));
      },
    });
    if (latest) display.done(latest);
    await storeReconcileReport(await cluster.bucket('control'), report);
    await cluster.audit({
      action: 'integration.reconcile',
      target: name,
      detail: { ...report.counts, listed: report.listed },
    });
    process.stdout.write(formatReconcile(report, flags.format));
    const broken = report.counts.differs + report.counts.missing;
    process.exitCode = broken + report.counts.error > 0 ? 1 : 0;
    if (!flags.fix || broken === 0) return;
    if (
      !flags.yes &&
      !(await confirm(`re-send ${broken} record${broken === 1 ? '' : 's'} of ${name}, bypassing echo suppression?`))
    )
      return void process.stderr.write('nothing re-sent\n');
    const partitions = await cluster.partitions();
    const sent = await fixRecords(
      report,
      integration,
      new EventPublisher(cluster.js, () => partitions, 5_000),
      specSet.commit,
    );
    await cluster.audit({
      action: 'integration.reconcile-fix',
      target: name,
      detail: {
        resent: sent,
        keys: report.problems
          .filter((p) => p.outcome !== 'error')
          .map((p) => p.key)
          .slice(0, 1000),
      },
    });
    process.stderr.write(
      `re-sent ${sent} record${sent === 1 ? '' : 's'}; \`junction reconcile ${name}\` again once they are delivered\n`,
    );
  });
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw noTerminal();
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

function noTerminal(): UsageError {
  return new UsageError('--fix needs a confirmation: pass --yes (there is no terminal to ask on)');
}
