/**
 * A GitOps world for tests: a bare "remote" repository and a working clone (real git, temp dirs), one real
 * nats-server, the runtime's fake target, and engine processes that each follow the remote with startGitSync.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { emptySpecSet } from '../../engine/gitops/empty-spec-set.js';
import { startGitSync } from '../../engine/gitops/git-sync.js';
import type { GitSync } from '../../engine/gitops/git-sync.js';
import { SPECS_BUCKET } from '../../engine/gitops/gitops-store.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { EngineOptions } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { startFakeTarget } from '../runtime/helpers/fake-target.js';
import type { FakeTarget } from '../runtime/helpers/fake-target.js';
import { guardedReferenceEngine } from '../runtime/helpers/guarded-engine.js';
import { httpTestInvoker } from '../runtime/helpers/http-invoker.js';
import { TEST_TUNING, testLogger, waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { targetConnectors } from '../runtime/helpers/target-connector.js';

export const WEBHOOK_SECRET = 'git-hook-secret';

export interface Process {
  engine: Engine;
  sync: GitSync;
}

export interface GitopsWorld {
  nats: TestNatsServer;
  target: FakeTarget;
  remote: string;
  clone: SimpleGit;
  cloneDir: string;
  kv: KV;
  /** Writes files under specs/ in the clone, commits and pushes to main; returns the commit. */
  commit(files: Record<string, string>, message: string): Promise<string>;
  startProcess(options?: {
    pollMs?: number;
    pin?: string;
    leaseMs?: number;
    engine?: Partial<EngineOptions>;
  }): Promise<Process>;
  /** Graceful stop of one process (its pin, if any, is released). */
  stopProcess(process: Process): Promise<void>;
  post(process: Process, body: unknown): Promise<number>;
  /** The spec commits recorded by the delivery ledger, sorted. */
  ledgerCommits(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** Where a process of {@link startSyncedProcess} finds the broker and the repository, and how it runs. */
export interface SyncedProcessOptions {
  natsUrl: string;
  /** The bare repository it follows (branch main, specs under specs/). */
  remote: string;
  /** Its own mirror clone's directory. */
  mirrorDir: string;
  /** Its worker id (the compile lease's holder). */
  id: string;
  pollMs?: number;
  pin?: string;
  leaseMs?: number;
  /** Git sync's heartbeat, which also applies again a bundle whose swap failed (default 5 s). */
  heartbeatMs?: number;
  engine?: Partial<EngineOptions>;
  /** What Git sync sees of the engine (a test may make it fail). */
  wrapEngine?: (engine: Engine) => Engine;
}

/** An engine that follows the repository with startGitSync: one process of a GitOps cluster. */
export async function startSyncedProcess(options: SyncedProcessOptions): Promise<Process> {
  const engine = await startEngine({
    specSet: emptySpecSet(),
    invoker: httpTestInvoker,
    natsUrl: options.natsUrl,
    port: 0,
    host: '127.0.0.1',
    tuning: TEST_TUNING,
    logger: testLogger(),
    ...options.engine,
  });
  // A sync that cannot start (a pin that does not resolve) leaves no engine running.
  const sync = await startGitSync(options.wrapEngine?.(engine) ?? engine, {
    mirror: { repo: options.remote, branch: 'main', path: 'specs', dir: options.mirrorDir },
    natsUrl: options.natsUrl,
    compile: (tree, commit) =>
      compileSpecTree(tree, { connectors: targetConnectors(), engine: guardedReferenceEngine(), commit }),
    pollMs: options.pollMs ?? 3_600_000,
    pin: options.pin,
    leaseMs: options.leaseMs,
    heartbeatMs: options.heartbeatMs,
    webhookSecret: WEBHOOK_SECRET,
    workerId: options.id,
    log: testLogger(),
  }).catch(async (error: unknown) => {
    await engine.stop();
    throw error;
  });
  engine.attachSync(sync);
  return { engine, sync };
}

export function ordersSpec(body: string): string {
  return integrationYaml({ body });
}

/** For waitFor: every one of `ps` runs commit `sha`. */
export const onAll = (ps: Process[], sha: string) => async () => ps.every((p) => p.engine.specSet.commit === sha);

/** A process's `GET /api/status`. */
export async function statusOf(p: Process): Promise<Record<string, unknown>> {
  return (await fetch(`${p.engine.operatorUrl}/api/status`)).json() as Promise<Record<string, unknown>>;
}

/** One process running a good commit: the target connection and orders with `body` (default: keyed by id). */
export async function goodCommitLive(
  w: GitopsWorld,
  body = '{ "key": $string(id) }',
): Promise<{ good: string; a: Process }> {
  const good = await w.commit(
    { 'target.yaml': targetConnection(w.target.url), 'orders.yaml': ordersSpec(body) },
    'good',
  );
  const a = await w.startProcess();
  await waitFor(onAll([a], good), 'good active');
  return { good, a };
}

export async function startGitopsWorld(): Promise<GitopsWorld> {
  const root = mkdtempSync(join(tmpdir(), 'junction-gitops-'));
  const remote = join(root, 'remote.git');
  const cloneDir = join(root, 'work');
  await simpleGit().raw(['init', '--bare', '--quiet', '--initial-branch=main', remote]);
  await simpleGit().clone(remote, cloneDir);
  const clone = simpleGit(cloneDir);
  await clone.addConfig('user.email', 'test@junction.dev').addConfig('user.name', 'Test');
  await clone.raw(['checkout', '--quiet', '-B', 'main']);
  const nats = await startTestNatsServer();
  const target = await startFakeTarget();
  const nc: NatsConnection = await connect({ servers: nats.url });
  const kv = await new Kvm(jetstream(nc)).create(SPECS_BUCKET, { history: 1 });
  const processes: Process[] = [];
  let counter = 0;

  const world: GitopsWorld = {
    nats,
    target,
    remote,
    clone,
    cloneDir,
    kv,
    async commit(files, message) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(cloneDir, 'specs', path, '..'), { recursive: true });
        writeFileSync(join(cloneDir, 'specs', path), text);
      }
      await clone.add('.').commit(message);
      await clone.push('origin', 'main');
      return (await clone.revparse(['HEAD'])).trim();
    },
    async startProcess(options = {}) {
      const id = `proc-${++counter}`;
      const process = await startSyncedProcess({
        ...options,
        natsUrl: nats.url,
        remote,
        mirrorDir: join(root, `mirror-${id}`),
        id,
      });
      processes.push(process);
      return process;
    },
    async stopProcess(process) {
      processes.splice(processes.indexOf(process), 1);
      await process.sync.stop();
      await process.engine.stop();
    },
    async post(process, body) {
      const res = await fetch(`${process.engine.url}/hooks/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.text();
      return res.status;
    },
    async ledgerCommits() {
      const ledger = await new Kvm(jetstream(nc)).open('junction_ledger');
      const commits: string[] = [];
      for await (const key of await ledger.keys())
        commits.push((await ledger.get(key))!.json<{ commit: string }>().commit);
      return commits.sort();
    },
    async dispose() {
      for (const p of processes) {
        await p.sync.stop().catch(() => undefined);
        await p.engine.stop().catch(() => undefined);
      }
      await nc.close();
      await target.stop();
      await nats.dispose();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * The target connection of the fake target, as a spec file. Its timeout is long: the fake target answers at once, and
 * a 2 s timeout ran out at a load of 30, sent the write again and failed the tests that count requests.
 */
export function targetConnection(url: string): string {
  return `apiVersion: junction/v1\nkind: Connection\nname: target\ntype: target\nbase_url: ${url}\ntimeout: 15s\n`;
}
