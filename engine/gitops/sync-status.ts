/**
 * The cluster's spec-sync status, read from the KV bucket alone: what `GET /api/status` adds to the engine's own
 * status, and what `junction status --nats` prints without an engine.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import { localClock } from '../runtime/control/broker-clock.js';
import type { LeaseClock } from '../runtime/control/broker-clock.js';
import { livePin } from './emergency-pin.js';
import { BUNDLE_KEY, SYNC_KEY, listEntries, listWorkers, readEntry } from './gitops-store.js';
import type { BranchSeen, RejectedCommit, SpecBundle, SyncFailure, WorkerSync } from './gitops-store.js';

/** The sync part of `GET /api/status`. */
// A type alias (not an interface) so it is assignable to the engine's `Record<string, unknown>` status hook.
export type SyncStatus = {
  tracked_branch: string | null;
  last_seen_commit: string | null;
  /** The published bundle's commit (what every healthy process runs). */
  active_commit: string | null;
  /** Commits rejected since the active one was published, newest first. */
  rejected: RejectedCommit[];
  /** Processes with a recent heartbeat. */
  workers: WorkerSync[];
  /** The commit of a live emergency pin, else null. */
  pinned: string | null;
  /** What an operator must act on: a process whose sync rounds fail (`junction status` prints each as a WARNING). */
  warnings: string[];
};

/**
 * Reads the sync status; `fallback` fills what the bucket does not know yet (a process that has not fetched). `clock`
 * judges the pin's expiry and the heartbeats' age: an engine's estimate of the broker's; this machine's for
 * `junction status --nats`.
 */
export async function readSyncStatus(
  kv: KV,
  fallback: { branch?: string; commit?: string } = {},
  clock: LeaseClock = localClock,
): Promise<SyncStatus> {
  const [seenEntry, bundleEntry, rejections, workers, pin] = await Promise.all([
    readEntry(kv, SYNC_KEY),
    readEntry(kv, BUNDLE_KEY),
    listEntries(kv, 'rejected'),
    listWorkers(kv, clock),
    livePin(kv, clock),
  ]);
  const seen = seenEntry?.json<BranchSeen>();
  const bundle = bundleEntry?.json<SpecBundle>();
  // A rejection is superseded by a bundle published after it (a fix, a revert, a pin), and by a fetch after it that
  // found the active commit at the branch head (main force-pushed back past the rejected commit).
  const backAtActive = (rejection: KvEntry) =>
    seen?.last_seen_commit === bundle?.commit && (seenEntry?.revision ?? 0) > rejection.revision;
  const pending = rejections
    .filter((e) => e.revision > (bundleEntry?.revision ?? 0) && !backAtActive(e))
    .sort((a, b) => b.revision - a.revision)
    .map((e) => e.json<RejectedCommit>())
    .map((r) => ({
      commit: r.commit,
      diagnostics: r.diagnostics,
      ...(r.omitted ? { omitted: r.omitted } : {}),
      rejected_at: r.rejected_at,
    }));
  return {
    tracked_branch: seen?.tracked_branch ?? fallback.branch ?? null,
    last_seen_commit: seen?.last_seen_commit ?? null,
    active_commit: bundle?.commit ?? fallback.commit ?? null,
    rejected: pending,
    workers: workers.map((w) => ({
      id: w.id,
      commit: w.commit,
      applied_at: w.applied_at,
      heartbeat_at: w.heartbeat_at,
      ...(w.pinned ? { pinned: w.pinned } : {}),
      ...(w.sync_failure ? { sync_failure: w.sync_failure } : {}),
    })),
    pinned: pin?.commit ?? null,
    warnings: workers.flatMap((w) =>
      w.sync_failure
        ? [syncFailureWarning(w.id, seen?.tracked_branch ?? fallback.branch, w.commit, w.sync_failure)]
        : [],
    ),
  };
}

/** One line: who cannot sync since when, git's own error, what keeps running and what to do. */
function syncFailureWarning(worker: string, branch: string | undefined, commit: string, failure: SyncFailure): string {
  // git's message spans lines ("fatal: …\nfatal: …\n\nPlease make sure…"): one line of it, cut where it rambles.
  const error = failure.message.replace(/\s+/g, ' ').trim();
  const rounds = failure.rounds === 1 ? '1 round' : `${failure.rounds} rounds`;
  return (
    `spec sync of ${worker} failing since ${failure.since} (${rounds}, the last at ${failure.at}): ` +
    `${error.length > 400 ? `${error.slice(0, 400)}…` : error}; it keeps running ${commit} and nothing merged on ` +
    `${branch ?? 'the tracked branch'} goes live until a fetch works: check the repository URL, its credentials ` +
    `and the Git host (docs/operations.md, "Runbook: Git sync fails")`
  );
}
