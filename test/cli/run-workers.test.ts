/**
 * `junction run --workers 2` as a user runs it: one primary with the embedded nats-server, two engine processes
 * sharing the webhook port, each delivering its half of the partitions (the partition group). Every event is delivered
 * once, and `/metrics` and `/api/status` count every worker's deliveries whichever worker answers; a SIGKILLed worker
 * is replaced, the replacement takes its half back, and its events are delivered; SIGTERM drains all and exits 0.
 */
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startFakeTarget } from '../runtime/helpers/fake-target.js';
import type { FakeTarget } from '../runtime/helpers/fake-target.js';
import { waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { JUNCTION_ARGS, runCli } from './run-cli.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The engine processes the primary forked (not its nats-server). */
function workerPids(primary: number): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(primary)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('junction.ts'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

/** The partition group's members by pid, as `/api/status` lists them (holder ids are `<host>_<pid>-<tag>`). */
async function membersByPid(operator: string): Promise<Map<number, number[]>> {
  const status = JSON.parse(await getText(`${operator}/api/status`)) as {
    partitionMembers?: { holder: string; partitions: number[] }[];
  };
  return new Map(
    (status.partitionMembers ?? []).map((m) => [Number(/_(\d+)-\w+$/.exec(m.holder)![1]), m.partitions] as const),
  );
}

/** Waits until the members are exactly `pids`, each pulling half of the 16 partitions. */
async function waitForHalves(operator: string, pids: number[]): Promise<Map<number, number[]>> {
  let members = new Map<number, number[]>();
  await waitFor(
    async () => {
      members = await membersByPid(operator).catch(() => new Map<number, number[]>());
      return (
        JSON.stringify([...members.keys()].sort()) === JSON.stringify([...pids].sort()) &&
        [...members.values()].every((ps) => ps.length === 8)
      );
    },
    () => `members ${JSON.stringify([...members])}, workers ${pids.join(', ')}`,
    60_000,
  );
  return members;
}

/** A GET on a connection of its own, so node:cluster may hand it to either worker (as it does a new scrape's). */
function getText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function specDir(target: FakeTarget): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-workers-'));
  await writeFile(
    join(dir, 'target.yaml'),
    `apiVersion: junction/v1\nkind: Connection\nname: target\ntype: http\nbase_url: ${target.url}\ntimeout: 5s\n`,
  );
  await writeFile(
    join(dir, 'orders.yaml'),
    integrationYaml({
      put: { body: '{ "key": $string(id), "seq": seq }' },
      maxAttempts: 5,
      initial: '50ms',
      max: '500ms',
      schemaDefaults: true,
    }),
  );
  return dir;
}

it('runs two engine processes that share the port and the partitions; a killed worker is replaced; SIGTERM drains all', async () => {
  const target = await startFakeTarget();
  cleanup.push(() => target.stop());
  const dir = await specDir(target);
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const [port, operatorPort] = [await freePort(), await freePort()];
  const args = ['run', '.', '--workers', '2', '--port', String(port), '--operator-port', String(operatorPort)];
  const primary = spawn(
    process.execPath,
    [...JUNCTION_ARGS, ...args, '--ack-wait', '2s', '--allow-private-host', new URL(target.url).host],
    { cwd: dir, env: { ...process.env, JUNCTION_NATS_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  primary.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
  cleanup.push(async () => {
    if (primary.exitCode === null) primary.kill('SIGKILL');
    await exited;
  });
  const running = () => stderr.split('engine running').length - 1;
  await waitWhileRunning(
    primary,
    () => running() >= 2,
    () => `two engines running; stderr:\n${stderr}`,
  );
  expect(existsSync(join(dir, '.junction', 'nats.json'))).toBe(true);
  const first = workerPids(primary.pid!);
  expect(first).toHaveLength(2);
  // Each delivers its own half of the partitions (the partition group, shown on the status).
  const operator = `http://127.0.0.1:${operatorPort}`;
  const halves = await waitForHalves(operator, first);
  expect([...halves.values()].flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, p) => p));

  const post = (id: number, seq: number) =>
    fetch(`http://127.0.0.1:${port}/hooks/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id, seq }),
    }).then((r) => r.status);
  const ids = Array.from({ length: 40 }, (_, i) => i + 1);
  expect(await Promise.all(ids.map((id) => post(id, 1)))).toEqual(ids.map(() => 202));
  await waitFor(() => ids.every((id) => target.records.get(String(id))?.seq === 1), 'first round delivered', 30_000);

  // Each worker delivered some of the 40; a scrape or a status read counts them all, whichever worker takes it (one
  // worker's own counts would jump between the workers' values, which Prometheus reads as counter resets).
  const delivered = /^junction_events_delivered_total\{integration="orders",outcome="delivered"\} (\d+)$/m;
  const scraped = async () => Number(delivered.exec(await getText(`${operator}/metrics`))?.[1]);
  const counted = async () => JSON.parse(await getText(`${operator}/api/status`)).integrations[0].counts.delivered;
  await waitFor(async () => (await scraped()) === 40, 'a scrape counting 40 deliveries', 30_000);
  for (let i = 0; i < 6; i++) expect([await scraped(), await counted()]).toEqual([40, 40]);

  // One worker dies: the primary starts another, and the second round is delivered in full.
  process.kill(first[0], 'SIGKILL');
  await waitWhileRunning(
    primary,
    () => running() >= 3,
    () => `a replacement engine running; stderr:\n${stderr}`,
  );
  expect(await Promise.all(ids.map((id) => post(id, 2)))).toEqual(ids.map(() => 202));
  await waitFor(() => ids.every((id) => target.records.get(String(id))?.seq === 2), 'second round delivered', 30_000);
  const second = workerPids(primary.pid!);
  expect(second).toHaveLength(2);
  expect(second).not.toContain(first[0]);
  // The replacement took its half: no partition is left without a worker.
  const after = await waitForHalves(operator, second);
  expect([...after.values()].flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, p) => p));
  for (const id of ids) expect(target.committedOrder.get(String(id))).toEqual([1, 2]);

  primary.kill('SIGTERM');
  expect(await exited).toBe(0);
  // Each worker ended on its own once drained (the primary kills one only past the drain timeout, and says so).
  expect(stderr).not.toContain('still running past the drain timeout');
  for (const pid of second) expect(() => process.kill(pid, 0)).toThrow();
  expect(existsSync(join(dir, '.junction', 'nats.json'))).toBe(false);
}, 180_000);

it('refuses --workers on a store another junction run owns with the reason, as a usage error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'junction-workers-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  // The embedded server's lock, held by a live process (this one), as a `junction run` here would hold it.
  await mkdir(join(dir, '.junction'));
  await writeFile(join(dir, '.junction', 'nats.lock'), `${process.pid}\n`);
  const { code, stdout, stderr } = await runCli(['run', '.', '--workers', '2'], {
    cwd: dir,
    env: { JUNCTION_NATS_URL: '' },
  });
  expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
  expect(stderr).toMatch(
    new RegExp(`^junction: another junction run \\(pid ${process.pid}\\) owns the embedded NATS server of .+\\n$`),
  );
});
