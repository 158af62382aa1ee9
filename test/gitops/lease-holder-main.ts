/**
 * A process that takes the compile lease for the branch head and then hangs, so a test can SIGKILL it while it holds
 * the lease or watch another process leave a live lease alone. Configured by the JUNCTION_TEST_LEASE_HOLDER
 * environment variable (JSON). It hangs inside the compile (the thread blocked: the lease is no longer renewed) and
 * prints "compiling", or reading the spec tree (the event loop free: the heartbeat keeps renewing) and prints
 * "reading the tree". Its lease clock is its wall clock, which on the test's machine is the broker's.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { openGitopsStore } from '../../engine/gitops/gitops-store.js';
import { publishHead } from '../../engine/gitops/publish-head.js';
import type { CompileResult } from '../../engine/compiler/compile-spec-set.js';
import type { SpecTree } from '../../engine/compiler/spec-tree.js';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import { testLogger } from '../runtime/helpers/runtime-harness.js';

/** What the parent test passes. */
export interface LeaseHolderConfig {
  natsUrl: string;
  repo: string;
  mirrorDir: string;
  holder: string;
  leaseMs: number;
  /** Where it hangs under the lease. @default 'compile' */
  hangIn?: 'compile' | 'tree';
}

/** A mirror whose tree never arrives: the leader step waits under its lease, renewing it. */
class StalledMirror extends GitMirror {
  override readFiles(): Promise<SpecTree> {
    process.stdout.write('reading the tree\n');
    return new Promise(() => undefined);
  }
}

const config = JSON.parse(process.env.JUNCTION_TEST_LEASE_HOLDER ?? '{}') as LeaseHolderConfig;
const nc = await connect({ servers: config.natsUrl, noAsyncTraces: true });
const kv = await openGitopsStore(new Kvm(jetstream(nc)));
const mirrorOptions = { repo: config.repo, branch: 'main', path: 'specs', dir: config.mirrorDir };
const mirror = config.hangIn === 'tree' ? new StalledMirror(mirrorOptions) : new GitMirror(mirrorOptions);
const hang = (): CompileResult => {
  process.stdout.write('compiling\n'); // synchronous on a pipe: the parent sees it before the thread blocks
  // Blocks this thread for good, as a compile stuck on a pathological spec would; only a signal ends it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error('unreachable');
};
const ctx = {
  kv,
  mirror,
  holder: config.holder,
  leaseMs: config.leaseMs,
  clock: localClock,
  displayRoot: 'specs',
  compile: hang,
  maxBundleBytes: 1_000_000,
  log: testLogger(),
};
await publishHead(ctx, await mirror.fetch());
