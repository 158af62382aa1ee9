/**
 * What `junction xref match` does once its arguments are parsed (loaded only when the command runs): pair the
 * records both systems already hold by their natural key, write the pairs, report the rest, audit the change.
 */
import { xrefMapsRead } from '../../ops/backfill/preview-record.js';
import { findMatcher, matchXrefs } from '../../ops/xref/match-xrefs.js';
import { snapshotReader, xrefSnapshot } from '../../ops/xref-snapshot.js';
import { XrefStore } from '../../runtime/stores/xref-store.js';
import { withCluster } from '../cluster-connection.js';
import { formatMatch } from '../formats/xref-match-report.js';
import { UsageError } from '../usage-error.js';
import { compiledSpecSet, createWiring } from '../wiring.js';
import { engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';
import { addToTally, auditDetail, emptyTally } from '../../ops/xref/xref-write-tally.js';

export interface XrefMatchFlags extends SecurityFlags {
  format: 'table' | 'json';
  overwrite?: boolean;
  dryRun?: boolean;
  reason?: string;
  nats?: string;
}

export async function xrefMatch(map: string, dir: string, flags: XrefMatchFlags): Promise<void> {
  // Lists both systems with the connections' resolved secrets, as `junction run` calls them: run's allowlist.
  const wiring = createWiring({ security: engineSecurity(process.env, flags, true) });
  const specSet = await compiledSpecSet(wiring, dir);
  const matcher = findMatcher(specSet, map);
  if ('error' in matcher) throw new UsageError(`${matcher.error} (in ${dir})`);
  await withCluster(flags.nats, 'junction-xref', async (cluster) => {
    const store = new XrefStore(await cluster.bucket('xref'));
    const xref = snapshotReader(await xrefSnapshot(store, xrefMapsRead(matcher.integration)));
    const report = await matchXrefs({
      ...matcher,
      invoke: wiring.invokerFactory(specSet),
      bindings: { lookups: specSet.lookups, xref },
      store,
      overwrite: flags.overwrite,
      dryRun: flags.dryRun,
    });
    process.stdout.write(formatMatch(report, flags.format, flags.dryRun ?? false));
    if (!flags.dryRun)
      await cluster.audit({
        action: 'xref.match',
        target: map,
        reason: flags.reason,
        detail: {
          integration: report.integration,
          ambiguous: report.ambiguous.length,
          missingTarget: report.missingTarget.length,
          missingSource: report.missingSource.length,
          noKey: report.noKey.length,
          taken: report.targetTaken.length,
          ...auditDetail(addToTally(emptyTally(), report.write)),
        },
      });
    process.exitCode = report.write.conflicts.length + report.targetTaken.length + report.ambiguous.length > 0 ? 1 : 0;
  });
}
