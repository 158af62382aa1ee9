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
import { KvWatchInclude, Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { Engine } from '../runtime/engine.js';
import { connectNats } from '../runtime/broker/connect.js';
import type { CompileResult } from '../compiler/compile-spec-set.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import { PIN_KEY, holdPin, releasePin } from './emergency-pin.js';
import { GitMirror } from './git-mirror.js';
import type { GitMirrorOptions } from './git-mirror.js';
import {
  BUNDLE_KEY,
  SYNC_KEY,
  bundleFromTree,
  openGitopsStore,
  purgeStaleWorkers,
  readJson,
  treeFromBundle,
  workerKey,
} from './gitops-store.js';
import type { BranchSeen, SpecBundle, SyncFailure, WorkerSync } from './gitops-store.js';
import { publishHead } from './publish-head.js';
import type { PublishContext, PublishOutcome } from './publish-head.js';
import { handlePushWebhook } from './push-webhook.js';
import type { IngestBudget } from '../runtime/ingest/read-webhook-body.js';
import type { HookReply } from './push-webhook.js';
import { readSyncStatus } from './sync-status.js';
import type { SyncStatus } from './sync-status.js';
import { swapReport } from './swap-report.js';
import type { SwapReport } from './swap-report.js';

/** Options of {@link startGitSync}. */
interface GitSyncOptions {
  mirror: GitMirrorOptions;
  natsUrl: string;
  /** Connection options (credentials, TLS): the engine's `natsOptions`. */
  natsOptions?: Partial<NodeConnectionOptions>;
  /** Compiles a tree at a commit (engine/cli/wiring.ts). */
  compile(tree: SpecTree, commit: string): CompileResult;
  /** Poll interval. @default 10_000 */
  pollMs?: number;
  /** Emergency pin (a commit id on the tracked branch): the whole cluster runs it while this process holds the pin. */
  pin?: string;
  /** Secret of the GitHub push webhook (`X-Hub-Signature-256`). */
  webhookSecret?: string;
  /** Lifetime of the compile lease and of the pin: how soon a dead holder is taken over. @default 30_000 */
  leaseMs?: number;
  /** Heartbeat (and pin renewal) interval. @default 5_000 */
  heartbeatMs?: number;
  /** KV replicas of the bucket (3 on a cluster). @default 1 */
  replicas?: number;
  workerId?: string;
  log: Logger;
}

/** A running Git sync, attached to one engine. */
export interface GitSync {
  /** Fetch and, if the branch moved, compile and publish now (resolves when this round is done). */
  poll(): Promise<PublishOutcome | undefined>;
  /** The cluster's sync view plus what this process's last swap did (`last_swap`, null before the first). */
  status(): Promise<SyncStatus & { last_swap: SwapReport | null }>;
  webhook(req: IncomingMessage, budget: IngestBudget): Promise<HookReply>;
  stop(): Promise<void>;
}

const COMMIT_ID = /^[0-9a-f]{7,64}$/;

/** Starts following the repository; the engine's set is replaced by the published bundle as soon as there is one. */
export async function startGitSync(engine: Engine, options: GitSyncOptions): Promise<GitSync> {
  if (options.pin !== undefined && !COMMIT_ID.test(options.pin))
    throw new Error(`--pin needs a commit id (hex), got ${JSON.stringify(options.pin)}`);
  const log = options.log.child({ component: 'gitops' });
  const id = options.workerId ?? `${hostname()}-${process.pid}`;
  const leaseMs = options.leaseMs ?? 30_000;
  const mirror = new GitMirror(options.mirror);
  const nc = await connectNats(options.natsUrl, 'gitops', `junction-gitops-${id}`, options.natsOptions);
  const kv: KV = await openGitopsStore(new Kvm(jetstream(nc)), options.replicas);
  const compile = options.compile;
  const displayRoot = options.mirror.path || '.';
  const maxBundleBytes = (nc.info?.max_payload ?? 1024 * 1024) - 4096;
  const ctx: PublishContext = {
    kv,
    mirror,
    holder: id,
    leaseMs,
    clock: engine.leaseClock,
    displayRoot,
    compile,
    maxBundleBytes,
    log,
  };
  let applied = engine.specSet.commit;
  let appliedAt = new Date().toISOString();
  let pinned: { commit: string; tree: SpecTree; at: string } | undefined;
  let lastSwap: SwapReport | undefined;
  // Failed rounds in a row, in the heartbeat: a repository that cannot be fetched (moved, its credentials revoked)
  // shows in `junction status` and on the dashboard, not only in this process's log.
  let failing: SyncFailure | undefined;
  let polling: Promise<PublishOutcome | undefined> | undefined;
  let again = false;

  /** Renews the pin (and restores the pinned bundle if it was overwritten after a lapse), then the heartbeat. */
  const heartbeat = async () => {
    if (pinned) {
      await holdPin(kv, id, pinned.commit, pinned.at, leaseMs, engine.leaseClock);
      if ((await readJson<SpecBundle>(kv, BUNDLE_KEY))?.commit !== pinned.commit)
        await kv.put(BUNDLE_KEY, JSON.stringify(bundleFromTree(pinned.commit, pinned.tree, true)));
    }
    const record: WorkerSync = {
      id,
      commit: applied,
      applied_at: appliedAt,
      heartbeat_at: new Date().toISOString(),
      ...(pinned ? { pinned: pinned.commit } : {}),
      ...(failing ? { sync_failure: failing } : {}),
    };
    await kv.put(workerKey(id), JSON.stringify(record));
  };

  const pollOnce = async (): Promise<PublishOutcome> => {
    const head = await mirror.fetch();
    const seen: BranchSeen = {
      tracked_branch: options.mirror.branch,
      last_seen_commit: head,
      seen_at: new Date().toISOString(),
    };
    await kv.put(SYNC_KEY, JSON.stringify(seen));
    return publishHead(ctx, head);
  };

  /** One round at a time; a request during a round runs one more round after it (a push may land mid-fetch). */
  const poll = (): Promise<PublishOutcome | undefined> => {
    if (polling) {
      again = true;
      return polling;
    }
    polling = (async () => {
      let outcome: PublishOutcome | undefined;
      do {
        again = false;
        outcome = await pollOnce().then(
          async (done) => {
            if (failing) {
              log.info({ since: failing.since, rounds: failing.rounds }, 'git sync works again');
              failing = undefined;
              await heartbeat().catch(() => undefined);
            }
            return done;
          },
          async (error: Error) => {
            log.error({ err: error }, 'git sync failed; will retry');
            const at = new Date().toISOString();
            failing = { since: failing?.since ?? at, at, rounds: (failing?.rounds ?? 0) + 1, message: error.message };
            // At once, not at the next heartbeat: the operator who just ran `junction status` sees why.
            await heartbeat().catch(() => undefined);
            return undefined;
          },
        );
      } while (again);
      return outcome;
    })().finally(() => (polling = undefined));
    return polling;
  };

  const apply = async (bundle: SpecBundle) => {
    if (bundle.commit === applied) return;
    const result = compile(treeFromBundle(bundle), bundle.commit);
    if (!result.specSet)
      return void log.error(
        { commit: bundle.commit },
        'published bundle does not compile here (different connectors?); keeping the running set',
      );
    const previous = engine.specSet;
    await engine.applySpecSet(result.specSet);
    // Report what the swap did; a removal deserves a warning (its events wait in the stream until it is re-added).
    lastSwap = swapReport(previous, result.specSet);
    if (lastSwap.removed.length > 0)
      log.warn(
        { commit: bundle.commit, removed: lastSwap.removed },
        'integrations removed: they stopped consuming; their stream data is kept',
      );
    // A changed key is logged by the engine as it begins draining it (worker/key-change-drain.ts).
    applied = bundle.commit;
    appliedAt = new Date().toISOString();
    log.info(
      {
        commit: applied,
        pinned: bundle.pinned === true,
        added: lastSwap.added,
        changed: lastSwap.changed,
        removed: lastSwap.removed,
      },
      'applied spec bundle',
    );
    await heartbeat();
  };

  if (options.pin) {
    const pin = await pinnedTree(mirror, options.pin, displayRoot, compile, log).catch(async (error: Error) => {
      await nc.close();
      throw error;
    });
    const { commit } = pin;
    pinned = { ...pin, at: new Date().toISOString() };
    await heartbeat(); // holds the pin, then publishes the pinned bundle: in this order, see publishHead
    log.warn(
      { commit },
      'emergency pin: the cluster stays on this commit until this process stops or restarts without --pin',
    );
  }
  // A swap that failed (a JetStream request timing out mid-swap) is tried again with every heartbeat until it or a
  // newer bundle applies; without that, this process kept a half-applied set until the next merge. One at a time.
  let unapplied: SpecBundle | undefined;
  let applying = Promise.resolve();
  const applyInTurn = (next: () => SpecBundle | undefined) =>
    (applying = applying.then(async () => {
      const bundle = next();
      if (!bundle) return;
      await apply(bundle).then(
        () => void (unapplied = undefined),
        (error: Error) => {
          unapplied = bundle;
          log.error({ err: error, commit: bundle.commit }, 'applying the bundle failed; trying again shortly');
        },
      );
    }));
  const bundleWatch = await kv.watch({ key: BUNDLE_KEY });
  const watching = (async () => {
    for await (const entry of bundleWatch) {
      if (entry.operation === 'PUT' && entry.length > 0) {
        const bundle = entry.json<SpecBundle>();
        await applyInTurn(() => bundle);
      }
    }
  })();
  // A released pin (its key deleted) lets the branch head go live at once, without waiting for the next poll.
  const pinWatch = await kv.watch({ key: PIN_KEY, include: KvWatchInclude.UpdatesOnly });
  const pinWatching = (async () => {
    for await (const entry of pinWatch) if (entry.operation !== 'PUT') void poll();
  })();
  await heartbeat();
  // Clears the heartbeats that processes which died long ago left behind (status only lists recent ones anyway).
  await purgeStaleWorkers(kv, 60 * 60_000, engine.leaseClock).catch((error: Error) =>
    log.warn({ err: error }, 'could not purge stale worker heartbeats'),
  );
  await poll();
  const timer = setInterval(() => void poll(), options.pollMs ?? 10_000);
  const beat = setInterval(() => {
    void heartbeat().catch((error: Error) => log.warn({ err: error }, 'heartbeat failed'));
    if (unapplied) void applyInTurn(() => unapplied);
  }, options.heartbeatMs ?? 5_000);

  return {
    poll,
    status: async () => ({
      ...(await readSyncStatus(kv, { branch: options.mirror.branch, commit: applied }, engine.leaseClock)),
      last_swap: lastSwap ?? null,
    }),
    webhook: (req, budget) =>
      handlePushWebhook(req, {
        secret: options.webhookSecret,
        branch: options.mirror.branch,
        fetchNow: () => void poll(),
        budget,
      }),
    async stop() {
      clearInterval(timer);
      clearInterval(beat);
      bundleWatch.stop();
      pinWatch.stop();
      await Promise.all([watching, pinWatching, applying]).catch(() => undefined);
      await polling?.catch(() => undefined);
      if (pinned && (await releasePin(kv, id).catch(() => false)))
        log.warn({ commit: pinned.commit }, 'emergency pin released: the branch head goes live on the next fetch');
      await kv.delete(workerKey(id)).catch(() => undefined);
      await nc.drain().catch(() => nc.close());
    },
  };
}

/**
 * The tree of the pinned commit, which must compile. An emergency may come with a Git host outage: a commit the
 * mirror already holds is pinned without fetching, so the pinning process still starts.
 */
async function pinnedTree(
  mirror: GitMirror,
  pin: string,
  displayRoot: string,
  compile: GitSyncOptions['compile'],
  log: Logger,
): Promise<{ commit: string; tree: SpecTree }> {
  const fetchError = await mirror.fetch().then(
    () => undefined,
    (error: Error) => error,
  );
  if (fetchError) log.warn({ err: fetchError }, 'cannot fetch the repository; pinning from the local mirror');
  const commit = await mirror.resolve(pin).catch((error: Error) => {
    if (!fetchError) throw error;
    throw new Error(
      `${pin} is not in the local mirror, and the repository could not be fetched: ${fetchError.message}`,
    );
  });
  const tree = await mirror.treeAt(commit, displayRoot);
  const result = compile(tree, commit);
  if (!result.specSet)
    throw new Error(
      `pinned commit ${commit} does not compile: ${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code}`).join(', ')}`,
    );
  return { commit, tree };
}
