/**
 * One process of a GitOps cluster (an engine with Git sync) in a child process whose wall clock runs ahead of or
 * behind the others' (`Date.now` shifted): clock drift between machines. Configured by the JUNCTION_TEST_SKEWED_SYNC
 * environment variable (JSON). It asks for the branch head every 250 ms and prints each round's outcome as
 * `outcome <published|leased|current|...>`, then the workers its status lists as `workers <id>,<id>...`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { startSyncedProcess } from './gitops-harness.js';
import type { SyncedProcessOptions } from './gitops-harness.js';

/** What the parent test passes. */
export interface SkewedSyncConfig extends SyncedProcessOptions {
  /** This process's clock runs this far ahead of the others' (negative: behind). */
  clockAheadMs: number;
}

const config = JSON.parse(process.env.JUNCTION_TEST_SKEWED_SYNC ?? '{}') as SkewedSyncConfig;
const now = Date.now;
Date.now = () => now() + config.clockAheadMs;
const { sync } = await startSyncedProcess(config);
for (;;) {
  process.stdout.write(`outcome ${(await sync.poll()) ?? 'failed'}\n`);
  process.stdout.write(`workers ${(await sync.status()).workers.map((w) => w.id).join(',')}\n`);
  await sleep(250);
}
