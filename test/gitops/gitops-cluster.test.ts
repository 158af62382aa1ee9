/**
 * GitOps cluster behaviour against real git and a real nats-server: the emergency pin holds every process on one
 * commit and its release lets the branch head go live; a stale head is never published over a newer bundle; stopped
 * processes leave the worker list; a set too large for one message, or a lookup's CSV over the data limit, is rejected
 * at the file or the lookup; `junction status` reads the sync view from an engine or straight from NATS, and
 * from NATS each schedule source's last success, last error and lag; push webhooks for other branches and GitHub pings
 * fetch nothing.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { publishHead } from '../../engine/gitops/publish-head.js';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { junction } from '../ops/cli-in-process.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { guardedReferenceEngine } from '../runtime/helpers/guarded-engine.js';
import { testLogger, waitFor } from '../runtime/helpers/runtime-harness.js';
import { targetConnectors } from '../runtime/helpers/target-connector.js';
import {
  WEBHOOK_SECRET,
  onAll,
  ordersSpec,
  startGitopsWorld,
  startSyncedProcess,
  statusOf,
  targetConnection,
} from './gitops-harness.js';
import type { GitopsWorld, Process } from './gitops-harness.js';

let world: GitopsWorld | undefined;
afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

const body = (tag: string) => `{ "key": $string(id), "seq": seq, "status": status, "mapping": "${tag}" }`;

async function seed(w: GitopsWorld): Promise<string> {
  return w.commit({ 'target.yaml': targetConnection(w.target.url), 'orders.yaml': ordersSpec(body('v1')) }, 'v1');
}

/** A leader step of its own on a fresh mirror, noting each commit it compiles in `compiled`. */
function leaderOf(w: GitopsWorld, a: Process, compiled: string[], maxBundleBytes: number, maxDataBytes?: number) {
  return {
    kv: w.kv,
    mirror: new GitMirror({
      repo: w.remote,
      branch: 'main',
      path: 'specs',
      dir: mkdtempSync(join(tmpdir(), 'junction-big-')),
      maxDataBytes,
    }),
    holder: 'big',
    leaseMs: 5_000,
    clock: a.engine.leaseClock,
    displayRoot: 'specs',
    compile: (tree: Parameters<typeof compileSpecTree>[0], commit: string) => {
      compiled.push(commit);
      return compileSpecTree(tree, { connectors: targetConnectors(), engine: guardedReferenceEngine(), commit });
    },
    maxBundleBytes,
    log: testLogger(),
  };
}

/** Two processes that went from v1 (`first`) to v2 together. */
async function twoProcessesOnV2(w: GitopsWorld): Promise<{ first: string; a: Process; b: Process }> {
  const first = await seed(w);
  const a = await w.startProcess();
  const b = await w.startProcess();
  const second = await w.commit({ 'orders.yaml': ordersSpec(body('v2')) }, 'v2');
  await a.sync.poll();
  await waitFor(onAll([a, b], second), 'v2 on both');
  return { first, a, b };
}

describe('gitops cluster', () => {
  it('an emergency pin holds every process on one commit; releasing it lets the branch head go live', async () => {
    world = await startGitopsWorld();
    const { first, a, b } = await twoProcessesOnV2(world);

    const pinner = await world.startProcess({ pin: first.slice(0, 12) });
    await waitFor(onAll([a, b, pinner], first), 'every process back on the pinned commit');
    expect(await statusOf(a)).toMatchObject({ active_commit: first, pinned: first });
    const third = await world.commit({ 'orders.yaml': ordersSpec(body('v3')) }, 'v3');
    expect(await a.sync.poll()).toBe('pinned');
    expect(await statusOf(b)).toMatchObject({ active_commit: first, last_seen_commit: third, pinned: first });
    expect(await world.post(a, { id: 1, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => world!.target.records.has('1'), 'delivered while pinned');
    expect(world.target.records.get('1')).toMatchObject({ mapping: 'v1' });

    await world.stopProcess(pinner);
    await waitFor(onAll([a, b], third), 'the branch head goes live after the release');
    const status = await statusOf(b);
    expect(status).toMatchObject({ active_commit: third, pinned: null, rejected: [] });
    expect((status.workers as { id: string }[]).map((w) => w.id)).toEqual(['proc-1', 'proc-2']);
  });

  it('pins from the local mirror when the Git host is down, so the pinning process still starts', async () => {
    world = await startGitopsWorld();
    const { first, a, b } = await twoProcessesOnV2(world);
    // The operator restarts proc-1 with --pin while the Git host is unreachable; its mirror holds both commits.
    await world.stopProcess(a);
    renameSync(world.remote, `${world.remote}.down`);
    const pinner = await startSyncedProcess({
      natsUrl: world.nats.url,
      remote: world.remote,
      mirrorDir: join(dirname(world.remote), 'mirror-proc-1'),
      id: 'proc-1',
      pin: first.slice(0, 12),
    });
    try {
      await waitFor(onAll([b, pinner], first), 'every process on the pinned commit');
      expect(await statusOf(b)).toMatchObject({ active_commit: first, pinned: first });
      // A commit the mirror does not hold cannot be pinned without the host, and the error says why.
      await expect(
        startSyncedProcess({
          natsUrl: world.nats.url,
          remote: world.remote,
          mirrorDir: mkdtempSync(join(tmpdir(), 'junction-empty-')),
          id: 'proc-9',
          pin: first.slice(0, 12),
        }),
      ).rejects.toThrow(
        `${first.slice(0, 12)} is not in the local mirror, and the repository could not be fetched: fatal: '${world.remote}' does not appear to be a git repository`,
      );
    } finally {
      await pinner.sync.stop();
      await pinner.engine.stop();
    }
  });

  it('applies a bundle again on a later heartbeat when its swap failed', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    // The swap of the next bundle fails once, as a JetStream request timing out mid-swap does.
    let failNext = false;
    const flaky = (engine: Engine): Engine =>
      new Proxy(engine, {
        get: (target, property, receiver) =>
          property === 'applySpecSet'
            ? async (set: CompiledSpecSet) => {
                if (failNext) {
                  failNext = false;
                  throw new Error('JetStream request timed out');
                }
                return target.applySpecSet(set);
              }
            : Reflect.get(target, property, receiver),
      });
    const p = await startSyncedProcess({
      natsUrl: world.nats.url,
      remote: world.remote,
      mirrorDir: mkdtempSync(join(tmpdir(), 'junction-flaky-')),
      id: 'flaky',
      wrapEngine: flaky,
      // The heartbeat that applies the bundle again comes within half a second, not five.
      heartbeatMs: 500,
    });
    try {
      await waitFor(onAll([p], first), 'v1 applied');
      failNext = true;
      const second = await world.commit({ 'orders.yaml': ordersSpec(body('v2')) }, 'v2');
      expect(await p.sync.poll()).toBe('published');
      await waitFor(onAll([p], second), 'v2 applied after the failed swap');
      expect(await statusOf(p)).toMatchObject({ active_commit: second, workers: [{ id: 'flaky', commit: second }] });
    } finally {
      await p.sync.stop();
      await p.engine.stop();
    }
  });

  it('compiles and publishes a new commit exactly once when every process fetches it at the same time', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    const ps = [await world.startProcess(), await world.startProcess(), await world.startProcess()];
    await waitFor(onAll(ps, first), 'v1 on all');
    const second = await world.commit({ 'orders.yaml': ordersSpec(body('v2')) }, 'v2');
    const outcomes = await Promise.all(ps.map((p) => p.sync.poll()));
    expect(outcomes.filter((o) => o === 'published')).toHaveLength(1);
    expect(outcomes.every((o) => o === 'published' || o === 'leased' || o === 'current')).toBe(true);
    await waitFor(onAll(ps, second), 'v2 on all');
  });

  it('never publishes a stale head over a newer bundle, nor a bundle too large for the server', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    const second = await world.commit({ 'orders.yaml': ordersSpec(body('v2')) }, 'v2');
    const a = await world.startProcess();
    await waitFor(onAll([a], second), 'v2 active');
    // A slow process fetched before v2 was pushed and only now gets the lease for what it saw.
    const mirror = new GitMirror({
      repo: world.remote,
      branch: 'main',
      path: 'specs',
      dir: mkdtempSync(join(tmpdir(), 'junction-stale-')),
    });
    const compile = (tree: Parameters<typeof compileSpecTree>[0], commit: string) =>
      compileSpecTree(tree, { connectors: targetConnectors(), engine: guardedReferenceEngine(), commit });
    const ctx = {
      kv: world.kv,
      mirror,
      holder: 'slow',
      leaseMs: 5_000,
      clock: a.engine.leaseClock,
      displayRoot: 'specs',
      compile,
      maxBundleBytes: 1_000_000,
      log: testLogger(),
    };
    expect(await publishHead(ctx, first)).toBe('current');
    expect(await statusOf(a)).toMatchObject({ active_commit: second });
    expect(a.engine.specSet.commit).toBe(second);

    // A set that compiles but does not fit in one KV value is rejected with the reason, not published.
    const third = await world.commit({ 'orders.yaml': ordersSpec(body('v3')) }, 'v3');
    expect(await publishHead({ ...ctx, maxBundleBytes: 100 }, third)).toBe('rejected');
    const status = await statusOf(a);
    expect(status).toMatchObject({
      active_commit: second,
      rejected: [
        {
          commit: third,
          diagnostics: [
            { file: 'specs/orders.yaml', code: 'file-too-large' },
            { file: 'specs/target.yaml', code: 'file-too-large' },
          ],
        },
      ],
    });
    expect(a.engine.specSet.commit).toBe(second);
  });

  it('rejects a commit with a file too large for the bundle before compiling it, naming the file', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    const a = await world.startProcess();
    await waitFor(onAll([a], first), 'v1 active');
    // A lookup table of 1.5 MB merged into a cluster whose server takes 1 MB per message.
    const rows = Array.from({ length: 50_000 }, (_, i) => `SKU-${String(i).padStart(8, '0')},warehouse-${i % 7}`);
    const big = await world.commit(
      { 'lookups/stock.csv': `sku,warehouse\n${rows.join('\n')}\n`.padEnd(1_500_000) },
      'big',
    );
    const compiled: string[] = [];
    const ctx = leaderOf(world, a, compiled, 1_000_000);
    expect(await ctx.mirror.fetch()).toBe(big);
    expect(await publishHead(ctx, big)).toBe('rejected');
    expect(compiled).toEqual([]);
    const status = await statusOf(a);
    expect(status).toMatchObject({ active_commit: first });
    expect(status.rejected).toEqual([
      {
        commit: big,
        rejected_at: expect.any(String),
        diagnostics: [
          {
            file: 'specs/lookups/stock.csv',
            line: 1,
            col: 1,
            severity: 'error',
            code: 'file-too-large',
            message: expect.stringMatching(
              /^the file has 1500000 bytes; the spec set is at least \d+ bytes as a bundle, the NATS server takes at most 1000000 \(raise max_payload, or move large lookups out\)$/,
            ),
          },
        ],
      },
    ]);
  });

  it('rejects a commit whose lookup names a CSV over the 6 MiB data limit at the lookup, though the set fits', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    const a = await world.startProcess();
    await waitFor(onAll([a], first), 'v1 active');
    // 7 MiB of rows, in a cluster whose server takes 64 MiB per message: the set fits, the table is over the limit.
    const table = await world.commit(
      {
        'lookups/stock.yaml':
          'apiVersion: junction/v1\nkind: Lookup\nname: stock\ncsv: { file: stock.csv, key_column: sku, value_column: warehouse }\n',
        'lookups/stock.csv': 'sku,warehouse\n'.padEnd(7 * 1024 * 1024, 'SKU-1,main\n'),
      },
      'a huge lookup table',
    );
    const compiled: string[] = [];
    const ctx = leaderOf(world, a, compiled, 64 * 1024 * 1024);
    expect(await ctx.mirror.fetch()).toBe(table);
    expect(await publishHead(ctx, table)).toBe('rejected');
    expect(compiled).toEqual([table]);
    const status = await statusOf(a);
    expect(status).toMatchObject({ active_commit: first });
    expect(status.rejected).toEqual([
      {
        commit: table,
        rejected_at: expect.any(String),
        diagnostics: [
          {
            file: 'specs/lookups/stock.yaml',
            line: 4,
            col: 14,
            severity: 'error',
            code: 'file-too-large',
            message:
              'CSV file "stock.csv" has 7340032 bytes; data files are limited to 6291456 bytes (6 MiB): split the table into several lookups, or look its values up at run time with `resolve`, or raise the limit with JUNCTION_MAX_DATA_BYTES (at most 50331648, 48 MiB) where specs are validated and on every engine',
          },
        ],
      },
    ]);
  });

  it('junction status prints the sync view from an engine and straight from NATS', async () => {
    world = await startGitopsWorld();
    const good = await seed(world);
    const a = await world.startProcess();
    await waitFor(onAll([a], good), 'v1 active');
    const bad = await world.commit(
      { 'orders.yaml': ordersSpec('{ "key": $string(id), "status": status status2 }') },
      'broken',
    );
    expect(await a.sync.poll()).toBe('rejected');

    const viaNats = await junction('status', '--nats', world.nats.url, '--format', 'json');
    expect(viaNats.code).toBe(0);
    const fromNats = JSON.parse(viaNats.stdout) as Record<string, unknown>;
    expect(fromNats).toMatchObject({
      active_commit: good,
      last_seen_commit: bad,
      tracked_branch: 'main',
      pinned: null,
      integrations: [{ name: 'orders' }],
    });
    expect(fromNats.rejected).toMatchObject([
      { commit: bad, diagnostics: [{ file: 'specs/orders.yaml', code: 'jsonata-syntax' }] },
    ]);
    expect(fromNats.workers).toMatchObject([{ id: 'proc-1', commit: good, applied_at: expect.any(String) }]);

    const viaUrl = await junction('status', '--url', a.engine.operatorUrl!, '--format', 'json');
    expect(viaUrl.code).toBe(0);
    expect(JSON.parse(viaUrl.stdout)).toMatchObject({
      active_commit: good,
      rejected: [{ commit: bad }],
      integrations: [{ name: 'orders', health: 'ok', lag: 0, dead_letters: 0 }],
    });
    const stylish = await junction('status', '--url', a.engine.operatorUrl!);
    expect(stylish.stdout).toContain(`rejected        ${bad}`);
    expect(stylish.stdout).toMatch(/specs\/orders\.yaml:\d+:\d+ {2}jsonata-syntax/);
  });

  it("junction status --nats shows each schedule source's last success, last error and lag", async () => {
    world = await startGitopsWorld();
    const source =
      '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
    const v1 = await world.commit(
      {
        'target.yaml': targetConnection(world.target.url),
        'poll.yaml': integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": updated }' }),
      },
      'v1',
    );
    const a = await world.startProcess();
    await waitFor(onAll([a], v1), 'v1 active');
    type Line = { name: string; lag?: number; source?: string; source_health?: Record<string, unknown> };
    const viaNats = async () => {
      const printed = await junction('status', '--nats', world!.nats.url, '--format', 'json');
      return (JSON.parse(printed.stdout) as { integrations: Line[] }).integrations;
    };
    const poll = async () => (await viaNats()).find((i) => i.name === 'poll')!;
    await waitFor(async () => typeof (await poll()).source_health?.last_success_at === 'string', 'a round stored');
    expect(await viaNats()).toEqual([
      {
        name: 'poll',
        lag: expect.any(Number),
        source: 'schedule',
        source_health: {
          last_success_at: expect.stringMatching(/^\d{4}-/),
          last_failure: null,
          failed_rounds: 0,
          missed_changes: null,
        },
      },
    ]);
    const stylish = (await junction('status', '--nats', world.nats.url)).stdout;
    expect(stylish).toMatch(
      /\nintegration {5}poll {2}(?:[0-9a-f]+)? {2}lag \d+\n {22}source last success \S+, no error\n/,
    );

    // Every poll fails from now on: the failure and the rounds in a row, from NATS alone.
    world.target.fault = (r) =>
      r.method === 'GET' && r.path.startsWith('/source') ? { respond: { status: 500 } } : undefined;
    await waitFor(async () => Number((await poll()).source_health?.failed_rounds) > 0, 'a failed round stored');
    const failing = (await junction('status', '--nats', world.nats.url)).stdout;
    expect(failing).toMatch(
      / {22}source failed \d+ rounds? in a row \(last success \S+\), the last at \S+: target answered 500\n/,
    );
  });

  it('answers GitHub pings and ignores pushes to other branches without fetching', async () => {
    world = await startGitopsWorld();
    const first = await seed(world);
    const a = await world.startProcess();
    await waitFor(onAll([a], first), 'v1 active');
    await world.commit({ 'orders.yaml': ordersSpec(body('v2')) }, 'v2');
    const send = async (payload: string, event: string) => {
      const signature = 'sha256=' + createHmac('sha256', WEBHOOK_SECRET).update(payload).digest('hex');
      const res = await fetch(`${a.engine.url}/hooks/git`, {
        method: 'POST',
        headers: { 'x-hub-signature-256': signature, 'x-github-event': event },
        body: payload,
      });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    expect(await send('{"zen":"Keep it simple."}', 'ping')).toEqual({ status: 200, body: { pong: true } });
    expect(await send('{"ref":"refs/heads/feature"}', 'push')).toEqual({
      status: 202,
      body: { fetching: false, reason: 'not the tracked branch main' },
    });
    expect(await statusOf(a)).toMatchObject({ last_seen_commit: first, active_commit: first });
  });
});
