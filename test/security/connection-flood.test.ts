/**
 * A connection flood on the public listener: anyone who reaches the webhook port can open connections and keep them
 * (a keep-alive connection that sends a request now and then stays open for good). Each one is a file descriptor of
 * the engine process, and every descriptor the process has is shared by the operator listener and the calls to
 * targets. Found in the session-18 review: 264 idle connections to an engine with `ulimit -n 300` left the dashboard
 * unreachable and new target connections failing with EMFILE. The public listener keeps at most half the process's
 * descriptors, so the operator surface and deliveries keep the rest (docs/security.md).
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { MAX_PUBLIC_CONNECTIONS, publicConnectionCap } from '../../engine/runtime/ingest/connection-cap.js';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';
import { Cleanup, specDir } from './helpers/spec-dir.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The engine's descriptor limit (`ulimit -n`), and the connections the attacker opens: more than it has. */
const FD_LIMIT = 256;
const FLOOD = 320;

const specs = (targetPort: number) => ({
  'target.yaml':
    'apiVersion: junction/v1\nkind: Connection\nname: target\ntype: http\n' +
    `base_url: http://127.0.0.1:${targetPort}\n`,
  'orders.yaml': integrationYaml({ put: {}, schemaDefaults: true }),
});

/** A target that refuses (503, closing each connection, so a retry needs a new one) until told to accept. */
async function startTarget() {
  const received: { method: string; url: string; body: string }[] = [];
  let accepting = false;
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (!accepting) return void res.writeHead(503, { connection: 'close' }).end();
      received.push({ method: req.method!, url: req.url!, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => new Promise((r) => server.close(r)).then(() => server.closeAllConnections()));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    accept: () => (accepting = true),
    answered: () => received.length,
  };
}

/**
 * Opens `count` connections that each send one request and keep the connection (keep-alive): resolves once every one
 * was answered (it stays open) or closed by the engine, so the engine has taken every one it will take.
 */
async function holdConnections(port: number, count: number): Promise<{ held: () => number }> {
  const sockets: Socket[] = [];
  cleanup.push(() => sockets.forEach((s) => s.destroy()));
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((settled) => {
          const socket = connect(port, '127.0.0.1');
          sockets.push(socket);
          socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: engine\r\n\r\n'));
          socket.once('data', () => settled());
          socket.on('error', () => settled());
          socket.on('close', () => settled());
        }),
    ),
  );
  return { held: () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length };
}

it('keeps the operator listener and new target connections working while the webhook port is flooded', async () => {
  const nats = await startTestNatsServer();
  cleanup.push(() => nats.dispose());
  const target = await startTarget();
  const dir = specDir(cleanup, specs(target.port));
  const args = ['run', '.', '--port', '0', '--operator-port', '0', '--nats', nats.url];
  args.push('--allow-private-host', `127.0.0.1:${target.port}`);
  const engine = spawn('prlimit', [`--nofile=${FD_LIMIT}:${FD_LIMIT}`, process.execPath, ...JUNCTION_ARGS, ...args], {
    cwd: dir,
    env: { ...process.env, JUNCTION_NATS_URL: '', JUNCTION_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  engine.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((r) => engine.once('exit', r));
  cleanup.push(async () => {
    if (engine.exitCode === null && engine.signalCode === null) engine.kill('SIGKILL');
    await exited;
  });
  const urls = /webhooks at (http:\/\/[\d.:]+)\/hooks\/, dashboard at (http:\/\/[\d.:]+)\//;
  await waitWhileRunning(
    engine,
    () => urls.test(stderr),
    () => `engine running; stderr:\n${stderr}`,
  );
  const [, hooks, dashboard] = urls.exec(stderr)!;

  // An event the target refuses for now: each retry opens a new connection to it.
  const stored = await rawRequest(`${hooks}/hooks/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: '{"id": 7}',
  });
  expect(stored.status).toBe(202);

  const flood = await holdConnections(Number(new URL(hooks).port), FLOOD);

  const status = await rawRequest(`${dashboard}/api/status`).catch((error: Error) => error.message);
  expect(typeof status === 'string' ? status : status.status).toBe(200);

  target.accept();
  await waitFor(
    () => target.answered() > 0,
    () => `the target to get the event; engine stderr:\n${stderr}`,
    60_000,
  );
  expect(target.received).toEqual([{ method: 'PUT', url: '/records/7', body: '{"key":"7"}' }]);
  // The listener took connections up to its cap (half the descriptors) and closed the rest at once.
  expect(flood.held()).toBeLessThanOrEqual(FD_LIMIT / 2);
}, 180_000);

it('sizes the cap from the descriptor limit in /proc/self/limits', () => {
  const limits = (soft: string) =>
    `Limit                     Soft Limit           Hard Limit           Units\n` +
    `Max open files            ${soft}                1048576              files\n`;
  expect(publicConnectionCap(limits('1024'))).toBe(512);
  expect(publicConnectionCap(limits('1048576'))).toBe(MAX_PUBLIC_CONNECTIONS);
  expect(publicConnectionCap(limits('unlimited'))).toBe(MAX_PUBLIC_CONNECTIONS);
  // No limits to read (not Linux): passing undefined would read this process's own /proc/self/limits instead.
  expect(publicConnectionCap('')).toBe(4096);
  expect(publicConnectionCap('Limit                     Soft Limit\n')).toBe(4096);
});
