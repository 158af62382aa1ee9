/**
 * Git processes the engine starts get only what git needs of its environment, never a connector's secret: a `git` on
 * PATH before the real one writes each process's environment to a file and runs the real git. The mirror's init,
 * fetch (from a path, and over HTTP with a token) and blob reads all go through it.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { startGitHttpServer } from '../helpers/git-http-server.js';
import { oneCommitRemote } from './one-commit-remote.js';

const SECRET = 'ff-client-secret-never-for-git';
const TOKEN = 'ghs_t0kenForGitOnly';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A `git` that dumps its arguments and environment (NUL-separated) into `dumps`, then runs /usr/bin/git. */
function envDumpingGit(root: string): { bin: string; dumps: string } {
  const bin = join(root, 'bin');
  const dumps = join(root, 'dumps');
  mkdirSync(bin);
  mkdirSync(dumps);
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\nf="${dumps}/$$"\nprintf '%s\\n' "$*" > "$f.args"\nenv -0 > "$f.env"\nexec /usr/bin/git "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  return { bin, dumps };
}

/** Each git process's arguments and environment, but the test's own git http-backend (its server side). */
function gitProcesses(dumps: string): { args: string; env: Map<string, string> }[] {
  return readdirSync(dumps)
    .filter((f) => f.endsWith('.env'))
    .map((f) => {
      const args = readFileSync(join(dumps, f.replace(/\.env$/, '.args')), 'utf8').trim();
      const env = new Map(
        readFileSync(join(dumps, f), 'utf8')
          .split('\0')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
      );
      return { args, env };
    })
    .filter((p) => p.args !== 'http-backend');
}

it("no git process sees a connector's secret; PATH, HOME, proxies and git's own settings get through", async () => {
  const root = mkdtempSync(join(tmpdir(), 'junction-git-env-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  const { remote, head } = await oneCommitRemote(root);
  const server = await startGitHttpServer(root, 'x-access-token', TOKEN);
  cleanup.push(() => server.close());
  const { bin, dumps } = envDumpingGit(root);
  vi.stubEnv('PATH', `${bin}:${process.env.PATH}`);
  vi.stubEnv('FF_CLIENT_SECRET', SECRET);
  vi.stubEnv('https_proxy', 'http://proxy.example:3128');
  vi.stubEnv('no_proxy', '127.0.0.1,localhost');
  vi.stubEnv('GIT_HTTP_LOW_SPEED_TIME', '60');
  // Would point git at another repository: never passed.
  vi.stubEnv('GIT_DIR', join(root, 'elsewhere'));

  const fromPath = new GitMirror({ repo: remote, branch: 'main', path: 'specs', dir: join(root, 'mirror-a') });
  expect(await fromPath.fetch()).toBe(head);
  const tree = await fromPath.treeAt(head, 'specs');
  expect(tree.files.map((f) => [f.path, f.bytes.toString()])).toEqual([['a.yaml', 'a: 1\n']]);
  const overHttp = new GitMirror({
    repo: `${server.url}/specs.git`,
    branch: 'main',
    path: 'specs',
    dir: join(root, 'mirror-b'),
    token: TOKEN,
  });
  expect(await overHttp.fetch()).toBe(head);

  const processes = gitProcesses(dumps);
  // init and fetch of each mirror, the reads: every kind went through the dumping git.
  expect(processes.map((p) => p.args.split(' ')[0])).toEqual(
    expect.arrayContaining(['init', 'fetch', '--git-dir', 'rev-parse']),
  );
  expect(processes.filter((p) => [...p.env.values()].some((v) => v.includes(SECRET))).map((p) => p.args)).toEqual([]);
  for (const p of processes) {
    expect(p.env.get('PATH')?.startsWith(`${bin}:`)).toBe(true);
    expect(p.env.get('HOME')).toBe(process.env.HOME);
    expect(p.env.get('https_proxy')).toBe('http://proxy.example:3128');
    expect(p.env.get('GIT_HTTP_LOW_SPEED_TIME')).toBe('60');
    expect(p.env.has('FF_CLIENT_SECRET')).toBe(false);
    expect(p.env.has('GIT_DIR')).toBe(false);
  }
  // The token's header reaches the HTTP mirror's fetch, and not the other mirror's.
  const header = (p: { env: Map<string, string> }) => p.env.get('GIT_CONFIG_VALUE_0')?.startsWith('Authorization: ');
  const fetches = processes.filter((p) => p.args.startsWith('fetch'));
  expect(fetches.map((p) => [p.args.includes(server.url), header(p) ?? false]).sort()).toEqual([
    [false, false],
    [true, true],
  ]);
});
