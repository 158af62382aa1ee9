/**
 * `junction xref list|get|set|delete|import|match|export`: the engine's cross-references between two systems' record
 * ids, read and changed on the cluster's KV (the engine need not run). Every change is audited (`xref.*`).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { XrefEntry, XrefStore, XrefWriteReport } from '../../runtime/stores/xref-store.js';
import { readXrefCsv, writeXrefCsv } from '../../ops/xref/xref-csv.js';
import { NATS_OPTION_HELP, withCluster } from '../cluster-connection.js';
import type { Cluster } from '../cluster-connection.js';
import { formatTable } from '../formats/table.js';
import { UsageError } from '../usage-error.js';
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
        .option('--dry-run', 'report what would change, write nothing'),
    ),
  ).action(
    (
      map: string,
      file: string,
      opts: Common & { sourceColumn: string; targetColumn: string; overwrite?: boolean; dryRun?: boolean },
    ) => {
      return (async () => {
        const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
        });
        const parsed = readXrefCsv(text, map, { source: opts.sourceColumn, target: opts.targetColumn });
        if ('error' in parsed) throw new UsageError(`${file}: ${parsed.error}`);
        await withStore(opts, async (store, cluster) => {
          const report = await store.write(parsed.entries, { overwrite: opts.overwrite, dryRun: opts.dryRun });
          for (const r of parsed.rejected) process.stdout.write(`${file}:${r.line}  rejected  ${r.reason}\n`);
          process.stdout.write(describeWrite(report, opts.dryRun));
          if (!opts.dryRun)
            await cluster.audit({
              action: 'xref.import',
              target: map,
              reason: opts.reason,
              detail: { file, rejected: parsed.rejected.length, ...auditDetail(report) },
            });
          process.exitCode = parsed.rejected.length + report.conflicts.length > 0 ? 1 : 0;
        });
      })();
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

/** `created 3, changed 0, unchanged 1, conflicts 1` and one line per conflict and change. */
function describeWrite(report: XrefWriteReport, dryRun = false): string {
  const lines = [
    ...report.conflicts.map(
      (c) => `conflict  ${c.map} ${c.sourceId}: stored ${c.existing}, not ${c.targetId} (--overwrite replaces it)`,
    ),
    ...report.changed.map((c) => `changed   ${c.map} ${c.sourceId}: ${c.previous} -> ${c.targetId}`),
  ];
  const counts = `created ${report.created.length}, changed ${report.changed.length}, unchanged ${report.unchanged.length}, conflicts ${report.conflicts.length}`;
  return [...lines, `${dryRun ? 'dry run, nothing written: would have ' : ''}${counts}`].join('\n') + '\n';
}

/** What an audit entry keeps of a bulk write: the counts, and every created or changed link (up to 1000). */
export function auditDetail(report: XrefWriteReport): Record<string, unknown> {
  const links = [
    ...report.created.map((e) => [e.sourceId, e.targetId]),
    ...report.changed.map((e) => [e.sourceId, e.targetId, e.previous]),
  ];
  return {
    created: report.created.length,
    changed: report.changed.length,
    unchanged: report.unchanged.length,
    conflicts: report.conflicts.length,
    links: links.slice(0, 1000),
    ...(links.length > 1000 ? { linksOmitted: links.length - 1000 } : {}),
  };
}
