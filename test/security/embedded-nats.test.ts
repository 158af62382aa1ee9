/**
 * #14 item 6, the embedded nats-server: generated credentials in 0600 files under `.junction/`, an unauthenticated
 * client refused; one server per store behind a lock; the server dies with its engine, SIGKILL included; a server
 * left by an engine whose watchdog died too is stopped by the next start; the CLI finds the credentials by itself.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { startEmbeddedNats, resolveNatsTarget } from '../../engine/runtime/broker/embedded-nats.js';
import { startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import { StoreInUseError, isAlive } from '../../engine/runtime/broker/store-lock.js';
import { startEngine } from '../../engine/runtime/engine.js';
import { JUNCTION_ARGS, runCli } from '../cli/run-cli.js';
import { httpTestInvoker } from '../runtime/helpers/http-invoker.js';
import { TEST_TUNING, testLogger, waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { Cleanup, specDir } from './helpers/spec-dir.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const SPECS = {
  'target.yaml': 'apiVersion: junction/v1\nkind: Connection\nname: target\ntype: http\nbase_url: https://example.com\n',
  'orders.yaml': integrationYaml({ put: {}, schemaDefaults: true }),
};

interface EmbeddedState {
  url: string;
  user: string;
  pass: string;
  pid: number;
}

const state = (dir: string) => JSON.parse(readFileSync(join(dir, '.junction', 'nats.json'), 'utf8')) as EmbeddedState;
const mode = (path: string) => statSync(path).mode & 0o777;
/** Every running nats-server whose command line names this store (a zombie has none). */
const serversOn = (storeDir: string) =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => cmdline(pid).includes('nats-server') && cmdline(pid).includes(storeDir));

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

it('refuses clients without the generated credentials, keeps them 0600, and allows one server per store', async () => {
  const root = specDir(cleanup, {});
  const server = await startEmbeddedNats(root);
  cleanup.push(() => server.stop());
  const dir = join(root, '.junction');
  expect(mode(join(dir, 'nats.json'))).toBe(0o600);
  expect(mode(join(dir, 'nats.conf'))).toBe(0o600);
  expect(mode(join(dir, 'nats'))).toBe(0o700);
  const { url, user, pass, pid } = state(root);
  expect([url, user, pid]).toEqual([server.url, 'junction', server.pid]);
  expect(pass).toMatch(/^[\w-]{32}$/);
  // The password is in no command line another local account can read with `ps`.
  expect(cmdline(server.pid)).not.toContain(pass);

  await expect(connect({ servers: url, noAsyncTraces: true, reconnect: false })).rejects.toThrow(
    /Authorization Violation/i,
  );
  await expect(connect({ servers: url, user, pass: 'guessed', noAsyncTraces: true, reconnect: false })).rejects.toThrow(
    /Authorization Violation/i,
  );
  const target = (await resolveNatsTarget(undefined, root))!;
  expect(target).toEqual({ url, options: { user, pass } });
  // Named by its URL (`--nats nats://127.0.0.1:…`), the embedded server still gets its credentials.
  expect(await resolveNatsTarget(url, root)).toEqual(target);
  const nc = await connect({ servers: url, ...target.options, noAsyncTraces: true });
  expect(nc.info?.jetstream).toBe(true);
  await nc.close();

  const second = startEmbeddedNats(root);
  await expect(second).rejects.toThrow(StoreInUseError);
  await expect(second).rejects.toThrow(`another junction run (pid ${process.pid}) owns the embedded NATS server`);
  expect(serversOn(join(dir, 'nats'))).toEqual([server.pid]);
  await server.stop();
  expect(existsSync(join(dir, 'nats.json'))).toBe(false);
  expect(existsSync(join(dir, 'nats.lock'))).toBe(false);
});

it('stops the server a SIGKILLed engine left behind when its watchdog died too, and takes over the stale lock', async () => {
  const root = specDir(cleanup, {});
  const dir = join(root, '.junction');
  const storeDir = join(dir, 'nats');
  // What a dead engine leaves: its server (no watchdog), its state file, and a lock naming a pid that is gone.
  const orphan = await startNatsServer({ storeDir });
  cleanup.push(() => orphan.kill());
  const dead = spawn('true');
  await new Promise((r) => dead.once('exit', r));
  await writeFile(join(dir, 'nats.lock'), `${dead.pid}\n`);
  await writeFile(
    join(dir, 'nats.json'),
    JSON.stringify({ url: orphan.url, user: 'junction', pass: 'x', pid: orphan.pid }),
  );

  const server = await startEmbeddedNats(root);
  cleanup.push(() => server.stop());
  expect(serversOn(storeDir)).toEqual([server.pid]);
  expect((await readFile(join(dir, 'nats.lock'), 'utf8')).trim()).toBe(String(process.pid));
});

it('a start that fails half-way (its port in use) leaves no server or lock behind, so a retry starts one', async () => {
  const root = specDir(cleanup, {});
  const storeDir = join(root, '.junction', 'nats');
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => busy.close(r)));
  const start = (port: number) =>
    startEngine({
      specSet: compileRuntimeSpecs('http://127.0.0.1:9', [integrationYaml()]),
      invoker: httpTestInvoker,
      embeddedRoot: root,
      port,
      host: '127.0.0.1',
      operator: { port: 0 },
      tuning: TEST_TUNING,
      logger: testLogger(),
    });
  await expect(start((busy.address() as { port: number }).port)).rejects.toThrow(/EADDRINUSE/);
  expect(serversOn(storeDir)).toEqual([]);
  expect(existsSync(join(root, '.junction', 'nats.lock'))).toBe(false);

  const engine = await start(0);
  cleanup.push(() => engine.stop());
  expect(serversOn(storeDir)).toEqual([state(root).pid]);
});

it('a real `junction run`: a second run on the store is refused, the CLI connects by itself, SIGKILL takes the server down', async () => {
  const dir = specDir(cleanup, SPECS);
  const run = (extra: string[] = []) =>
    spawn(process.execPath, [...JUNCTION_ARGS, 'run', '.', '--port', '0', '--operator-port', '0', ...extra], {
      cwd: dir,
      env: { ...process.env, JUNCTION_NATS_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  const engine = run();
  let stderr = '';
  engine.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => engine.once('exit', r));
  cleanup.push(async () => {
    if (engine.exitCode === null && engine.signalCode === null) engine.kill('SIGKILL');
    await exited;
  });
  await waitWhileRunning(
    engine,
    () => stderr.includes('engine running'),
    () => `engine running; stderr:\n${stderr}`,
  );
  const { pid: serverPid } = state(dir);
  const storeDir = join(dir, '.junction', 'nats');
  expect(serversOn(storeDir)).toEqual([serverPid]);

  const again = await runCli(['run', '.', '--port', '0', '--operator-port', '0'], {
    cwd: dir,
    env: { JUNCTION_NATS_URL: '' },
  });
  expect(again.code).toBe(2);
  expect(again.stderr).toContain(`another junction run (pid ${engine.pid}) owns the embedded NATS server of`);
  expect(serversOn(storeDir)).toEqual([serverPid]);

  // dlq (cli-nats) and pause (cluster-connection) use the credentials in .junction/ without being told.
  const listed = await runCli(['dlq', 'list', '--json'], { cwd: dir, env: { JUNCTION_NATS_URL: '' } });
  expect([listed.code, listed.stdout.trim(), listed.stderr]).toEqual([0, '[]', '']);
  const paused = await runCli(['pause', 'orders', '--reason', 'test'], { cwd: dir, env: { JUNCTION_NATS_URL: '' } });
  expect([paused.code, paused.stderr]).toEqual([0, '']);

  engine.kill('SIGKILL');
  await exited;
  await waitFor(
    () => serversOn(storeDir).length === 0,
    'the embedded nats-server to exit after its engine was SIGKILLed',
    15_000,
  );
  expect(isAlive(serverPid) ? cmdline(serverPid) : '').toBe('');
}, 180_000);
