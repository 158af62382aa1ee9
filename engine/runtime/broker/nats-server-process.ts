/**
 * Starts and stops a local `nats-server` with JetStream: the embedded default of `junction run` and the test
 * harness both use it, so the tests exercise the same launch path users get.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { access, mkdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A running nats-server child process. */
export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly pid: number;
  /** Asks the server to shut down (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** Sends a signal (SIGKILL for crash tests) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

interface NatsServerOptions {
  storeDir: string;
  /** Port to listen on. @default a free loopback port */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Path of the binary. @default `nats-server` found on PATH (or /usr/sbin, /usr/local/bin) */
  binary?: string;
  /** How long to wait for "Server is ready". @default 10000 */
  readyTimeoutMs?: number;
  /** Extra command-line arguments. */
  args?: string[];
  /**
   * Stop the server when this process dies, even by SIGKILL (which runs no exit handler): a watchdog shell holds a
   * pipe from this process and stops the server when the pipe closes. The server also gets its own session, so a
   * terminal's Ctrl-C reaches only this process, which drains before it stops the server. @default false
   */
  dieWithParent?: boolean;
}

/** Raised when no nats-server binary can be found; the message says how to install one. */
export class NatsServerNotFoundError extends Error {
  override name = 'NatsServerNotFoundError';
  constructor() {
    super(
      'nats-server was not found on PATH. Junction embeds a private NATS JetStream server when no --nats URL is given.\n' +
        '  Debian/Ubuntu:  sudo apt-get install nats-server\n' +
        '  macOS:          brew install nats-server\n' +
        '  Container:      docker run -p 4222:4222 nats:2 -js   (then pass --nats nats://127.0.0.1:4222)\n' +
        'Or point Junction at an existing cluster with --nats or JUNCTION_NATS_URL.',
    );
  }
}

/** Finds the nats-server binary on PATH, then in the usual system directories (Debian installs to /usr/sbin). */
async function findNatsServer(): Promise<string | undefined> {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/local/bin',
    '/opt/homebrew/bin',
  ];
  for (const dir of dirs.filter(Boolean)) {
    const candidate = join(dir, 'nats-server');
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

/** A port that was free a moment ago (bind to 0, read it, release it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * nats-server's GOGC when the user set neither GOGC nor GOMEMLIMIT: its heap is small (tens of MB), and at Go's
 * default of 100 a share of its CPU per event goes to garbage collection (docs/performance.md, "nats-server GOGC,
 * session 16"). The user's own setting wins.
 */
export const NATS_SERVER_GOGC = '200';

/** The environment nats-server starts with: this process's, plus GOGC unless the user tuned Go's GC themselves. */
function natsServerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  if (env.GOGC !== undefined || env.GOMEMLIMIT !== undefined) return env;
  return { ...env, GOGC: NATS_SERVER_GOGC };
}

/** Starts nats-server with JetStream on loopback and resolves once it logs "Server is ready". */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServerProcess> {
  const binary = options.binary ?? (await findNatsServer());
  if (!binary) throw new NatsServerNotFoundError();
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  await mkdir(options.storeDir, { recursive: true });
  const child = spawn(
    binary,
    ['-a', host, '-p', String(port), '-js', '-sd', options.storeDir, ...(options.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: !!options.dieWithParent, env: natsServerEnv() },
  );
  const watchdog = options.dieWithParent && child.pid ? startParentWatchdog(child.pid) : undefined;
  await waitReady(child, options.readyTimeoutMs ?? 10_000).catch((error: unknown) => {
    watchdog?.kill('SIGKILL');
    throw error;
  });
  const exited = new Promise<void>((resolve) =>
    child.exitCode !== null ? resolve() : child.once('exit', () => resolve()),
  );
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    // The watchdog goes first: once the server is gone its pid may be reused, and the watchdog would signal that.
    watchdog?.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url: `nats://${host}:${port}`,
    port,
    storeDir: options.storeDir,
    pid: child.pid ?? -1,
    kill,
    stop: async () => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await kill('SIGTERM');
      clearTimeout(timer);
    },
  };
}

/**
 * A shell that waits for EOF on a pipe whose write end only this process holds (Node opens it close-on-exec, so no
 * other child inherits it), then stops `pid`: the kernel closes the pipe when this process dies, however it dies.
 * Node has no PR_SET_PDEATHSIG, and a shell is lighter than a second Node process.
 */
function startParentWatchdog(pid: number): ChildProcess {
  const script = 'read _; kill -TERM "$0" 2>/dev/null; sleep 5; kill -KILL "$0" 2>/dev/null';
  const watchdog = spawn('/bin/sh', ['-c', script, String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  // Neither keeps the engine's event loop alive: the engine stops the server itself on a graceful stop.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  watchdog.on('error', () => undefined);
  return watchdog;
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(
      () => fail(new Error(`nats-server did not become ready in ${timeoutMs} ms:\n${log.slice(-2000)}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        cleanup();
        // Keep draining stderr so the server never blocks on a full pipe.
        child.stderr?.resume();
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`nats-server exited (code ${code}) before it was ready:\n${log.slice(-2000)}`));
    const cleanup = () => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', fail);
    };
    function fail(error: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', fail);
  });
}
