/**
 * GitOps against real git repositories and a real nats-server, with two engine processes: merged commits go live on
 * both, invalid commits are rejected while the old set keeps serving, push webhooks are verified, traffic across
 * successive commits loses and duplicates nothing, and a dead lease holder is taken over.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLease } from '../../engine/gitops/compile-lease.js';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import {
  WEBHOOK_SECRET,
  goodCommitLive,
  ordersSpec,
  startGitopsWorld,
  statusOf,
  targetConnection,
} from './gitops-harness.js';
import type { GitopsWorld, Process } from './gitops-harness.js';

let world: GitopsWorld | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

const V1 = '{ "key": $string(id), "seq": seq, "status": status }';
const V2 = '{ "key": $string(id), "seq": seq, "status": status, "mapping": "v2" }';
const pushHook = (p: Process, body: string, signature?: string) =>
  fetch(`${p.engine.url}/hooks/git`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-hub-signature-256': signature } : {}) },
    body,
  }).then(async (r) => ({ status: r.status, body: await r.json() }));
const sign = (body: string) => 'sha256=' + createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex');

/** One process running a good commit, and a broken commit after it that the process rejected. */
async function badCommitOnGood(w: GitopsWorld): Promise<{ good: string; bad: string; a: Process }> {
  const { good, a } = await goodCommitLive(w, V1);
  const bad = await w.commit(
    { 'orders.yaml': ordersSpec('{ "key": $string(id), "status": status status2 }') },
    'broken mapping',
  );
  expect(await a.sync.poll()).toBe('rejected');
  return { good, bad, a };
}

describe('gitops', () => {
  it('makes a merged mapping change active on every process; the next events use it and record its commit', async () => {
    world = await startGitopsWorld();
    const first = await world.commit(
      { 'target.yaml': targetConnection(world.target.url), 'orders.yaml': ordersSpec(V1) },
      'orders v1',
    );
    const a = await world.startProcess();
    const b = await world.startProcess();
    await waitFor(
      async () => a.engine.specSet.commit === first && b.engine.specSet.commit === first,
      'v1 active on both',
    );
    expect(await world.post(a, { id: 1, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => world!.target.records.has('1'), 'v1 delivered');
    expect(world.target.records.get('1')).toEqual({ key: '1', seq: 1, status: 'new' });

    const second = await world.commit({ 'orders.yaml': ordersSpec(V2) }, 'orders v2');
    const hook = JSON.stringify({ ref: 'refs/heads/main', after: second });
    expect(await pushHook(a, hook, sign(hook))).toEqual({ status: 202, body: { fetching: true } });
    await waitFor(
      async () => a.engine.specSet.commit === second && b.engine.specSet.commit === second,
      'v2 active on both',
    );
    expect(await world.post(b, { id: 2, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => world!.target.records.has('2'), 'v2 delivered');
    expect(world.target.records.get('2')).toEqual({ key: '2', seq: 1, status: 'new', mapping: 'v2' });
    expect(await world.ledgerCommits()).toEqual([first, second].sort());
    const status = await statusOf(a);
    expect(status).toMatchObject({
      tracked_branch: 'main',
      last_seen_commit: second,
      active_commit: second,
      rejected: [],
    });
    expect((status.workers as { id: string; commit: string }[]).map((w) => [w.id, w.commit])).toEqual([
      ['proc-1', second],
      ['proc-2', second],
    ]);
  });

  it('rejects an invalid commit: the old set keeps serving and status shows the diagnostics', async () => {
    world = await startGitopsWorld();
    const { good, bad, a } = await badCommitOnGood(world);
    // Not retried until a newer commit.
    expect(await a.sync.poll()).toBe('current');
    const status = await statusOf(a);
    expect(status).toMatchObject({ active_commit: good, last_seen_commit: bad });
    expect(status.rejected).toEqual([
      {
        commit: bad,
        rejected_at: expect.any(String),
        diagnostics: [
          {
            file: 'specs/orders.yaml',
            line: 10,
            col: 51,
            severity: 'error',
            code: 'jsonata-syntax',
            message:
              'JSONata S0202 Expected "}", got "status2"; a comma may be missing before this (between entries, ' +
              'items or arguments), or an operator (& joins strings, and/or combine conditions); a field name that ' +
              'holds a space is quoted with ` (`first name`)',
          },
        ],
      },
    ]);
    expect(a.engine.specSet.commit).toBe(good);
    expect(await world.post(a, { id: 5, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => world!.target.records.has('5'), 'the old set still delivers');
    expect(world.target.records.get('5')).toEqual({ key: '5', seq: 1, status: 'new' });
    // A fix supersedes the rejection.
    const fixed = await world.commit({ 'orders.yaml': ordersSpec(V2) }, 'fix');
    expect(await a.sync.poll()).toBe('published');
    await waitFor(async () => a.engine.specSet.commit === fixed, 'fix active');
    expect(await statusOf(a)).toMatchObject({ active_commit: fixed, rejected: [] });
  });

  it('clears a rejection once main is force-pushed back to the active commit', async () => {
    world = await startGitopsWorld();
    const { good, bad, a } = await badCommitOnGood(world);
    expect(await statusOf(a)).toMatchObject({ last_seen_commit: bad, rejected: [{ commit: bad }] });
    // The bad merge is undone by rewriting main, not by a revert: nothing is waiting, nothing is rejected.
    await world.clone.raw(['reset', '--quiet', '--hard', good]);
    await world.clone.raw(['push', '--quiet', '--force', 'origin', 'main']);
    expect(await a.sync.poll()).toBe('current');
    expect(await statusOf(a)).toMatchObject({ active_commit: good, last_seen_commit: good, rejected: [] });
  });

  it('records a commit with thousands of problems as rejected, with its first problems and how many more', async () => {
    world = await startGitopsWorld();
    const { good, a } = await goodCommitLive(world);
    // 6,000 unknown keys: over 1 MiB of diagnostics, more than the server takes as one KV value.
    const keys = Array.from({ length: 6000 }, (_, i) => `x_${String(i).padStart(4, '0')}: 1\n`).join('');
    const many = 'apiVersion: junction/v1\nkind: Lookup\nname: many\nentries: { a: b }\n' + keys;
    const bad = await world.commit({ 'many.yaml': many }, 'generated lookup gone wrong');
    expect(await a.sync.poll()).toBe('rejected');
    expect(await a.sync.poll()).toBe('current');
    const status = await statusOf(a);
    const [rejection] = status.rejected as { commit: string; diagnostics: unknown[]; omitted: number }[];
    expect(rejection.commit).toBe(bad);
    expect(rejection.diagnostics[0]).toEqual({
      file: 'specs/many.yaml',
      line: 5,
      col: 1,
      severity: 'error',
      code: 'unknown-property',
      message:
        'unknown property `x_0000` in the spec; allowed: $schema, apiVersion, kind, name, description, entries, csv, resolve, default',
    });
    expect(rejection.diagnostics.length + rejection.omitted).toBe(6000);
    expect(Buffer.byteLength(JSON.stringify(rejection.diagnostics))).toBeLessThanOrEqual(256 * 1024);
    expect(a.engine.specSet.commit).toBe(good);
  });

  it('rejects a commit without the spec directory instead of removing every integration', async () => {
    world = await startGitopsWorld();
    const { a } = await goodCommitLive(world);
    // A reorganisation moves the specs; the engines still follow --path specs.
    await world.clone.raw(['mv', 'specs', 'integrations']);
    await world.clone.commit('move the specs to integrations/');
    await world.clone.push('origin', 'main');
    const moved = (await world.clone.revparse(['HEAD'])).trim();
    expect(await a.sync.poll()).toBe('rejected');
    expect([...a.engine.specSet.integrations.keys()]).toEqual(['orders']);
    expect((await statusOf(a)).rejected).toEqual([
      {
        commit: moved,
        rejected_at: expect.any(String),
        diagnostics: [
          {
            file: 'specs',
            line: 1,
            col: 1,
            severity: 'error',
            code: 'file-unreadable',
            message:
              'no spec file under specs at this commit (moved or deleted?): publishing it would remove every integration; restore the directory, or start the engines with --path naming the new one',
          },
        ],
      },
    ]);
  });

  it('ignores a push webhook with a bad signature and fetches at once on a good one', async () => {
    world = await startGitopsWorld();
    const first = await world.commit(
      { 'target.yaml': targetConnection(world.target.url), 'orders.yaml': ordersSpec(V1) },
      'v1',
    );
    const a = await world.startProcess();
    await waitFor(async () => a.engine.specSet.commit === first, 'v1 active');
    const second = await world.commit({ 'orders.yaml': ordersSpec(V2) }, 'v2');
    const hook = JSON.stringify({ ref: 'refs/heads/main' });
    expect(await pushHook(a, hook, 'sha256=' + '0'.repeat(64))).toEqual({
      status: 401,
      body: { error: 'bad-signature', message: 'X-Hub-Signature-256 does not match the body' },
    });
    expect(await pushHook(a, hook)).toMatchObject({ status: 401 });
    // A rejected delivery starts nothing: the branch was not even fetched.
    expect(await statusOf(a)).toMatchObject({ last_seen_commit: first, active_commit: first });
    expect(a.engine.specSet.commit).toBe(first);
    expect((await pushHook(a, hook, sign(hook))).status).toBe(202);
    await waitFor(async () => a.engine.specSet.commit === second, 'v2 active after the signed webhook');
  });

  it('loses and duplicates nothing under continuous traffic across three commits', async () => {
    world = await startGitopsWorld();
    await world.commit({ 'target.yaml': targetConnection(world.target.url), 'orders.yaml': ordersSpec(V1) }, 'c1');
    const a = await world.startProcess();
    const b = await world.startProcess();
    await waitFor(async () => a.engine.specSet.commit !== 'none' && b.engine.specSet.commit !== 'none', 'initial set');
    let id = 0;
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        id++;
        expect(await world!.post(id % 2 ? a : b, { id, seq: 1, status: 'new' })).toBe(202);
      }
    })();
    const commits = [a.engine.specSet.commit];
    for (const [n, body] of [
      [2, V2],
      [3, V1],
      [4, V2],
    ] as const) {
      const sha = await world.commit({ 'orders.yaml': ordersSpec(body.replace('"v2"', `"v${n}"`)) }, `c${n}`);
      commits.push(sha);
      await a.sync.poll();
      await waitFor(async () => a.engine.specSet.commit === sha && b.engine.specSet.commit === sha, `c${n} active`);
    }
    sending = false;
    await traffic;
    await waitFor(() => world!.target.records.size === id, `all ${id} events delivered`);
    await expectDrained(world.nats.url);
    expect([...world.target.effectiveWrites.values()].every((n) => n === 1)).toBe(true);
    expect(world.target.requests).toHaveLength(id);
    // Every event recorded the commit that handled it, and only commits that were active.
    const recorded = await world.ledgerCommits();
    expect(recorded).toHaveLength(id);
    expect(recorded.every((c) => commits.includes(c))).toBe(true);
  });

  it('takes over the compile lease from a holder that died mid-compile', async () => {
    world = await startGitopsWorld();
    const first = await world.commit(
      { 'target.yaml': targetConnection(world.target.url), 'orders.yaml': ordersSpec(V1) },
      'v1',
    );
    // A process took the lease for this commit and died before publishing: the lease is never renewed.
    expect(await acquireLease(world.kv, 'dead-process', first, 60_000, localClock)).toBe(true);
    const a = await world.startProcess({ leaseMs: 5_000 });
    expect(a.engine.specSet.commit).toBe('none');
    expect(await a.sync.poll()).toBe('leased');
    // Its lifetime runs out (written as the clock would see it a minute later, so the test never sleeps).
    const lease = (await world.kv.get('lease'))!;
    await world.kv.update(
      'lease',
      JSON.stringify({ ...lease.json<object>(), expires_at: Date.now() - 1 }),
      lease.revision,
    );
    const outcomes: (string | undefined)[] = [];
    await waitFor(
      async () => (outcomes.push(await a.sync.poll()), a.engine.specSet.commit === first),
      'compiled and applied by the new holder',
    );
    expect(outcomes).toContain('published');
    expect(await statusOf(a)).toMatchObject({ active_commit: first, rejected: [] });
  });
});
