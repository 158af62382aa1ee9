/**
 * A process that takes the compile lease for the branch head and then hangs inside the compile, so a test can
 * SIGKILL it mid-compile. Configured by the JUNCTION_TEST_LEASE_HOLDER environment variable (JSON); prints
 * "compiling" once it holds the lease and is inside the compiler.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { openGitopsStore } from '../../engine/gitops/gitops-store.js';
import { publishHead } from '../../engine/gitops/publish-head.js';
import type { CompileResult } from '../../engine/compiler/compile-spec-set.js';
import { testLogger } from '../runtime/helpers/runtime-harness.js';

/** What the parent test passes. */
export interface LeaseHolderConfig {
  natsUrl: string;
  repo: string;
  mirrorDir: string;
  holder: string;
  leaseMs: number;
}

const config = JSON.parse(process.env.JUNCTION_TEST_LEASE_HOLDER ?? '{}') as LeaseHolderConfig;
const nc = await connect({ servers: config.natsUrl, noAsyncTraces: true });
const kv = await openGitopsStore(new Kvm(jetstream(nc)));
const mirror = new GitMirror({ repo: config.repo, branch: 'main', path: 'specs', dir: config.mirrorDir });
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
  displayRoot: 'specs',
  compile: hang,
  maxBundleBytes: 1_000_000,
  log: testLogger(),
};
await publishHead(ctx, await mirror.fetch());
