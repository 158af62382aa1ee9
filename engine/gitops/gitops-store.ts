/**
 * What the processes of one engine cluster share about spec sync, in the KV bucket `junction_specs`:
 *   bundle          the active set: commit + the sources of every spec file (workers compile it themselves)
 *   rejected        the last commit that failed to compile, with its diagnostics
 *   sync            the tracked branch and the last commit seen on it
 *   lease           which process compiles the newest commit (taken over when it expires)
 *   worker.<id>     each process's applied commit and heartbeat
 */
import type { KV, Kvm } from '@nats-io/kv';
import type { Diagnostic } from '../spec/diagnostics.js';
import type { SpecTree } from '../spec/spec-tree.js';

export interface SpecBundle {
  commit: string;
  displayRoot: string;
  files: { path: string; base64: string }[];
  published_at: string;
}

export interface RejectedCommit {
  commit: string;
  diagnostics: Diagnostic[];
  rejected_at: string;
}

export interface WorkerSync {
  id: string;
  commit: string;
  applied_at: string;
  heartbeat_at: string;
  pinned?: string;
}

export const SPECS_BUCKET = 'junction_specs';

export async function openGitopsStore(kvm: Kvm, replicas = 1): Promise<KV> {
  return kvm.create(SPECS_BUCKET, { history: 1, replicas });
}

export function bundleFromTree(commit: string, tree: SpecTree): SpecBundle {
  return { commit, displayRoot: tree.displayRoot, files: tree.files.map((f) => ({ path: f.path, base64: f.bytes.toString('base64') })), published_at: new Date().toISOString() };
}

export function treeFromBundle(bundle: SpecBundle): SpecTree {
  return { displayRoot: bundle.displayRoot, files: bundle.files.map((f) => ({ path: f.path, bytes: Buffer.from(f.base64, 'base64') })) };
}

export async function readJson<T>(kv: KV, key: string): Promise<T | undefined> {
  const entry = await kv.get(key);
  return entry && entry.operation === 'PUT' && entry.length > 0 ? entry.json<T>() : undefined;
}

export async function listWorkers(kv: KV): Promise<WorkerSync[]> {
  const keys: string[] = [];
  for await (const key of await kv.keys('worker.>')) keys.push(key);
  const workers = await Promise.all(keys.map((k) => readJson<WorkerSync>(kv, k)));
  return workers.filter((w): w is WorkerSync => w !== undefined).sort((a, b) => a.id.localeCompare(b.id));
}
