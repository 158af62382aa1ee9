/**
 * Spec-sync status straight from NATS, for `junction status --nats` when no engine's HTTP port is reachable: the
 * sync part comes from the `junction_specs` bucket, and the integrations are those of the published bundle (names
 * and content hashes; health needs a running engine: `--url`).
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { parseAllDocuments } from 'yaml';
import type { CompileResult } from '../compiler/compile-spec-set.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import { connectNats } from '../runtime/broker/connect.js';
import { BUNDLE_KEY, SPECS_BUCKET, readJson, treeFromBundle } from './gitops-store.js';
import type { SpecBundle } from './gitops-store.js';
import { readSyncStatus } from './sync-status.js';
import type { SyncStatus } from './sync-status.js';

/** The sync status plus the active bundle's integrations. */
export type ClusterStatus = SyncStatus & { integrations: { name: string; hash?: string }[] };

/** Integration names from the YAML alone, when this CLI cannot compile the bundle (connectors it does not have). */
function integrationNames(bundle: SpecBundle): { name: string }[] {
  const names: string[] = [];
  for (const file of bundle.files.filter((f) => /\.ya?ml$/i.test(f.path))) {
    for (const doc of parseAllDocuments(Buffer.from(file.base64, 'base64').toString('utf8'))) {
      const value = 'toJS' in doc ? (doc.toJS() as { kind?: unknown; name?: unknown } | null) : null;
      if (value?.kind === 'Integration' && typeof value.name === 'string') names.push(value.name);
    }
  }
  return names.sort().map((name) => ({ name }));
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
          .map((i) => ({ name: i.name, hash: i.hash }))
          .sort((a, b) => a.name.localeCompare(b.name))
      : bundle
        ? integrationNames(bundle)
        : [];
    return { ...sync, integrations };
  } finally {
    await nc.close();
  }
}
