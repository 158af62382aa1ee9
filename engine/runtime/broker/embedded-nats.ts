/**
 * The embedded default: with no NATS URL configured, `junction run` starts a private nats-server with JetStream on a
 * free loopback port, storing in `.junction/nats`. It is secured like any other deployment: a user and password
 * generated at each start (in `.junction/nats.conf` for the server and `.junction/nats.json` for clients, both 0600),
 * so another local account cannot read the dead letters or rewrite the running specs. One server per store (a lock),
 * and it dies with its engine, SIGKILL included; a server left over from an engine that died before its watchdog
 * could act is stopped by the next start.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { startNatsServer } from './nats-server-process.js';
import type { NatsServerProcess } from './nats-server-process.js';
import { acquireStoreLock, isAlive } from './store-lock.js';

const EMBEDDED_DIR = '.junction';

/** Where a client finds a NATS server: the URL and what to connect with (the embedded server's credentials). */
interface NatsTarget {
  url: string;
  options: Partial<NodeConnectionOptions>;
}

/** `.junction/nats.json`: what clients of the embedded server need, and the pid a next start checks. */
interface EmbeddedState {
  url: string;
  user: string;
  pass: string;
  pid: number;
}

/** A running embedded server with the options its clients connect with. */
interface EmbeddedNats extends NatsServerProcess {
  readonly connectOptions: Partial<NodeConnectionOptions>;
}

const USER = 'junction';

/** Starts the embedded server under `<root>/.junction`. Throws NatsServerNotFoundError when the binary is missing. */
export async function startEmbeddedNats(root = process.cwd()): Promise<EmbeddedNats> {
  const dir = resolve(root, EMBEDDED_DIR);
  await mkdir(dir, { recursive: true });
  const release = await acquireStoreLock(join(dir, 'nats.lock'), dir);
  try {
    const storeDir = join(dir, 'nats');
    await stopLeftoverServer(dir, storeDir);
    // The store holds every event and dead letter: readable by this account only (nats-server's default is 0750).
    await mkdir(storeDir, { recursive: true, mode: 0o700 });
    await chmod(storeDir, 0o700);
    const pass = randomBytes(24).toString('base64url');
    const config = join(dir, 'nats.conf');
    await writePrivate(config, `authorization {\n  user: "${USER}"\n  password: "${pass}"\n}\n`);
    const server = await startNatsServer({ storeDir, args: ['-c', config], dieWithParent: true });
    const state: EmbeddedState = { url: server.url, user: USER, pass, pid: server.pid };
    await writePrivate(join(dir, 'nats.json'), `${JSON.stringify(state, null, 2)}\n`);
    return {
      ...server,
      connectOptions: { user: USER, pass },
      stop: async () => {
        await rm(join(dir, 'nats.json'), { force: true });
        await server.stop();
        await rm(config, { force: true });
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/**
 * The NATS server to use: explicit, then JUNCTION_NATS_URL, then the embedded server of a `junction run` in `root`.
 * The embedded server's credentials come with its URL however it was named.
 */
export async function resolveNatsTarget(
  explicit: string | undefined,
  root = process.cwd(),
): Promise<NatsTarget | undefined> {
  const embedded = await readState(resolve(root, EMBEDDED_DIR));
  const url = explicit || process.env.JUNCTION_NATS_URL || embedded?.url;
  if (!url) return undefined;
  return { url, options: embedded && url === embedded.url ? { user: embedded.user, pass: embedded.pass } : {} };
}

/** What a command that needs NATS says when `resolveNatsTarget` found none: where it looked, and the three ways. */
export function noNatsTargetMessage(root = process.cwd()): string {
  const dir = resolve(root, EMBEDDED_DIR);
  // The store is there but no server: an engine ran here and stopped (its nats-server stops with it).
  if (existsSync(join(dir, 'nats')))
    return (
      `no NATS URL: the embedded nats-server of \`junction run\` in ${resolve(root)} is not running (it runs only ` +
      `while that engine does; its data stays in ${join(dir, 'nats')}): start \`junction run\` there again, or pass ` +
      '--nats <url> or set JUNCTION_NATS_URL for another server'
    );
  return (
    'no NATS URL: pass --nats <url>, set JUNCTION_NATS_URL, or run this in the directory where `junction run` runs ' +
    `with its embedded server (there is no ${join(resolve(root, EMBEDDED_DIR), 'nats.json')})`
  );
}

async function readState(dir: string): Promise<EmbeddedState | undefined> {
  const text = await readFile(join(dir, 'nats.json'), 'utf8').catch(() => undefined);
  if (!text) return undefined;
  try {
    return JSON.parse(text) as EmbeddedState;
  } catch {
    return undefined;
  }
}

/** Stops the server a dead engine left behind, if that pid still runs nats-server on this store. */
async function stopLeftoverServer(dir: string, storeDir: string): Promise<void> {
  const previous = await readState(dir);
  // The pid may be reused by now: only a nats-server on this very store is stopped. A zombie has no command line.
  const running = async () => isAlive(previous!.pid) && (await commandLine(previous!.pid)).includes(storeDir);
  if (!previous || !(await running())) return;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(previous.pid, name);
    } catch {
      // Gone in the meantime.
    }
  };
  signal('SIGTERM');
  for (let waited = 0; await running(); waited += 100) {
    if (waited === 5_000) signal('SIGKILL');
    if (waited >= 10_000) throw new Error(`the nats-server left on ${storeDir} (pid ${previous.pid}) does not stop`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A process's command line: /proc on Linux (slim images have no `ps`), else `ps`; empty when it cannot be read. */
async function commandLine(pid: number): Promise<string> {
  const proc = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (proc !== undefined) return proc.replaceAll('\0', ' ');
  const ps = await promisify(execFile)('ps', ['-o', 'args=', '-p', String(pid)]).catch(() => undefined);
  return ps?.stdout ?? '';
}

/** Creates `path` readable by this account only (an existing file is replaced, so its mode is ours). */
async function writePrivate(path: string, text: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, text, { mode: 0o600, flag: 'wx' });
}
