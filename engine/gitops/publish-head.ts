/**
 * The leader step for one fetched head: under the compile lease, compile the whole set at the branch head and
 * publish it as the bundle, or record it as rejected. Whatever happens, the running set is only ever replaced by a
 * set that compiled, and a commit is compiled once for the whole cluster.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompileResult } from '../compiler/compile-spec-set.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import { displayPath, isSpecFile } from '../compiler/spec-tree.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import type { LeaseClock } from '../runtime/control/broker-clock.js';
import { acquireLease, releaseLease, renewLease } from './compile-lease.js';
import { livePin } from './emergency-pin.js';
import type { GitMirror, ListedFile } from './git-mirror.js';
import { BUNDLE_KEY, bundleFromTree, compareAndSet, readEntry, rejectedKey, rejectionRecord } from './gitops-store.js';
import type { SpecBundle } from './gitops-store.js';

/** What the leader step needs. */
export interface PublishContext {
  kv: KV;
  mirror: GitMirror;
  /** This process's id (the lease holder). */
  holder: string;
  leaseMs: number;
  /** The broker's clock as this process estimates it (the engine's): the compile lease and the pin expire by it. */
  clock: LeaseClock;
  /** Prefix of file names in diagnostics (the spec path inside the repository). */
  displayRoot: string;
  compile(tree: SpecTree, commit: string): CompileResult;
  /** Largest bundle the server takes as one KV value (its max_payload, less a margin for headers). */
  maxBundleBytes: number;
  log: Logger;
}

/**
 * - `current`: the head is already the bundle, or was rejected before (never retried);
 * - `pinned`: an emergency pin is live, nothing is published;
 * - `leased`: another process holds the compile lease;
 * - `lost-race`: the bundle changed while compiling (an expired lease was taken over); the next fetch decides again.
 */
export type PublishOutcome = 'published' | 'rejected' | 'current' | 'pinned' | 'leased' | 'lost-race';

/** The smallest a bundle of these files can be: each file's base64 and path, nothing else counted. */
const leastBundleBytes = (listed: readonly ListedFile[]) =>
  listed.reduce((n, f) => n + Math.ceil(f.bytes / 3) * 4 + f.path.length, 0);

/**
 * A set too large for one KV value is rejected like an invalid one, at the largest files whose removal would make it
 * fit (up to three): those are what to move out.
 */
function tooLarge(ctx: PublishContext, bytes: number, listed: readonly ListedFile[], least = false): Diagnostic[] {
  const culprits: ListedFile[] = [];
  let left = bytes;
  for (const f of [...listed].sort((x, y) => y.bytes - x.bytes)) {
    if (left <= ctx.maxBundleBytes || culprits.length === 3) break;
    culprits.push(f);
    left -= leastBundleBytes([f]);
  }
  return culprits.map((f) => ({
    file: displayPath({ displayRoot: ctx.displayRoot, files: [] }, f.path),
    line: 1,
    col: 1,
    severity: 'error',
    code: 'file-too-large',
    message: `the file has ${f.bytes} bytes; the spec set is ${least ? 'at least ' : ''}${bytes} bytes as a bundle, the NATS server takes at most ${ctx.maxBundleBytes} (raise max_payload, or move large lookups out)`,
  }));
}

/**
 * A commit without a single spec under the spec path is a moved or deleted directory far more often than a wish to
 * stop everything, and publishing it would remove every integration of the cluster at once.
 */
function noSpecs(ctx: PublishContext): Diagnostic {
  return {
    file: ctx.displayRoot,
    line: 1,
    col: 1,
    severity: 'error',
    code: 'file-unreadable',
    message: `no spec file under ${ctx.displayRoot} at this commit (moved or deleted?): publishing it would remove every integration; restore the directory, or start the engines with --path naming the new one`,
  };
}

async function settled(kv: KV, commit: string): Promise<boolean> {
  const [bundle, rejected] = await Promise.all([readEntry(kv, BUNDLE_KEY), readEntry(kv, rejectedKey(commit))]);
  return bundle?.json<SpecBundle>().commit === commit || rejected !== undefined;
}

/** Compiles and publishes `head` if it is new; see {@link PublishOutcome}. */
export async function publishHead(ctx: PublishContext, head: string): Promise<PublishOutcome> {
  const { kv, log } = ctx;
  if (await settled(kv, head)) return 'current';
  if (await livePin(kv, ctx.clock)) return 'pinned';
  if (!(await acquireLease(kv, ctx.holder, head, ctx.leaseMs, ctx.clock))) return 'leased';
  // Heartbeat while the async steps (a fetch, reading the tree) run. The compile itself blocks the event loop, so a
  // process stuck in it stops renewing and its lease lapses, as a dead one's does.
  const heartbeat = setInterval(
    () => void renewLease(kv, ctx.holder, ctx.leaseMs, ctx.clock).catch(() => false),
    Math.max(ctx.leaseMs / 3, 50),
  );
  try {
    // Read the bundle's revision before checking the pin: a pin set after this check re-publishes the bundle, so
    // the compare-and-set below fails instead of overwriting the pinned set.
    const current = await readEntry(kv, BUNDLE_KEY);
    if (await livePin(kv, ctx.clock)) return 'pinned';
    // A head fetched before another holder published a newer commit is stale: publishing it would move the cluster
    // backwards. Unless the active commit is in the head's history (the usual case), fetch again under the lease.
    const active = current?.json<SpecBundle>().commit;
    const fresh = active === undefined || (await ctx.mirror.isAncestor(active, head)) ? head : await ctx.mirror.fetch();
    if (current?.json<SpecBundle>().commit === fresh || (await readEntry(kv, rejectedKey(fresh)))) return 'current';
    const reject = async (diagnostics: Diagnostic[]): Promise<'rejected'> => {
      const rejection = rejectionRecord(fresh, diagnostics, new Date().toISOString());
      await kv.put(rejectedKey(fresh), JSON.stringify(rejection));
      log.error(
        { commit: fresh, errors: diagnostics.length, first: diagnostics[0] },
        'commit rejected: the running spec set stays',
      );
      return 'rejected';
    };
    // A set that cannot fit is rejected from the listing alone: a huge file merged by mistake is never read nor
    // compiled (hundreds of MB would block or exhaust every process that takes the lease in turn).
    const listed = await ctx.mirror.filesAt(fresh);
    if (!listed.some((f) => isSpecFile(f.path))) return await reject([noSpecs(ctx)]);
    const least = leastBundleBytes(listed);
    if (least > ctx.maxBundleBytes) return await reject(tooLarge(ctx, least, listed, true));
    const tree = await ctx.mirror.readFiles(listed, ctx.displayRoot);
    const result = ctx.compile(tree, fresh);
    if (!result.specSet) return await reject(result.diagnostics.filter((d) => d.severity === 'error'));
    const bundle = JSON.stringify(bundleFromTree(fresh, tree));
    const bytes = Buffer.byteLength(bundle);
    if (bytes > ctx.maxBundleBytes) return await reject(tooLarge(ctx, bytes, listed));
    if (!(await compareAndSet(kv, BUNDLE_KEY, bundle, current?.revision ?? 0))) {
      log.warn({ commit: fresh }, 'the bundle changed while compiling; not publishing');
      return 'lost-race';
    }
    log.info({ commit: fresh, integrations: result.specSet.integrations.size }, 'published spec bundle');
    return 'published';
  } finally {
    clearInterval(heartbeat);
    await releaseLease(kv, ctx.holder);
  }
}
