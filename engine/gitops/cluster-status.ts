/**
 * Spec-sync status straight from NATS, for `junction status --nats` when no engine's HTTP port is reachable: the
 * sync part comes from the `junction_specs` bucket, and the integrations are those of the published bundle (names
 * and content hashes), each with its lag (the partition consumers' pending events) and, for a stream or schedule
 * source, the health its leading engine stored in the control bucket, and the changes its vendor reported missed
 * with the command that recovers them (as an engine's status gives them). Throughput and dead letters need a running
 * engine: `--url`.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { parseAllDocuments } from 'yaml';
import type { CompileResult } from '../compiler/compile-spec-set.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import { connectNats } from '../runtime/broker/connect.js';
import { BUCKET_NAMES } from '../runtime/broker/provision.js';
import { consumerLag } from '../runtime/observe/engine-status.js';
import { reconcileReports } from '../runtime/control/reconcile-reports.js';
import { missedChangesStatus } from '../runtime/observe/missed-changes.js';
import type { MissedChangesStatus } from '../runtime/observe/missed-changes.js';
import { readSourceHealth } from '../runtime/sources/source-health.js';
import type { SourceHealthRecord } from '../runtime/sources/source-health.js';
import { BUNDLE_KEY, SPECS_BUCKET, readJson, treeFromBundle } from './gitops-store.js';
import type { SpecBundle } from './gitops-store.js';
import { readSyncStatus } from './sync-status.js';
import type { SyncStatus } from './sync-status.js';

/** An integration of the active bundle, with what the broker knows of it when the bundle compiles here. */
interface ClusterIntegration {
  name: string;
  hash?: string;
  /** Events stored and not yet finished, across the cluster. */
  lag?: number;
  /** The kind of its source. */
  source?: CompiledIntegration['source']['kind'];
  /** A stream or schedule source's health, as its leading engine stored it (absent until it reported). */
  sourceHealth?: SourceHealthRecord;
  /** Changes its source's vendor reported it cannot deliver as events, with the command that recovers them. */
  missedChanges?: MissedChangesStatus;
  /** Whether it has `read.list` (reconcile and backfill list the source records through it). */
  readList?: boolean;
}

/** The sync status plus the active bundle's integrations. */
type ClusterStatus = SyncStatus & { integrations: ClusterIntegration[] };

/**
 * Integration names and source kinds from the YAML alone, when this CLI cannot compile the bundle (connectors it does
 * not have).
 */
function integrationNames(bundle: SpecBundle): ClusterIntegration[] {
  const found: ClusterIntegration[] = [];
  for (const file of bundle.files.filter((f) => /\.ya?ml$/i.test(f.path))) {
    for (const doc of parseAllDocuments(Buffer.from(file.base64, 'base64').toString('utf8'))) {
      type Doc = { kind?: unknown; name?: unknown; source?: unknown; read?: unknown };
      const value = 'toJS' in doc ? (doc.toJS() as Doc | null) : null;
      if (value?.kind !== 'Integration' || typeof value.name !== 'string') continue;
      const source = value.source && typeof value.source === 'object' ? Object.keys(value.source)[0] : undefined;
      const read = value.read as { list?: unknown } | null | undefined;
      found.push({
        name: value.name,
        ...(source ? { source: source as ClusterIntegration['source'] } : {}),
        readList: typeof read === 'object' && read !== null && read.list !== undefined,
      });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** Reads the cluster's status from the bucket; throws when the server or the bucket is missing. */
export async function readClusterStatus(
  natsUrl: string,
  compile: (tree: SpecTree, commit: string) => CompileResult,
  natsOptions: Partial<NodeConnectionOptions> = {},
): Promise<ClusterStatus> {
  const nc = await connectNats(natsUrl, 'cli', 'junction-status', natsOptions);
  try {
    const kv = await new Kvm(jetstream(nc)).open(SPECS_BUCKET);
    await kv.status(); // open() is lazy: this fails when the bucket does not exist
    const sync = await readSyncStatus(kv);
    const bundle = await readJson<SpecBundle>(kv, BUNDLE_KEY);
    const set = bundle && compile(treeFromBundle(bundle), bundle.commit).specSet;
    const integrations = set
      ? [...set.integrations.values()]
          .map((i) => ({ name: i.name, hash: i.hash, source: i.source.kind, readList: Boolean(i.read?.list) }))
          .sort((a, b) => a.name.localeCompare(b.name))
      : bundle
        ? integrationNames(bundle)
        : [];
    return { ...sync, integrations: await withHealth(nc, integrations) };
  } finally {
    await nc.close();
  }
}

/**
 * Each integration with its lag, its stream or schedule source's stored health and its missed changes (a broker
 * without them: none).
 */
async function withHealth(
  nc: Parameters<typeof jetstream>[0],
  integrations: ClusterIntegration[],
): Promise<ClusterIntegration[]> {
  const lag = await consumerLag(await jetstreamManager(nc)).catch(() => new Map<string, number>());
  const control = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.control, { bindOnly: true }).catch(() => undefined);
  const withHealth = await Promise.all(
    integrations.map(async (i) => {
      const leased = i.source === 'schedule' || i.source === 'stream';
      const health = control && leased ? await readSourceHealth(control, i.name).catch(() => undefined) : undefined;
      return { ...i, lag: lag.get(i.name) ?? 0, ...(health ? { sourceHealth: health } : {}) };
    }),
  );
  // The reconcile reports say whether a missed-changes report is closed: read only when a source has one.
  if (!control || !withHealth.some((i) => i.sourceHealth?.missedChanges)) return withHealth;
  const reconciles = new Map((await reconcileReports(control).catch(() => [])).map((r) => [r.integration, r]));
  return withHealth.map(({ readList, ...i }) => {
    const read = readList ? { list: true } : undefined;
    const missed = missedChangesStatus({ name: i.name, read }, i.sourceHealth, reconciles.get(i.name));
    return { ...i, ...(missed ? { missedChanges: missed } : {}) };
  });
}
