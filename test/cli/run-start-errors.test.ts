/**
 * `junction run` that cannot start because of where it was pointed: a port another process holds, a NATS URL where
 * no server answers. Each is a usage error (exit 2) naming the flag, the address and what to do, not a stack trace.
 * The real command in a child process, a real nats-server.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { TARGET_CONNECTION } from '../runtime/helpers/vendor-engine.js';
import { runCli } from './run-cli.js';

let nats: TestNatsServer;
let dir: string;
let busy: Server;
let busyPort: number;
let stopCommand = new AbortController();
// Each test starts the real command from source and has 120 s: at a load of 27 on 2 cores its imports and spec
// compile alone took 51-57 s before it got to NATS or its ports (21-29 s to refuse --poll-pages 0).
beforeAll(async () => {
  nats = await startTestNatsServer();
  dir = await mkdtemp(join(tmpdir(), 'junction-start-'));
  await writeFile(join(dir, 'target.yaml'), TARGET_CONNECTION.replace('${env:TARGET_URL}', 'https://example.com'));
  await writeFile(join(dir, 'orders.yaml'), integrationYaml({ put: {} }));
  busy = createServer();
  busyPort = await new Promise<number>((resolve) =>
    busy.listen(0, '127.0.0.1', () => resolve((busy.address() as { port: number }).port)),
  );
}, 60_000);
// A command still starting when its test ends (a timeout) is killed: left running, it would take the ports it was
// given once they came free and stay there as an engine.
afterEach(() => {
  stopCommand.abort();
  stopCommand = new AbortController();
});
afterAll(async () => {
  await new Promise((resolve) => busy?.close(resolve));
  await nats?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const run = (...args: string[]) =>
  runCli(['run', '.', ...args], { cwd: dir, env: { JUNCTION_NATS_URL: '' }, signal: stopCommand.signal });

/** A loopback port where nothing listens (taken from the OS, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
  await new Promise((resolve) => server.close(resolve));
  return port;
}

it('a port another process holds: which flag, which address, and what to do', async () => {
  // --operator-port 0: the operator listener never touches a fixed port (its default, 8081) whatever happens.
  const { code, stderr } = await run(
    '--nats',
    nats.url,
    '--host',
    '127.0.0.1',
    '--port',
    String(busyPort),
    '--operator-port',
    '0',
  );
  expect(code).toBe(2);
  expect(stderr.split('\n').filter((l) => l.startsWith('junction:'))).toEqual([
    `junction: --port ${busyPort}: 127.0.0.1:${busyPort} is in use by another process; stop it, or pass another --port`,
  ]);
  expect(stderr).not.toContain('    at ');
}, 120_000);

it('a NATS URL where no server answers: the URL, why, and what to do', async () => {
  // Its own port: closing the busy one here would free it for the previous test's command if that one were still
  // starting.
  const nowhere = `nats://127.0.0.1:${await closedPort()}`;
  const { code, stderr } = await run('--nats', nowhere, '--port', '0', '--operator-port', '0');
  expect(code).toBe(2);
  expect(stderr.split('\n').filter((l) => l.startsWith('junction:'))).toEqual([
    `junction: cannot connect to NATS at ${nowhere} (connection refused): start nats-server there, or pass the ` +
      'right --nats (or $JUNCTION_NATS_URL)',
  ]);
  expect(stderr).not.toContain('    at ');
}, 120_000);

it('a page limit for polls that is not a positive whole number: the flag, the value, and what it must be', async () => {
  const { code, stderr } = await run('--nats', nats.url, '--port', '0', '--operator-port', '0', '--poll-pages', '0');
  expect(code).toBe(2);
  expect(stderr.split('\n').filter((l) => l.startsWith('junction:'))).toEqual([
    'junction: --poll-pages must be a positive whole number, got "0"',
  ]);
}, 120_000);

it('a headers timeout longer than the request timeout: both flags, and why', async () => {
  const { code, stderr } = await run(
    ...['--nats', nats.url, '--port', '0', '--operator-port', '0'],
    ...['--headers-timeout', '40s', '--request-timeout', '30s'],
  );
  expect(code).toBe(2);
  expect(stderr.split('\n').filter((l) => l.startsWith('junction:'))).toEqual([
    'junction: --headers-timeout (40s) must not be longer than --request-timeout (30s): the request timeout counts ' +
      'the headers too',
  ]);
}, 120_000);

it('--repo naming a local folder that is not a Git repository yet: what it is, and the two ways on', async () => {
  // A spec folder before `git init` (as `junction init` leaves it): without the check the engine ran on no specs,
  // git's refusal only in its log.
  const { code, stderr } = await runCli(['run', '--repo', '.', '--port', '0', '--operator-port', '0'], {
    cwd: dir,
    env: { JUNCTION_NATS_URL: nats.url },
    signal: stopCommand.signal,
  });
  expect({ code, stderr }).toEqual({
    code: 2,
    stderr:
      `junction: --repo .: ${dir} is not a Git repository; create it (git init, then commit the specs on main), or ` +
      'run without --repo to serve a spec directory as it is\n',
  });
}, 120_000);
