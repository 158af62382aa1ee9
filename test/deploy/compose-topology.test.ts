/**
 * The deployment of docs/deploy/compose.yaml, started without containers from the same files: its NATS services
 * run nats-server with docs/deploy/nats/nats.conf (client, route and monitoring ports rewritten to free loopback
 * ports, each service's route host to its port, the store in a temp dir), and its engine services run
 * `junction run` with exactly the compose file's command and environment (only the two listen ports added: every
 * container has its own 8080, this machine does not). A commit merged into the spec repository then goes live on
 * both engines, told by a signed push webhook as GitHub would.
 */
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePort, startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import type { NatsServerProcess } from '../../engine/runtime/broker/nats-server-process.js';
import { scaffoldSpecRepo } from '../../engine/cli/init/scaffold.js';
import { JUNCTION_ARGS, REPO_ROOT } from '../cli/run-cli.js';
import { waitForMetaLeader } from '../helpers/nats-cluster.js';
import { junction } from '../ops/cli-in-process.js';
import { waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';

const COMPOSE_FILE = join(REPO_ROOT, 'docs/deploy/compose.yaml');
const HOOK_SECRET = 'compose-test-hook-secret';

interface Service {
  image?: string;
  command: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: string[] | Record<string, unknown>;
}

const work = mkdtempSync(join(tmpdir(), 'junction-compose-'));
const stops: (() => Promise<unknown> | void)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** Compose's variable syntax: `${NAME}`, `${NAME:-default}`, `${NAME:?error}`. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, kind?: string, rest?: string) => {
    if (env[name] !== undefined) return env[name];
    if (kind === '-') return rest ?? '';
    throw new Error(`compose needs ${name}: ${rest ?? ''}`);
  });
}

/** Rewrites one line of the NATS config; fails when the line is not there (the config changed shape). */
function rewrite(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`nats.conf has no line matching ${pattern}`);
  return text.replace(pattern, replacement);
}

it('runs the compose topology: three NATS nodes (R3) and two engines; a merged commit goes live on both', async () => {
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
  const services = Object.entries(compose.services);
  const natsServices = services.filter(([, s]) => s.image?.startsWith('nats:'));
  const engineServices = services.filter(([, s]) => s.command[0] === 'run');
  expect(natsServices.map(([name]) => name)).toEqual(['nats-1', 'nats-2', 'nats-3']);
  expect(engineServices.map(([name]) => name)).toEqual(['engine-1', 'engine-2']);

  // The NATS cluster, from the config file the services mount.
  const ports = new Map<string, { client: number; route: number }>();
  for (const [name] of natsServices) ports.set(name, { client: await freePort(), route: await freePort() });
  const nats: NatsServerProcess[] = [];
  await Promise.all(
    natsServices.map(async ([name, service]) => {
      const configPath = service.command[service.command.indexOf('--config') + 1];
      const mount = service.volumes!.find((v) => v.split(':')[1] === configPath)!;
      let conf = readFileSync(join(dirname(COMPOSE_FILE), mount.split(':')[0]), 'utf8');
      for (const [key, value] of Object.entries(service.environment ?? {})) conf = conf.replaceAll(`$${key}`, value);
      const { client, route } = ports.get(name)!;
      conf = rewrite(conf, /^listen: .*$/m, `listen: 127.0.0.1:${client}`);
      conf = rewrite(conf, /^http: .*$/m, `http: 127.0.0.1:${await freePort()}`);
      conf = rewrite(conf, /^(\s+)listen: .*$/m, `$1listen: 127.0.0.1:${route}`);
      // the store is the -sd flag of startNatsServer, which nats-server refuses next to store_dir
      conf = rewrite(conf, /^\s+store_dir: .*$/m, '');
      for (const [peer, peerPorts] of ports) conf = conf.replaceAll(`//${peer}:6222`, `//127.0.0.1:${peerPorts.route}`);
      const file = join(work, `${name}.conf`);
      writeFileSync(file, conf);
      const server = await startNatsServer({ storeDir: join(work, name), port: client, args: ['-c', file] });
      nats.push(server);
      stops.push(() => server.stop());
    }),
  );
  const natsUrls = new Map([...ports].map(([name, p]) => [`nats://${name}:4222`, `nats://127.0.0.1:${p.client}`]));
  await waitForMetaLeader([...natsUrls.values()], 60_000);

  // The spec repository the engines follow: what `junction init` writes, committed on main.
  const repo = join(work, 'specs-repo');
  scaffoldSpecRepo(repo, { engineRepo: 'acme/junction' });
  const git = async (...args: string[]) => {
    const child = spawn('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    if (code !== 0) throw new Error(`git ${args.join(' ')} exited ${code}`);
    return out.trim();
  };
  await git('init', '-q', '-b', 'main');
  await git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'add', '.');
  await git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'specs');
  const first = await git('rev-parse', 'HEAD');

  // The engines, with the compose file's command and environment.
  const variables = {
    JUNCTION_SPEC_REPO: repo,
    JUNCTION_GIT_WEBHOOK_SECRET: HOOK_SECRET,
    JUNCTION_ALLOWED_SECRETS: 'ORDERS_API_*,SHOP_HOOK_SECRET',
  };
  // In the order of their depends_on: engine-2 waits until engine-1 is healthy (a rolling start).
  const dependsOn = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
  expect(dependsOn(engineServices[1][1])).toContain('engine-1');
  const engines: { name: string; webhooks: string; operator: string }[] = [];
  for (const [name, service] of engineServices)
    engines.push(
      await (async () => {
        const args = service.command.map((arg) =>
          interpolate(arg, variables).replace(/nats:\/\/nats-\d:4222/g, (url) => natsUrls.get(url)!),
        );
        const environment = Object.fromEntries(
          Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(v, variables)]),
        );
        const cwd = join(work, name);
        mkdirSync(cwd);
        const child = spawn(process.execPath, [...JUNCTION_ARGS, ...args, '--port', '0', '--operator-port', '0'], {
          cwd,
          env: { ...process.env, ...environment },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        const exited = new Promise((r) => child.on('close', r));
        stops.push(() => (child.exitCode === null ? (child.kill('SIGTERM'), exited) : undefined));
        let urls: RegExpExecArray | null = null;
        await waitWhileRunning(
          child,
          () => (urls = /webhooks at (http:\/\/\S+)\/hooks\/, dashboard at (http:\/\/\S+)\//.exec(stderr)) !== null,
          () => `${name} did not start:\n${stderr}`,
        );
        return { name, webhooks: urls![1], operator: urls![2].replace('0.0.0.0', '127.0.0.1') };
      })(),
    );
  for (const engine of engines) {
    expect((await fetch(`${engine.webhooks}/healthz`)).status).toBe(200);
    expect((await fetch(`${engine.webhooks}/readyz`)).status).toBe(200);
  }

  // The operator API needs sign-in (--operator-auth token): a viewer token, made on the cluster.
  const token = await junction(
    'token',
    'create',
    'compose-test',
    '--role',
    'viewer',
    '--nats',
    [...natsUrls.values()].join(','),
  );
  expect(token.code).toBe(0);
  const activeCommit = async (engine: { operator: string }) => {
    const response = await fetch(`${engine.operator}/api/status`, {
      headers: { authorization: `Bearer ${token.stdout.trim()}` },
    });
    return ((await response.json()) as { active_commit?: string }).active_commit;
  };
  for (const engine of engines)
    await waitFor(async () => (await activeCommit(engine)) === first, `${engine.name} runs the first commit`, 60_000);

  // A merged change: the mapping lowercases and trims the e-mail now.
  const spec = join(repo, 'specs/shop-orders-to-orders-api.yaml');
  writeFileSync(
    spec,
    readFileSync(spec, 'utf8').replace('$lowercase(customer.email)', '$trim($lowercase(customer.email))'),
  );
  await git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qam', 'trim e-mails');
  const second = await git('rev-parse', 'HEAD');
  const push = JSON.stringify({ ref: 'refs/heads/main', after: second });
  const hook = await fetch(`${engines[0].webhooks}/hooks/git`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': 'sha256=' + createHmac('sha256', HOOK_SECRET).update(push).digest('hex'),
    },
    body: push,
  });
  expect(hook.status).toBe(202);
  for (const engine of engines)
    await waitFor(async () => (await activeCommit(engine)) === second, `${engine.name} runs the merged commit`, 60_000);
}, 400_000);
