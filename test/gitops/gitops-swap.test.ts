/**
 * Swap semantics and lease takeover with real processes, against real git and a real nats-server: a removed
 * integration stops consuming, keeps its stream data and is reported, and a `git revert` brings it back, delivering
 * the kept event exactly once with the commit it started with; a lease holder SIGKILLed mid-compile is taken over.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import type { LedgerEntry } from '../../engine/runtime/stores/delivery-ledger.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_PREFIX, EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { onAll, ordersSpec, startGitopsWorld, statusOf, targetConnection } from './gitops-harness.js';
import type { GitopsWorld } from './gitops-harness.js';
import { spawnGitopsChild } from './gitops-child.js';
import type { LeaseHolderConfig } from './lease-holder-main.js';

const LEASE_HOLDER_MAIN = fileURLToPath(new URL('./lease-holder-main.ts', import.meta.url));

let world: GitopsWorld | undefined;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
  await world?.dispose();
  world = undefined;
});

const ORDERS = integrationYaml({ owns: '  - { connection: target, object: record, fields: ["*"] }' });
const REFUNDS = integrationYaml({
  name: 'refunds',
  steps: `  - id: create\n    connection: target\n    operation: records.create\n    body: '{ "key": "r" & $string(id) }'`,
  owns: '  - { connection: target, object: entry, fields: ["*"] }',
  maxAttempts: 100,
  initial: '100ms',
  max: '100ms',
});

async function pushed(w: GitopsWorld, message: string): Promise<string> {
  await w.clone.add('.').commit(message);
  await w.clone.push('origin', 'main');
  return (await w.clone.revparse(['HEAD'])).trim();
}

/** Events of one integration that the stream still holds (a WorkQueue stream drops an event once it is acked). */
async function heldEvents(natsUrl: string, integration: string): Promise<number> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const info = await (
      await jetstreamManager(nc)
    ).streams.info(EVENTS_STREAM, { subjects_filter: `${EVENTS_PREFIX}.${integration}.*` });
    return Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  } finally {
    await nc.close();
  }
}

async function ledgerEntry(natsUrl: string, integration: string, eventId: string): Promise<LedgerEntry | undefined> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const kv = await new Kvm(jetstream(nc)).open(BUCKET_NAMES.ledger);
    return (await kv.get(DeliveryLedger.key(integration, `${integration}:${eventId}`)))?.json<LedgerEntry>();
  } finally {
    await nc.close();
  }
}

describe('gitops swap', () => {
  it('a removed integration stops consuming, keeps its stream data and is reported; git revert resumes it exactly once', async () => {
    world = await startGitopsWorld();
    const w = world;
    let refundsDown = true;
    w.target.fault = (r) => (refundsDown && r.key?.startsWith('r') ? { respond: { status: 503 } } : undefined);
    const first = await w.commit(
      { 'target.yaml': targetConnection(w.target.url), 'orders.yaml': ORDERS, 'refunds.yaml': REFUNDS },
      'orders and refunds',
    );
    const a = await w.startProcess();
    const b = await w.startProcess();
    await waitFor(onAll([a, b], first), 'first commit on both');
    const posted = await fetch(`${a.engine.url}/hooks/refunds`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 7, seq: 1 }),
    });
    expect(posted.status).toBe(202);
    const eventId = String(((await posted.json()) as { id: unknown }).id);
    await waitFor(() => w.target.requests.filter((r) => r.key === 'r7').length >= 2, 'the refund is being retried');

    rmSync(join(w.cloneDir, 'specs', 'refunds.yaml'));
    const removed = await pushed(w, 'remove refunds');
    expect(await a.sync.poll()).toBe('published');
    await waitFor(onAll([a, b], removed), 'removal on both');
    for (const p of [a, b])
      expect((await statusOf(p)).last_swap).toEqual({
        from: first,
        to: removed,
        added: [],
        changed: [],
        unchanged: ['orders'],
        removed: ['refunds'],
        keyChanged: [],
      });
    expect((await fetch(`${b.engine.url}/hooks/refunds`, { method: 'POST', body: '{"id":8,"seq":1}' })).status).toBe(
      404,
    );
    const printed = await junction('status', '--url', a.engine.operatorUrl!);
    expect(printed.stdout).toContain(`last swap       ${first} -> ${removed}; removed refunds (stream data kept)\n`);
    expect(
      JSON.parse((await junction('status', '--url', b.engine.operatorUrl!, '--format', 'json')).stdout),
    ).toMatchObject({
      last_swap: { from: first, to: removed, removed: ['refunds'] },
    });
    // The target recovers, but nobody consumes refunds any more: the event stays in the stream, undelivered, while
    // orders keep flowing.
    refundsDown = false;
    expect(await w.post(b, { id: 1, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => w.target.records.has('1'), 'orders still delivered');
    expect(await heldEvents(w.nats.url, 'refunds')).toBe(1);
    expect(w.target.records.has('r7')).toBe(false);

    await w.clone.raw(['revert', '--no-edit', 'HEAD']);
    await w.clone.push('origin', 'main');
    const reverted = (await w.clone.revparse(['HEAD'])).trim();
    expect(await b.sync.poll()).toBe('published');
    await waitFor(onAll([a, b], reverted), 'revert on both');
    expect((await statusOf(a)).last_swap).toEqual({
      from: removed,
      to: reverted,
      added: ['refunds'],
      changed: [],
      unchanged: ['orders'],
      removed: [],
      keyChanged: [],
    });
    await waitFor(() => w.target.records.has('r7'), 'the kept refund delivered after the revert');
    await expectDrained(w.nats.url);
    expect(w.target.effectiveWrites.get('r7')).toBe(1);
    // It started under the first commit, so its retries kept that commit.
    expect(await ledgerEntry(w.nats.url, 'refunds', eventId)).toMatchObject({ status: 'delivered', commit: first });
  });

  it('names a changed record key in the swap report and junction status while an event is parked', async () => {
    world = await startGitopsWorld();
    const w = world;
    w.target.fault = (r) => (r.key === '1' ? { respond: { status: 503 } } : undefined);
    const first = await w.commit({ 'target.yaml': targetConnection(w.target.url), 'orders.yaml': ORDERS }, 'orders');
    const a = await w.startProcess();
    await waitFor(onAll([a], first), 'first commit');
    expect(await w.post(a, { id: 1, seq: 1, status: 'new' })).toBe(202);
    await waitFor(() => w.target.requests.filter((r) => r.key === '1').length >= 2, 'order 1 is being retried');

    const rekeyed = await w.commit(
      { 'orders.yaml': ORDERS.replace('key: $string(id)', 'key: \'"order-" & $string(id)\'') },
      'key orders by a prefixed id',
    );
    expect(await a.sync.poll()).toBe('published');
    await waitFor(onAll([a], rekeyed), 'the new key applied');
    expect((await statusOf(a)).last_swap).toEqual({
      from: first,
      to: rekeyed,
      added: [],
      changed: ['orders'],
      unchanged: [],
      removed: [],
      keyChanged: ['orders'],
    });
    const printed = await junction('status', '--url', a.engine.operatorUrl!);
    expect(printed.stdout).toContain(
      `last swap       ${first} -> ${rekeyed}; changed orders; ` +
        "key changed orders (draining: newer events wait behind the old key's)\n",
    );
  });

  it('takes over the compile lease from a holder process SIGKILLed while it publishes', async () => {
    world = await startGitopsWorld();
    const w = world;
    const head = await w.commit(
      {
        'target.yaml': targetConnection(w.target.url),
        'orders.yaml': ordersSpec('{ "key": $string(id), "seq": seq, "status": status }'),
      },
      'v1',
    );
    const mirrorDir = mkdtempSync(join(tmpdir(), 'junction-lease-holder-'));
    cleanup.push(() => rmSync(mirrorDir, { recursive: true, force: true }));
    const config: LeaseHolderConfig = {
      natsUrl: w.nats.url,
      repo: w.remote,
      mirrorDir,
      holder: 'doomed',
      leaseMs: 1_500,
      // Renewing its lease until the SIGKILL: one stuck in the compile (no renewals) lost it 1.5 s after taking it,
      // and the survivor's start (its first poll included) took 0.6-1 s of that at load 14; a slower start found the
      // lease run out and published, so the refusal below depended on the start's speed.
      hangIn: 'tree',
    };
    const child = spawnGitopsChild(LEASE_HOLDER_MAIN, 'JUNCTION_TEST_LEASE_HOLDER', config);
    cleanup.push(() => child.kill().then(() => undefined));
    await child.until(() => child.stdout().includes('reading the tree'), 'the holder starts publishing');
    expect((await w.kv.get('lease'))!.json<{ holder: string; commit: string }>()).toMatchObject({
      holder: 'doomed',
      commit: head,
    });

    const a = await w.startProcess();
    expect(await a.sync.poll()).toBe('leased');
    expect(await child.kill()).toBe('SIGKILL');
    const outcomes: (string | undefined)[] = [];
    await waitFor(
      async () => (outcomes.push(await a.sync.poll()), a.engine.specSet.commit === head),
      'compiled and applied by the survivor',
    );
    // Refused while the dead holder's lease lived, then published exactly once.
    const published = outcomes.indexOf('published');
    expect(outcomes.slice(0, published).every((o) => o === 'leased')).toBe(true);
    expect(outcomes.slice(published + 1).every((o) => o === 'current')).toBe(true);
    expect(published).toBeGreaterThanOrEqual(0);
    expect(await statusOf(a)).toMatchObject({ active_commit: head, rejected: [] });
  });
});
