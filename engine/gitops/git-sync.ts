/**
 * GitOps: every engine process follows the tracked branch. On each new commit (polled, or at once on a verified
 * push webhook) the process holding the compile lease compiles the whole set; a valid set is published as the
 * bundle, an invalid one is recorded as rejected and the running set stays. Every process watches the bundle,
 * compiles it itself and hot-swaps (engine.applySpecSet: unchanged integrations are undisturbed, events switch
 * between two deliveries, retries keep the commit they started with).
 */
import { hostname } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Engine } from '../runtime/engine.js';
import type { ConnectorRegistry } from '../sdk/connector.js';
import { compileSpecTree } from '../spec/compile-spec-set.js';
import type { TransformEngine } from '../transform/transform-engine.js';
import { acquireLease, releaseLease } from './compile-lease.js';
import { GitMirror } from './git-mirror.js';
import type { GitMirrorOptions } from './git-mirror.js';
import { bundleFromTree, listWorkers, openGitopsStore, readJson, treeFromBundle } from './gitops-store.js';
import type { RejectedCommit, SpecBundle, WorkerSync } from './gitops-store.js';
import { verifyPushSignature } from './verify-push-signature.js';

export interface GitSyncOptions {
  mirror: GitMirrorOptions;
  natsUrl: string;
  connectors: ConnectorRegistry;
  transform: TransformEngine;
  /** Poll interval. @default 10_000 */
  pollMs?: number;
  /** Freeze this process on one commit (an emergency pin): it neither publishes nor follows the bundle. */
  pin?: string;
  /** Secret of the GitHub push webhook (`X-Hub-Signature-256`). */
  webhookSecret?: string;
  /** Compile lease lifetime: how soon a dead holder is taken over. @default 30_000 */
  leaseMs?: number;
  workerId?: string;
  log: Logger;
}

export interface GitSync {
  /** Fetch and, if the branch moved, compile and publish now. */
  poll(): Promise<void>;
  status(): Promise<Record<string, unknown>>;
  webhook(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startGitSync(engine: Engine, options: GitSyncOptions): Promise<GitSync> {
  const log = options.log.child({ component: 'gitops' });
  const id = options.workerId ?? `${hostname()}-${process.pid}`;
  const mirror = new GitMirror(options.mirror);
  const nc: NatsConnection = await connect({ servers: options.natsUrl.split(','), name: `junction-gitops-${id}`, noAsyncTraces: true, maxReconnectAttempts: -1 });
  const kv: KV = await openGitopsStore(new Kvm(jetstream(nc)));
  const compile = (tree: Parameters<typeof compileSpecTree>[0], commit: string) => compileSpecTree(tree, { connectors: options.connectors, engine: options.transform, commit });
  let applied = engine.specSet.commit;
  let appliedAt = new Date().toISOString();
  let polling: Promise<void> | undefined;
  let again = false;

  const heartbeat = async () => {
    const record: WorkerSync = { id, commit: applied, applied_at: appliedAt, heartbeat_at: new Date().toISOString(), ...(options.pin ? { pinned: options.pin } : {}) };
    await kv.put(`worker.${id.replace(/[^A-Za-z0-9_-]/g, '_')}`, JSON.stringify(record));
  };

  const pollOnce = async () => {
    const head = await mirror.fetch();
    await kv.put('sync', JSON.stringify({ tracked_branch: options.mirror.branch, last_seen_commit: head, seen_at: new Date().toISOString() }));
    if (options.pin) return;
    const [bundle, rejected] = await Promise.all([readJson<SpecBundle>(kv, 'bundle'), readJson<RejectedCommit>(kv, 'rejected')]);
    if (head === bundle?.commit || head === rejected?.commit) return;
    if (!(await acquireLease(kv, id, head, options.leaseMs ?? 30_000))) return;
    try {
      const tree = await mirror.treeAt(head, options.mirror.path || '.');
      const result = compile(tree, head);
      if (result.specSet) {
        await kv.put('bundle', JSON.stringify(bundleFromTree(head, tree)));
        log.info({ commit: head }, 'published spec bundle');
      } else {
        const diagnostics = result.diagnostics.filter((d) => d.severity === 'error');
        await kv.put('rejected', JSON.stringify({ commit: head, diagnostics, rejected_at: new Date().toISOString() } satisfies RejectedCommit));
        log.error({ commit: head, errors: diagnostics.length }, 'commit rejected: the running spec set stays');
      }
    } finally {
      await releaseLease(kv, id);
    }
  };

  const poll = async (): Promise<void> => {
    if (polling) {
      again = true;
      return polling;
    }
    polling = (async () => {
      do {
        again = false;
        await pollOnce().catch((error: Error) => log.error({ err: error }, 'git sync failed; will retry'));
      } while (again);
    })().finally(() => (polling = undefined));
    return polling;
  };

  const apply = async (bundle: SpecBundle) => {
    if (options.pin || bundle.commit === applied) return;
    const result = compile(treeFromBundle(bundle), bundle.commit);
    if (!result.specSet) return void log.error({ commit: bundle.commit }, 'published bundle does not compile here (different connectors?); keeping the running set');
    await engine.applySpecSet(result.specSet);
    applied = bundle.commit;
    appliedAt = new Date().toISOString();
    log.info({ commit: applied }, 'applied spec bundle');
    await heartbeat();
  };

  if (options.pin) {
    await mirror.fetch();
    const commit = await mirror.resolve(options.pin);
    const result = compile(await mirror.treeAt(commit, options.mirror.path || '.'), commit);
    if (!result.specSet) throw new Error(`pinned commit ${commit} does not compile: ${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`).join(', ')}`);
    await engine.applySpecSet(result.specSet);
    applied = commit;
    log.warn({ commit }, 'pinned: this process stays on one commit until restarted without --pin');
  }
  const watch = await kv.watch({ key: 'bundle' });
  const watching = (async () => {
    for await (const entry of watch) {
      if (entry.operation === 'PUT' && entry.length > 0) await apply(entry.json<SpecBundle>()).catch((error: Error) => log.error({ err: error }, 'applying the bundle failed'));
    }
  })();
  await heartbeat();
  await poll();
  const timer = setInterval(() => void poll(), options.pollMs ?? 10_000);
  const beat = setInterval(() => void heartbeat().catch(() => undefined), 5_000);

  return {
    poll,
    async status() {
      const [sync, bundle, rejected, workers] = await Promise.all([readJson<{ tracked_branch: string; last_seen_commit: string }>(kv, 'sync'), readJson<SpecBundle>(kv, 'bundle'), readJson<RejectedCommit>(kv, 'rejected'), listWorkers(kv)]);
      const newerRejection = rejected && rejected.commit !== bundle?.commit ? [rejected] : [];
      return {
        tracked_branch: sync?.tracked_branch ?? options.mirror.branch,
        last_seen_commit: sync?.last_seen_commit,
        active_commit: options.pin ? applied : (bundle?.commit ?? applied),
        rejected: newerRejection,
        workers: workers.map((w) => ({ id: w.id, commit: w.commit, applied_at: w.applied_at, heartbeat_at: w.heartbeat_at, ...(w.pinned ? { pinned: w.pinned } : {}) })),
        pinned: options.pin ?? null,
      };
    },
    async webhook(req) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      if (!options.webhookSecret) return { status: 404, body: { error: 'not-configured', message: 'set JUNCTION_GIT_WEBHOOK_SECRET to enable the push webhook' } };
      if (!verifyPushSignature(options.webhookSecret, Buffer.concat(chunks), req.headers['x-hub-signature-256'] as string | undefined)) {
        return { status: 401, body: { error: 'bad-signature', message: 'X-Hub-Signature-256 does not match the body' } };
      }
      void poll();
      return { status: 202, body: { fetching: true } };
    },
    async stop() {
      clearInterval(timer);
      clearInterval(beat);
      watch.stop();
      await watching.catch(() => undefined);
      await polling?.catch(() => undefined);
      await nc.drain().catch(() => nc.close());
    },
  };
}
