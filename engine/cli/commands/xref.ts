/**
 * `junction xref list|get|set|delete|import|match|export`: the engine's cross-references between two systems' record
 * ids, read and changed on the cluster's KV (the engine need not run). Every change is audited (`xref.*`).
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { XrefEntry, XrefStore, XrefWriteReport } from '../../runtime/stores/xref-store.js';
import type { XrefImportStoppedError } from '../../ops/xref/import-xref-csv.js';
import {
  DEFAULT_XREF_IMPORT_CONCURRENCY,
  MAX_XREF_IMPORT_CONCURRENCY,
} from '../../ops/xref/xref-import-concurrency.js';
import { writeXrefCsv } from '../../ops/xref/xref-csv.js';
import { auditDetail } from '../../ops/xref/xref-write-tally.js';
import type { XrefWriteTally } from '../../ops/xref/xref-write-tally.js';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import type { Cluster } from '../cluster-connection.js';
import { formatTable } from '../formats/table.js';
import { UsageError } from '../usage-error.js';
import { countOption } from '../count-option.js';
import { addSecurityOptions } from '../security-options.js';
import type { XrefMatchFlags } from '../xref/xref-match-action.js';

interface Common {
  nats?: string;
  reason?: string;
}

export function registerXrefCommand(program: Command): Command {
  const xref = program
    .command('xref')
    .description('list, read, set, delete, import, match and export cross-references');
  const common = (c: Command) => c.option('--nats <url>', NATS_OPTION_HELP);
  const reason = (c: Command) => c.option('--reason <text>', 'why (kept in the audit trail)');
  common(
    xref
      .command('list')
      .description('list cross-references, of one map or all')
      .argument('[map]', 'map name, e.g. customer')
      .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table')),
  ).action((map: string | undefined, opts: Common & { format: string }) =>
    withStore(opts, async (store) => {
      const entries = await store.list(map);
      process.stdout.write(renderEntries(entries, opts.format, !map));
      process.stderr.write(`${entries.length} cross-reference${entries.length === 1 ? '' : 's'}\n`);
    }),
  );
  common(
    xref.command('get').description("print a source id's target id").argument('<map>').argument('<source-id>'),
  ).action((map: string, sourceId: string, opts: Common) =>
    withStore(opts, async (store) => {
      const target = await store.get(map, sourceId);
      if (target === undefined) {
        process.stderr.write(`no ${map} cross-reference for ${sourceId}\n`);
        process.exitCode = 1;
      } else process.stdout.write(`${target}\n`);
    }),
  );
  common(
    reason(
      xref
        .command('set')
        .description('link a source id to a target id (replacing any previous target id)')
        .argument('<map>')
        .argument('<source-id>')
        .argument('<target-id>'),
    ),
  ).action((map: string, sourceId: string, targetId: string, opts: Common) =>
    withStore(opts, async (store, cluster) => {
      const report = await store.write([{ map, sourceId, targetId }], { overwrite: true });
      const previous = report.changed[0]?.previous;
      await cluster.audit({
        action: 'xref.set',
        target: `${map}/${sourceId}`,
        reason: opts.reason,
        detail: { map, sourceId, targetId, ...(previous === undefined ? {} : { previous }) },
      });
      process.stdout.write(
        report.unchanged.length
          ? `${map} ${sourceId} -> ${targetId} (unchanged)\n`
          : `${map} ${sourceId} -> ${targetId}${previous === undefined ? '' : ` (was ${previous})`}\n`,
      );
    }),
  );
  common(
    reason(xref.command('delete').description('remove a cross-reference').argument('<map>').argument('<source-id>')),
  ).action((map: string, sourceId: string, opts: Common) =>
    withStore(opts, async (store, cluster) => {
      const previous = await store.remove(map, sourceId);
      if (previous === undefined) {
        process.stderr.write(`no ${map} cross-reference for ${sourceId}\n`);
        process.exitCode = 1;
        return;
      }
      await cluster.audit({
        action: 'xref.delete',
        target: `${map}/${sourceId}`,
        reason: opts.reason,
        detail: { map, sourceId, previous },
      });
      process.stdout.write(`${map} ${sourceId} deleted (was ${previous})\n`);
    }),
  );
  common(
    reason(
      xref
        .command('import')
        .description('import a CSV of existing links (a header row, then one source id and target id per row)')
        .argument('<map>')
        .argument('<file>', 'CSV file')
        .option('--source-column <name>', 'column of the source ids', 'source_id')
        .option('--target-column <name>', 'column of the target ids', 'target_id')
        .option('--overwrite', 'replace existing entries whose target id differs (default: report them)')
        .option('--dry-run', 'report what would change, write nothing')
        .option('--concurrency <n>', 'links written at a time', String(DEFAULT_XREF_IMPORT_CONCURRENCY)),
    ),
  ).action(
    async (
      map: string,
      file: string,
      opts: Common & {
        sourceColumn: string;
        targetColumn: string;
        overwrite?: boolean;
        dryRun?: boolean;
        concurrency: string;
      },
    ) => {
      const concurrency = countOption('--concurrency', opts.concurrency, MAX_XREF_IMPORT_CONCURRENCY);
      const { checkXrefCsv, importXrefCsv, XrefCsvError, XrefImportStoppedError } =
        await import('../../ops/xref/import-xref-csv.js');
      const columns = { source: opts.sourceColumn, target: opts.targetColumn };
      // Every line is checked before the cluster is asked anything: a bad line stops the import with nothing written.
      const checked = await checkXrefCsv(file, map, columns).catch((error: Error) => {
        if (error instanceof XrefCsvError)
          throw new UsageError(`${file}:${error.line}:${error.col}: ${error.reason}; nothing was imported`);
        throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error.message}`);
      });
      await withStore(opts, async (store, cluster) => {
        const options = { overwrite: opts.overwrite, dryRun: opts.dryRun };
        const audit = (detail: Record<string, unknown>) =>
          cluster.audit({ action: 'xref.import', target: map, reason: opts.reason, detail: { file, ...detail } });
        let tally: XrefWriteTally;
        try {
          tally = await importXrefCsv(
            file,
            map,
            columns,
            checked,
            (entry) => store.write([entry], options),
            (written) => process.stdout.write(describeChanges(written)),
            concurrency,
          );
        } catch (error) {
          if (!(error instanceof XrefImportStoppedError)) throw error;
          // What was written stays, and is audited (if the broker still answers) as any import is.
          const audited = opts.dryRun
            ? ''
            : await audit({
                stoppedAtLine: error.line,
                ...(error.inFlightThroughLine === undefined ? {} : { inFlightThroughLine: error.inFlightThroughLine }),
                ...auditDetail(error.tally),
              }).then(
                () => '',
                (e: Error) => ` (not audited: ${e.message})`,
              );
          process.stderr.write(`junction: ${describeStop(file, error, opts.dryRun)}${audited}\n`);
          process.exitCode = 1;
          return;
        }
        process.stdout.write(`${describeCounts(tally, opts.dryRun)}\n`);
        if (!opts.dryRun) await audit(auditDetail(tally));
        process.exitCode = tally.conflicts > 0 ? 1 : 0;
      });
    },
  );
  // It lists both systems with resolved secrets: run's security flags (allowlist, private hosts), as backfill takes.
  addSecurityOptions(
    common(
      reason(
        xref
          .command('match')
          .description(
            "link records both systems already hold by a natural key (the map's xref.match); report the rest",
          )
          .argument('<map>', 'map name, e.g. customer')
          .argument('[dir]', 'spec directory', 'specs')
          .addOption(new Option('--format <format>', 'output format').choices(['table', 'json']).default('table'))
          .option('--overwrite', 'replace existing links whose target id differs (default: report them)')
          .option('--dry-run', 'report what would be linked, write nothing'),
      ),
    ),
  ).action(async (map: string, dir: string, opts: XrefMatchFlags) => {
    const { xrefMatch } = await import('../xref/xref-match-action.js');
    await xrefMatch(map, dir, opts);
  });
  common(
    xref
      .command('export')
      .description('write cross-references as CSV or JSON to stdout')
      .argument('[map]', 'only this map')
      .addOption(new Option('--format <format>', 'output format').choices(['csv', 'json']).default('csv')),
  ).action((map: string | undefined, opts: Common & { format: string }) =>
    withStore(
      opts,
      async (store) => void process.stdout.write(renderEntries(await store.list(map), opts.format, !map)),
    ),
  );
  return xref;
}

function withStore(opts: { nats?: string }, run: (store: XrefStore, cluster: Cluster) => Promise<void>) {
  return withCluster(opts.nats, 'junction-xref', async (cluster) => {
    const { XrefStore } = await import('../../runtime/stores/xref-store.js');
    return run(new XrefStore(await cluster.bucket('xref')), cluster);
  });
}

function renderEntries(entries: XrefEntry[], format: string, withMap: boolean): string {
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  if (format === 'csv') return writeXrefCsv(entries, withMap);
  return formatTable(entries.map((e) => [e.map, e.sourceId, e.targetId]));
}

/** One line per conflict and change of a write. */
function describeChanges(report: XrefWriteReport): string {
  return [
    ...report.conflicts.map(
      (c) => `conflict  ${c.map} ${c.sourceId}: stored ${c.existing}, not ${c.targetId} (--overwrite replaces it)\n`,
    ),
    ...report.changed.map((c) => `changed   ${c.map} ${c.sourceId}: ${c.previous} -> ${c.targetId}\n`),
  ].join('');
}

/** `created 3, changed 0, unchanged 1, conflicts 1`, or what a dry run would have done. */
function describeCounts(tally: XrefWriteTally, dryRun = false): string {
  const counts = `created ${tally.created}, changed ${tally.changed}, unchanged ${tally.unchanged}, conflicts ${tally.conflicts}`;
  return `${dryRun ? 'dry run, nothing written: would have ' : ''}${counts}`;
}

/** Where an import stopped, what was written before and by the writes under way, and that importing again ends it. */
function describeStop(file: string, stopped: XrefImportStoppedError, dryRun = false): string {
  const cause = stopped.cause instanceof Error ? stopped.cause.message : String(stopped.cause);
  return (
    `the import stopped at ${file}:${stopped.line} (${cause}): ${describeStored(stopped, dryRun)}. ` +
    'Import the file again to finish: the links already stored count as unchanged'
  );
}

/** Which lines are imported; with writes of later lines under way at the stop, up to which line links may be stored. */
function describeStored(stopped: XrefImportStoppedError, dryRun: boolean): string {
  const { lastLine, line, inFlightThroughLine: through } = stopped;
  const counts = describeCounts(stopped.tally, dryRun);
  if (through === undefined)
    return lastLine === undefined
      ? 'nothing was imported'
      : `it was imported up to line ${lastLine} (${counts}), nothing from line ${line} on`;
  const before = lastLine === undefined ? 'no line before it was imported' : `it was imported up to line ${lastLine}`;
  return (
    `${before}, and the links after it up to line ${through} were being written and may be stored too ` +
    `(${counts} in all), nothing after line ${through}`
  );
}
