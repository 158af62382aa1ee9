/**
 * What `junction backfill` does once its arguments are parsed (loaded only when the command runs).
 */
import { EventPublisher, identifyEvent } from '../../runtime/ingest/event-publisher.js';
import { consumerLag } from '../../runtime/observe/engine-status.js';
import { XrefStore } from '../../runtime/stores/xref-store.js';
import { readPosition, runBackfill } from '../../ops/backfill/run-backfill.js';
import type { BackfillOptions, BackfillProgress } from '../../ops/backfill/run-backfill.js';
import { previewRecord, xrefMapsRead } from '../../ops/backfill/preview-record.js';
import { snapshotReader, xrefSnapshot } from '../../ops/xref-snapshot.js';
import type { XrefSnapshot } from '../../ops/xref-snapshot.js';
import type { CompiledExpression } from '../../transform/transform-engine.js';
import { withCluster } from '../cluster-connection.js';
import { formatRecordPlan, progressLine } from '../formats/backfill-report.js';
import { progressDisplay } from '../progress-display.js';
import { UsageError } from '../usage-error.js';
import { countOption } from '../count-option.js';
import { listableIntegration } from '../listable-integration.js';
import { createWiring } from '../wiring.js';
import { engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';

export interface BackfillFlags extends SecurityFlags {
  since?: string;
  where?: string;
  limit?: string;
  dryRun?: boolean;
  restart?: boolean;
  maxInFlight: string;
  nats?: string;
}

export async function backfill(name: string, dir: string, flags: BackfillFlags): Promise<void> {
  const limit = flags.limit === undefined ? undefined : countOption('--limit', flags.limit);
  const maxInFlight = countOption('--max-in-flight', flags.maxInFlight);
  // Lists and calls the real systems with resolved secrets, as `junction run` does, so it takes run's allowlist.
  const wiring = createWiring({ security: engineSecurity(process.env, flags, true) });
  const { specSet, integration } = await listableIntegration(wiring, dir, name);
  let where: CompiledExpression | undefined;
  try {
    where = flags.where === undefined ? undefined : wiring.transform.compile(flags.where);
  } catch (error) {
    throw new UsageError(`--where is not a JSONata expression: ${(error as Error).message}`);
  }
  const common: Omit<BackfillOptions, 'bindings'> = {
    integration,
    invoke: wiring.invokerFactory(specSet),
    commit: specSet.commit,
    since: flags.since,
    where,
    limit: flags.dryRun ? (limit ?? 5) : limit,
  };
  if (flags.dryRun) return dryRun(common, specSet, wiring, flags);
  await withCluster(flags.nats, 'junction-backfill', async (cluster) => {
    const partitions = await cluster.partitions();
    const started = Date.now();
    const before = flags.restart ? undefined : await readPosition(await cluster.bucket('control'), name);
    const resumed = before !== undefined && !before.done;
    const display = progressDisplay((p: BackfillProgress) => progressLine(p, Date.now() - started));
    const xref = await xrefSnapshot(new XrefStore(await cluster.bucket('xref')), xrefMapsRead(integration));
    const position = await runBackfill({
      ...common,
      bindings: { lookups: specSet.lookups, xref: snapshotReader(xref) },
      publisher: new EventPublisher(cluster.js, () => partitions, 5_000),
      control: await cluster.bucket('control'),
      restart: flags.restart,
      maxInFlight,
      backlog: async () => (await consumerLag(cluster.jsm, [name])).get(name) ?? 0,
      onProgress: (p) => display.show(p),
    }).catch(async (error: unknown) => {
      await cluster.audit({
        action: 'integration.backfill',
        target: name,
        result: 'failed',
        reason: (error as Error).message,
      });
      throw error;
    });
    display.done({ ...position, pending: 0 });
    await cluster.audit({
      action: 'integration.backfill',
      target: name,
      detail: {
        since: flags.since ?? null,
        where: flags.where ?? null,
        listed: position.listed,
        stored: position.stored,
        duplicates: position.duplicates,
        filtered: position.filtered,
        cursor: position.cursor,
      },
    });
    process.stdout.write(
      `backfilled ${name}: ${position.stored} stored, ${position.duplicates} already stored, ${position.filtered} filtered out (${position.listed} listed${resumed ? `, resumed from a run started ${position.startedAt}` : ''}, up to cursor ${position.cursor})\n`,
    );
  });
}

async function dryRun(
  options: Omit<BackfillOptions, 'bindings'>,
  specSet: Parameters<typeof previewRecord>[0],
  wiring: ReturnType<typeof createWiring>,
  flags: BackfillFlags,
): Promise<void> {
  const integration = options.integration;
  // Cross-references from the cluster when there is one; a dry run works without it.
  let xref: XrefSnapshot = {};
  await withCluster(flags.nats, 'junction-backfill', async (cluster) => {
    xref = await xrefSnapshot(new XrefStore(await cluster.bucket('xref')), xrefMapsRead(integration));
  }).catch(() => process.stderr.write('no cluster reachable: cross-references are taken as empty\n'));
  let shown = 0;
  const position = await runBackfill({
    ...options,
    bindings: { lookups: specSet.lookups, xref: snapshotReader(xref) },
    onRecord: async (record) => {
      const { key } = await identifyEvent(integration, record);
      process.stdout.write(
        formatRecordPlan(key, await previewRecord(specSet, wiring.connectors, integration, record, xref)),
      );
      shown++;
    },
  });
  process.stdout.write(
    `dry run: ${shown} record${shown === 1 ? '' : 's'} shown (${position.filtered} filtered out); nothing stored\n`,
  );
}
