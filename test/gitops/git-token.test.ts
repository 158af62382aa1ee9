/**
 * A token for an HTTPS spec repository never shows in a command line. Git's smart HTTP server (git http-backend on
 * loopback, Basic auth required) reads every process's /proc/<pid>/cmdline while it answers the fetch: the
 * `junction run` process and the git processes it started are alive then.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { junction } from '../security/helpers/junction.js';
import { startGitHttpServer } from '../helpers/git-http-server.js';
import type { GitHttpServer } from '../helpers/git-http-server.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';
import { oneCommitRemote } from './one-commit-remote.js';

const TOKEN = 'ghs_t0kenNeverInArgv';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A bare repository `specs.git` with one commit on main, served over HTTP to x-access-token:TOKEN. */
async function servedRepo(): Promise<{ root: string; server: GitHttpServer; head: string }> {
  const root = mkdtempSync(join(tmpdir(), 'junction-git-token-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  const { head } = await oneCommitRemote(root);
  const server = await startGitHttpServer(root, 'x-access-token', TOKEN);
  cleanup.push(() => server.close());
  return { root, server, head };
}

describe('a Git token from the environment', () => {
  it('fetches with the token while no process has it in its command line', async () => {
    const { root, server, head } = await servedRepo();
    const repo = `${server.url}/specs.git`;
    const mirror = new GitMirror({ repo, branch: 'main', path: 'specs', dir: join(root, 'mirror'), token: TOKEN });

    expect(await mirror.fetch()).toBe(head);
    expect(server.authorized).toContainEqual('POST /specs.git/git-upload-pack');
    // The sample did catch git at work (its remote helper is started with the URL)...
    expect([...server.commandLines].filter((line) => line.includes(repo))).not.toEqual([]);
    // ...and the token is in none of the command lines.
    expect([...server.commandLines].filter((line) => line.includes(TOKEN))).toEqual([]);
  });

  it("is not printed by DEBUG=simple-git* (which prints git's environment): that output is turned off", async () => {
    const { root, server, head } = await servedRepo();
    const child = spawn(
      process.execPath,
      [
        '--import',
        JUNCTION_ARGS[1],
        fileURLToPath(new URL('./token-debug-main.ts', import.meta.url)),
        `${server.url}/specs.git`,
        join(root, 'mirror'),
      ],
      { env: { ...process.env, DEBUG: 'simple-git*', TEST_GIT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect([code, stdout]).toEqual([0, `${head}\n`]);
    const basic = Buffer.from(`x-access-token:${TOKEN}`).toString('base64');
    expect(stderr.includes(TOKEN) || stderr.includes(basic)).toBe(false);
    expect(stderr).toContain(
      "Warning: simple-git's debug output is off while a Git token is in use: it prints git's environment, which " +
        'holds the token (the rest of DEBUG stays on)',
    );
  });

  it('a token in the URL is what `ps` shows (so the CLI refuses it)', async () => {
    const { root, server, head } = await servedRepo();
    const repo = server.url.replace('//', `//x-access-token:${TOKEN}@`) + '/specs.git';
    const mirror = new GitMirror({ repo, branch: 'main', path: 'specs', dir: join(root, 'mirror') });
    expect(await mirror.fetch()).toBe(head);
    expect([...server.commandLines].filter((line) => line.includes(TOKEN))).not.toEqual([]);

    const { code, stderr } = await junction(['run', '--repo', repo, '--nats', 'nats://127.0.0.1:1']);
    expect(code).toBe(2);
    expect(stderr).toContain(
      'junction: --repo carries a password or token, which every local user can read in the process list: ' +
        'remove it from the URL and set JUNCTION_GIT_TOKEN',
    );
  });

  it('a refused token fails the fetch with git’s reason, and the token is in no message', async () => {
    const { root, server } = await servedRepo();
    const mirror = new GitMirror({
      repo: `${server.url}/specs.git`,
      branch: 'main',
      path: 'specs',
      dir: join(root, 'mirror'),
      token: 'wr0ng-token',
    });
    const failed = (await mirror.fetch().catch((error: unknown) => error)) as Error;
    // The server refused the header, so git wants a user name and may not ask for one (no terminal prompt).
    expect(failed.message).toContain(`fatal: could not read Username for '${server.url}': terminal prompts disabled`);
    expect(JSON.stringify(failed, Object.getOwnPropertyNames(failed))).not.toContain('wr0ng-token');
    expect(server.refused).toBeGreaterThan(0);
  });

  it('`junction run --repo` takes $JUNCTION_GIT_TOKEN: fetched, and not in its own nor git’s command line', async () => {
    const nats = await startTestNatsServer();
    cleanup.push(() => nats.dispose());
    const { root, server } = await servedRepo();
    const args = [
      'run',
      '--repo',
      `${server.url}/specs.git`,
      '--nats',
      nats.url,
      '--port',
      '0',
      '--operator-port',
      '0',
    ];
    const child = spawn(process.execPath, [...JUNCTION_ARGS, ...args], {
      cwd: root,
      env: { ...process.env, JUNCTION_GIT_TOKEN: TOKEN, JUNCTION_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise((resolve) => child.on('close', resolve));
    cleanup.push(async () => {
      child.kill('SIGTERM');
      await exited;
    });
    const fetched = () => server.authorized.includes('POST /specs.git/git-upload-pack');
    await waitFor(fetched, () => `an authorized fetch; the engine said:\n${output}`, 80_000);
    expect([...server.commandLines].filter((line) => line.includes(`--repo ${server.url}/specs.git`))).not.toEqual([]);
    expect([...server.commandLines].filter((line) => line.includes(TOKEN))).toEqual([]);
    child.kill('SIGTERM');
    await exited;
    expect(output).not.toContain(TOKEN);
  }, 120_000);

  it('refuses a token for an SSH address or plain http to another host, before anything starts', async () => {
    for (const [repo, why] of [
      ['git@github.com:acme/specs.git', 'a token is for an https:// repository; this is a path or an SSH address'],
      ['http://git.acme.test/specs.git', 'a token is sent only over https:// (or http:// to this host)'],
    ]) {
      const { code, stderr } = await junction(['run', '--repo', repo, '--nats', 'nats://127.0.0.1:1'], {
        JUNCTION_GIT_TOKEN: TOKEN,
      });
      expect(code).toBe(2);
      expect(stderr).toContain(`junction: JUNCTION_GIT_TOKEN is set, but ${why}`);
    }
  });
});
