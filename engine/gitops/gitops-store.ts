/**
 * What the processes of one engine cluster share about spec sync, in the KV bucket `junction_specs`:
 *   bundle            the active set: commit + the sources of every spec file (workers compile it themselves)
 *   rejected.<sha>    a commit that failed to compile, with its diagnostics (never retried)
 *   sync              the tracked branch and the last commit seen on it
 *   lease             which process compiles the newest commit (taken over when it expires)
 *   pin               an emergency pin: the cluster stays on one commit while its holder renews it
 *   worker.<id>       each process's applied commit and heartbeat
 * Keys are dot-separated tokens, so watches and listings can filter them (`rejected.>`, `worker.>`).
 */
import type { KV, KvEntry, Kvm } from '@nats-io/kv';
import { createBucket } from '../runtime/broker/create-bucket.js';
import { listLiveEntries, readLiveEntry } from '../runtime/broker/kv-listing.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import type { LeaseClock } from '../runtime/control/broker-clock.js';

/** The published, valid spec set: what every process compiles and runs. */
export interface SpecBundle {
  commit: string;
  displayRoot: string;
  files: { path: string; base64: string }[];
  published_at: string;
  /** Set when an emergency pin published this bundle. */
  pinned?: boolean;
}

/** A commit that failed to compile; the running set stayed. */
export interface RejectedCommit {
  commit: string;
  diagnostics: Diagnostic[];
  /** Diagnostics left out so the record fits in one KV value (`junction validate` at the commit lists them all). */
  omitted?: number;
  rejected_at: string;
}

/** The JSON a rejection may take: far below a server's max_payload (1 MiB by default), however many problems. */
export const MAX_REJECTION_BYTES = 256 * 1024;

/**
 * The rejection of `commit`, with its first diagnostics while they fit in `maxBytes` of JSON (the first always).
 * Thousands of problems (a generated file, a mass rename) once made a record the server refused: the commit was
 * compiled again on every fetch and never shown as rejected.
 */
export function rejectionRecord(
  commit: string,
  diagnostics: readonly Diagnostic[],
  rejectedAt: string,
  maxBytes = MAX_REJECTION_BYTES,
): RejectedCommit {
  const kept: Diagnostic[] = [];
  // The envelope, with room for the omitted count.
  let used = Buffer.byteLength(
    JSON.stringify({ commit, diagnostics: [], omitted: diagnostics.length, rejected_at: rejectedAt }),
  );
  for (const d of diagnostics) {
    const size = Buffer.byteLength(JSON.stringify(d)) + 1;
    if (kept.length > 0 && used + size > maxBytes) break;
    kept.push(d);
    used += size;
  }
  const omitted = diagnostics.length - kept.length;
  return { commit, diagnostics: kept, ...(omitted > 0 ? { omitted } : {}), rejected_at: rejectedAt };
}

/** One process's heartbeat: the commit it runs. */
export interface WorkerSync {
  id: string;
  commit: string;
  applied_at: string;
  heartbeat_at: string;
  pinned?: string;
  /** Its sync rounds (fetch, compile, publish) failing in a row: nothing newer goes live while they fail. */
  sync_failure?: SyncFailure;
}

/** A run of failed sync rounds of one process: since when, the last one and its error. */
export interface SyncFailure {
  since: string;
  at: string;
  rounds: number;
  message: string;
}

/** What the fetching processes saw last on the tracked branch. */
export interface BranchSeen {
  tracked_branch: string;
  last_seen_commit: string;
  seen_at: string;
}

/** The bucket name. */
export const SPECS_BUCKET = 'junction_specs';
/** Key of the active bundle. */
export const BUNDLE_KEY = 'bundle';
/** Key of the last branch head seen. */
export const SYNC_KEY = 'sync';

/** The KV key of a rejected commit. Commit ids are hex, so the key is always one valid token. */
export const rejectedKey = (commit: string): string => `rejected.${commit}`;
/** The KV key of a worker's heartbeat (the id is reduced to token-safe characters). */
export const workerKey = (id: string): string => `worker.${id.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Creates (or opens, idempotently) the bucket. */
export async function openGitopsStore(kvm: Kvm, replicas = 1): Promise<KV> {
  return createBucket(kvm, SPECS_BUCKET, { history: 1, replicas });
}

/** Packs a spec tree read from Git into a bundle. */
export function bundleFromTree(commit: string, tree: SpecTree, pinned = false): SpecBundle {
  return {
    commit,
    displayRoot: tree.displayRoot,
    files: tree.files.map((f) => ({ path: f.path, base64: f.bytes.toString('base64') })),
    published_at: new Date().toISOString(),
    ...(pinned ? { pinned } : {}),
  };
}

/** Unpacks a bundle into the tree the compiler reads. */
export function treeFromBundle(bundle: SpecBundle): SpecTree {
  return {
    displayRoot: bundle.displayRoot,
    files: bundle.files.map((f) => ({ path: f.path, bytes: Buffer.from(f.base64, 'base64') })),
  };
}

/** The live (not deleted) entry of a key. */
export const readEntry: (kv: KV, key: string) => Promise<KvEntry | undefined> = readLiveEntry;

/** A key's JSON value, if it is set. */
export async function readJson<T>(kv: KV, key: string): Promise<T | undefined> {
  return (await readEntry(kv, key))?.json<T>();
}

/** Writes the JSON text `json` at `key` only if the key is still at `revision` (0: only if it does not exist). */
export async function compareAndSet(kv: KV, key: string, json: string, revision: number): Promise<boolean> {
  try {
    if (revision === 0) await kv.create(key, json);
    else await kv.update(key, json, revision);
    return true;
  } catch {
    return false;
  }
}

/**
 * All live entries under a dot-separated prefix (`worker`, `rejected`). Listed without `kv.keys()`, which stalled
 * under concurrent heartbeat writes on nats-server 2.9.10 (see engine/runtime/broker/kv-listing.ts).
 */
export async function listEntries(kv: KV, prefix: string): Promise<KvEntry[]> {
  return listLiveEntries(kv, `${prefix}.>`);
}

/**
 * Deletes heartbeats older than `maxAgeMs`: those of processes that died without stopping, which would otherwise
 * pile up with every restart (ids carry the pid). Each delete is a compare-and-set, so a live heartbeat is never lost.
 * Ages are the broker's timestamps against `clock` (the broker's, as this process estimates it).
 */
export async function purgeStaleWorkers(kv: KV, maxAgeMs: number, clock: LeaseClock): Promise<number> {
  const stale = (await listEntries(kv, 'worker')).filter((e) => clock.now() - e.created.getTime() > maxAgeMs);
  const deleted = await Promise.all(
    stale.map((e) =>
      kv.delete(e.key, { previousSeq: e.revision }).then(
        () => true,
        () => false,
      ),
    ),
  );
  return deleted.filter(Boolean).length;
}

/**
 * Heartbeats newer than `maxAgeMs` (the server's timestamp against `clock`, the broker's as this process estimates
 * it), sorted by id; stopped processes delete theirs.
 */
export async function listWorkers(kv: KV, clock: LeaseClock, maxAgeMs = 30_000): Promise<WorkerSync[]> {
  const live = (await listEntries(kv, 'worker')).filter((e) => clock.now() - e.created.getTime() <= maxAgeMs);
  return live.map((e) => e.json<WorkerSync>()).sort((a, b) => a.id.localeCompare(b.id));
}
