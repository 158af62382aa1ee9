/**
 * One leader per source: two real `junction run` processes on one nats-server run the same specs, a Salesforce
 * Change Data Capture stream and a Magento poll. Only the lease holder subscribes and polls, and both dashboards'
 * status says which engine that is. SIGKILL the leader: the other engine takes both sources over once the lease
 * runs out and resumes from the stored replay id and cursor, with 0 lost and 0 written twice.
 */
import { afterEach, expect, it } from 'vitest';
import { brokerBacklog, waitFor, waitWhileRunning } from './helpers/runtime-harness.js';
import { countBy } from './helpers/vendor-engine.js';
import { startVendorProcesses } from './helpers/vendor-processes.js';
import type { JunctionProcess, VendorProcesses } from './helpers/vendor-processes.js';

let v: VendorProcesses | undefined;
afterEach(async () => {
  await v?.dispose();
  v = undefined;
});

const SOURCES = ['account-changes', 'magento-orders'];

interface Leaders {
  [integration: string]: { holder: string; self: boolean } | undefined;
}

/** The dashboard's status API of a running process: who leads each source. */
async function leaders(p: JunctionProcess): Promise<Leaders> {
  const operator = /dashboard at (http:\/\/\S+?)\/ /.exec(p.stderr())![1];
  const status = (await (await fetch(`${operator}/api/status`)).json()) as {
    integrations: { name: string; leader?: { holder: string; self: boolean } }[];
  };
  return Object.fromEntries(status.integrations.map((i) => [i.name, i.leader]));
}

const running = (p: JunctionProcess) => p.stderr().includes('engine running');
async function leadsAll(p: JunctionProcess): Promise<boolean> {
  if (!running(p)) return false;
  const led = await leaders(p);
  return SOURCES.every((source) => led[source]?.self === true);
}

it('two engines: one subscribes and polls, the other takes over when it is killed; 0 lost, 0 duplicates', async () => {
  v = await startVendorProcesses();
  const { sf, target, order, account, stored } = v;
  let made = 0;
  const make = (count: number) => {
    for (const end = made + count; made < end; made++) {
      order(4000 + made, 'processing');
      account(made);
    }
  };
  const putsPerRecord = (collection: string) =>
    countBy(
      target.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(`/${collection}/`)).map((r) => ({ ...r })),
      'path',
    );
  const settled = async (n: number) =>
    stored('orders').size === n &&
    stored('accounts').size === n &&
    Object.values(await brokerBacklog(v!.nats.url)).every((x) => x === 0);
  make(20);

  // The first engine leads both sources before the second starts.
  const first = v.run('--source-lease', '2s');
  await waitWhileRunning(
    first.child,
    () => leadsAll(first),
    () => `the first engine leads (${first.stderr()})`,
  );
  const second = v.run('--source-lease', '2s');
  await waitWhileRunning(
    second.child,
    () => running(second),
    () => `the second engine runs (${second.stderr()})`,
  );
  const [byFirst, bySecond] = [await leaders(first), await leaders(second)];
  for (const source of SOURCES) {
    expect(bySecond[source]).toEqual({ holder: byFirst[source]!.holder, self: false });
    expect(byFirst[source]!.holder).toContain(`_${first.child.pid}-`);
  }

  // Both running: every change is delivered exactly once, through one subscription.
  make(20);
  await waitFor(() => settled(40), 'the first 40 of each delivered', 60_000);
  expect(sf.pubsubSubscriptions()).toEqual({ open: 1, peak: 1 });
  for (const collection of ['orders', 'accounts']) {
    const puts = putsPerRecord(collection);
    expect(puts.size).toBe(40);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);
  }

  // The leader dies with its lease held; changes go on while no engine leads.
  first.child.kill('SIGKILL');
  await first.exit;
  const killedAt = Date.now();
  make(20);
  await waitFor(
    () => leadsAll(second),
    () => `the second engine takes over (${second.stderr()})`,
    30_000,
  );
  const takeoverMs = Date.now() - killedAt;
  await waitFor(
    () => settled(60),
    () => `all 60 of each delivered (${second.stderr()})`,
    60_000,
  );

  expect(sf.pubsubSubscriptions()).toEqual({ open: 1, peak: 1 });
  for (const collection of ['orders', 'accounts']) {
    const puts = putsPerRecord(collection);
    expect(puts.size).toBe(60);
    expect([...puts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }
  const names = [...stored('accounts').values()].map((a) => a.name);
  expect(new Set(names)).toEqual(new Set(Array.from({ length: 60 }, (_, n) => `Restart ${n}`)));
  // A figure, not an assertion: how long the sources had no leader (the lease TTL is 2 s).
  process.stdout.write(`source-leader: takeover ${takeoverMs} ms after the SIGKILL (lease 2000 ms)\n`);
}, 240_000);
