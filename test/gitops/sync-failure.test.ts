/**
 * A repository the engine can no longer fetch (moved, its credentials revoked, the Git host down) keeps the cluster
 * on its active commit, and says so where an operator looks: `GET /api/status` and `junction status` warn with
 * git's error and since when, until a fetch works again. Before, only the engine's log said it, every poll.
 */
import { renameSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { goodCommitLive, startGitopsWorld, statusOf } from './gitops-harness.js';
import type { GitopsWorld } from './gitops-harness.js';

let world: GitopsWorld | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

describe('git sync that cannot fetch', () => {
  it('warns in the status with git error, the rounds and since when, and clears once a fetch works', async () => {
    world = await startGitopsWorld();
    // Polled by hand only (the harness's processes poll once an hour): each round below is one failure.
    const { good, a } = await goodCommitLive(world);
    expect((await statusOf(a)).warnings).toEqual([]);

    const away = `${world.remote}.away`;
    renameSync(world.remote, away);
    expect(await a.sync.poll()).toBeUndefined();
    expect(await a.sync.poll()).toBeUndefined();

    const status = await statusOf(a);
    const workers = status.workers as { id: string; sync_failure?: Record<string, unknown> }[];
    expect(workers).toHaveLength(1);
    const failure = workers[0]!.sync_failure!;
    expect(failure).toEqual({
      since: expect.any(String),
      at: expect.any(String),
      rounds: 2,
      message: expect.any(String),
    });
    expect(failure.message).toContain(`'${world.remote}' does not appear to be a git repository`);
    const warning =
      `spec sync of ${workers[0]!.id} failing since ${String(failure.since)} (2 rounds, the last at ` +
      `${String(failure.at)}): fatal: '${world.remote}' does not appear to be a git repository fatal: Could not read ` +
      'from remote repository. Please make sure you have the correct access rights and the repository exists.; it ' +
      `keeps running ${good} and nothing merged on main goes live until a fetch works: check the repository URL, ` +
      'its credentials and the Git host (docs/operations.md, "Runbook: Git sync fails")';
    expect(status.warnings).toEqual([warning]);
    expect(a.engine.specSet.commit).toBe(good);

    // `junction status`, as an operator types it, prints it among the warnings (exit 0: the engine answers).
    const printed = await junction('status', '--url', a.engine.operatorUrl!);
    expect(printed.code).toBe(0);
    expect(printed.stdout.split('\n')).toContain(`WARNING         ${warning}`);

    renameSync(away, world.remote);
    expect(await a.sync.poll()).toBe('current');
    const back = await statusOf(a);
    expect(back.warnings).toEqual([]);
    expect((back.workers as Record<string, unknown>[])[0]).not.toHaveProperty('sync_failure');
  });
});
