/**
 * Git sync between processes whose wall clocks disagree, with real processes against real git and a real
 * nats-server: the compile lease's and the emergency pin's expiry and the workers' heartbeats are judged by the
 * broker's clock as each engine estimates it, so a process an hour ahead never takes a live lease over, finds no live
 * pin lapsed and still lists the live workers, and one an hour behind takes a dead holder's lease over once it ran
 * out, not an hour later. All went by each process's own clock before.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { BUNDLE_KEY } from '../../engine/gitops/gitops-store.js';
import type { SpecBundle } from '../../engine/gitops/gitops-store.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { spawnGitopsChild } from './gitops-child.js';
import type { GitopsChild } from './gitops-child.js';
import { ordersSpec, startGitopsWorld, targetConnection } from './gitops-harness.js';
import type { GitopsWorld } from './gitops-harness.js';
import type { LeaseHolderConfig } from './lease-holder-main.js';
import type { SkewedSyncConfig } from './skewed-sync-main.js';

const LEASE_HOLDER_MAIN = fileURLToPath(new URL('./lease-holder-main.ts', import.meta.url));
const SKEWED_SYNC_MAIN = fileURLToPath(new URL('./skewed-sync-main.ts', import.meta.url));
const HOUR = 3_600_000;

let world: GitopsWorld | undefined;
const children: GitopsChild[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill()));
  await world?.dispose();
  world = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const mirrorDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'junction-lease-clock-'));
  dirs.push(dir);
  return dir;
};

/** A world with one commit on the branch; returns the commit. */
async function branchWithHead(): Promise<{ w: GitopsWorld; head: string }> {
  world = await startGitopsWorld();
  const head = await world.commit(
    {
      'target.yaml': targetConnection(world.target.url),
      'orders.yaml': ordersSpec('{ "key": $string(id), "status": status }'),
    },
    'v1',
  );
  return { w: world, head };
}

/** A process on the machine's clock (the broker's) that takes the compile lease and hangs under it. */
async function leaseHolder(w: GitopsWorld, leaseMs: number, hangIn: 'compile' | 'tree'): Promise<GitopsChild> {
  const config: LeaseHolderConfig = {
    natsUrl: w.nats.url,
    repo: w.remote,
    mirrorDir: mirrorDir(),
    holder: 'holder',
    leaseMs,
    hangIn,
  };
  const child = spawnGitopsChild(LEASE_HOLDER_MAIN, 'JUNCTION_TEST_LEASE_HOLDER', config);
  children.push(child);
  const said = hangIn === 'tree' ? 'reading the tree' : 'compiling';
  await child.until(() => child.stdout().includes(said), 'the holder hangs');
  expect((await w.kv.get('lease'))!.json<{ holder: string }>().holder).toBe('holder');
  return child;
}

/** An engine with Git sync whose wall clock runs `clockAheadMs` off; it asks for the branch head every 250 ms. */
function skewedProcess(w: GitopsWorld, leaseMs: number, clockAheadMs: number): GitopsChild {
  const config: SkewedSyncConfig = {
    natsUrl: w.nats.url,
    remote: w.remote,
    mirrorDir: mirrorDir(),
    id: clockAheadMs > 0 ? 'ahead' : 'behind',
    leaseMs,
    clockAheadMs,
  };
  const child = spawnGitopsChild(SKEWED_SYNC_MAIN, 'JUNCTION_TEST_SKEWED_SYNC', config);
  children.push(child);
  return child;
}

const outcomes = (child: GitopsChild) => [...child.stdout().matchAll(/^outcome (\S+)$/gm)].map((m) => m[1]);
const bundleCommit = async (w: GitopsWorld) => (await w.kv.get(BUNDLE_KEY))?.json<SpecBundle>().commit;

it("a process whose clock runs an hour ahead never takes a live compile lease over; it takes it once the holder died and the lease ran out by the broker's clock", async () => {
  const { w, head } = await branchWithHead();
  const leaseMs = 5_000;
  const holder = await leaseHolder(w, leaseMs, 'tree');
  const ahead = skewedProcess(w, leaseMs, HOUR);
  await ahead.until(() => outcomes(ahead).length > 0, 'the process starts');
  // Two leases' time of its rounds, the holder renewing throughout: by the process's own clock the lease ran out an
  // hour ago all along.
  await sleep(leaseMs * 2);
  await ahead.until(() => outcomes(ahead).length >= 10, 'ten rounds');
  expect(new Set(outcomes(ahead))).toEqual(new Set(['leased']));
  expect(await bundleCommit(w)).toBeUndefined();
  expect((await w.kv.get('lease'))!.json<{ holder: string }>().holder).toBe('holder');

  // The holder dies: its lease runs out by the broker's clock and the process publishes the head.
  expect(await holder.kill()).toBe('SIGKILL');
  await ahead.until(() => outcomes(ahead).includes('published'), 'the head published after the holder died');
  expect(await bundleCommit(w)).toBe(head);
}, 180_000);

it("a process whose clock runs an hour behind takes a dead holder's compile lease over once it ran out by the broker's clock, not an hour later", async () => {
  const { w, head } = await branchWithHead();
  const leaseMs = 3_000;
  const holder = await leaseHolder(w, leaseMs, 'compile');
  expect(await holder.kill()).toBe('SIGKILL');
  // By the process's own clock the dead holder's lease runs for another hour.
  const behind = skewedProcess(w, leaseMs, -HOUR);
  await behind.until(async () => (await bundleCommit(w)) === head, 'the head published');
}, 180_000);

it('a process whose clock runs an hour ahead does not publish the branch head over a live emergency pin', async () => {
  const { w, head: pinnedCommit } = await branchWithHead();
  await w.startProcess({ pin: pinnedCommit });
  await waitFor(async () => (await bundleCommit(w)) === pinnedCommit, 'the pinned commit published');
  await w.commit({ 'orders.yaml': ordersSpec('{ "key": $string(id), "status": "v2" }') }, 'v2');
  const ahead = skewedProcess(w, 30_000, HOUR);
  // Ten rounds on the new head, the pin renewed meanwhile: by the process's own clock it lapsed an hour ago.
  await ahead.until(() => outcomes(ahead).length >= 10, 'ten rounds');
  expect(new Set(outcomes(ahead))).toEqual(new Set(['pinned']));
  expect(await bundleCommit(w)).toBe(pinnedCommit);
}, 180_000);

it('a process whose clock runs an hour ahead lists the live workers in its status', async () => {
  const { w } = await branchWithHead();
  await w.startProcess();
  const ahead = skewedProcess(w, 30_000, HOUR);
  const listed = () => [...ahead.stdout().matchAll(/^workers (.*)$/gm)].map((m) => m[1]);
  // Both heartbeats are seconds old by the broker's clock; by the process's own, an hour old.
  await ahead.until(() => listed().includes('ahead,proc-1'), 'both workers listed');
}, 180_000);
