/**
 * `junction run --repo` end to end, as an operator runs it: the real CLI in a child process follows a local Git
 * repository holding the project's own specs (real connectors), on a real nats-server. The initial commit goes live,
 * a signed push webhook makes the next commit live, `junction status` reports both axes, SIGTERM stops cleanly.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { JUNCTION_ARGS, runCli } from '../cli/run-cli.js';
import { junction } from '../ops/cli-in-process.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { waitFor, waitWhileRunning } from '../runtime/helpers/runtime-harness.js';

const SECRET = 'cli-hook-secret';
const SEED_SECRETS = 'MAGENTO_*,FF_*,SALESFORCE_*,SERVICE_APP_*,BNG_*,M3_*';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function startRun(
  args: string[],
  cwd: string,
): { child: ChildProcessByStdio<null, Readable, Readable>; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...JUNCTION_ARGS, 'run', ...args], {
    cwd,
    env: {
      ...process.env,
      JUNCTION_GIT_WEBHOOK_SECRET: SECRET,
      JUNCTION_LOG_LEVEL: 'warn',
      // The variables the seed specs read, as their operator allows them.
      JUNCTION_ALLOWED_SECRETS: SEED_SECRETS,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.resume();
  const exit = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return { child, stderr: () => stderr, exit };
}

describe('junction run --repo', () => {
  it('follows the branch: initial commit live, webhook makes the next live, status reports it, SIGTERM stops', async () => {
    const nats: TestNatsServer = await startTestNatsServer();
    cleanup.push(() => nats.dispose());
    const repo = createSpecRepo(resolve('specs'));
    const cwd = mkdtempSync(join(tmpdir(), 'junction-run-repo-'));
    cleanup.push(
      () => rmSync(cwd, { recursive: true, force: true }),
      () => repo.remove(),
    );
    const first = repo.base;
    const run = startRun(
      [
        '--repo',
        repo.dir,
        '--branch',
        'main',
        '--path',
        'specs',
        '--nats',
        nats.url,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--operator-port',
        '0',
        '--poll',
        '1h',
      ],
      cwd,
    );
    cleanup.push(async () => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await run.exit;
    });
    let url = '';
    let operatorUrl = '';
    await waitWhileRunning(
      run.child,
      () => {
        const started = /webhooks at (http:\/\/[^\s]+)\/hooks\/, dashboard at (http:\/\/[^\s]+)\//.exec(run.stderr());
        [url, operatorUrl] = [started?.[1] ?? '', started?.[2] ?? ''];
        return url !== '';
      },
      () => `engine did not start: ${run.stderr()}`,
    );
    const status = async () => (await fetch(`${operatorUrl}/api/status`)).json() as Promise<Record<string, unknown>>;
    await waitFor(async () => (await status()).active_commit === first, 'initial commit active');

    repo.edit('magento-ff/magento-orders-to-ff-invoices.yaml', (t) =>
      t.replace('"Magento order " & increment_id', '"Web order " & increment_id'),
    );
    repo.git('commit', '-qam', 'web orders');
    const second = repo.git('rev-parse', 'HEAD');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: second });
    const signature = 'sha256=' + createHmac('sha256', SECRET).update(body).digest('hex');
    const hook = await fetch(`${url}/hooks/git`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature },
      body,
    });
    expect(hook.status).toBe(202);
    await waitFor(async () => (await status()).active_commit === second, 'second commit active');
    // Each worker reports the commit it runs on its next heartbeat, a moment after the swap.
    await waitFor(async () => {
      const workers = (await status()).workers as { commit: string }[] | undefined;
      return workers?.length === 1 && workers[0].commit === second;
    }, 'the worker reports the second commit');

    const printed = await junction('status', '--url', operatorUrl, '--format', 'json');
    expect(printed.code).toBe(0);
    const summary = JSON.parse(printed.stdout) as {
      active_commit: string;
      tracked_branch: string;
      last_seen_commit: string;
      pinned: null;
      rejected: unknown[];
      workers: { commit: string }[];
      integrations: { name: string }[];
    };
    expect(summary).toMatchObject({
      active_commit: second,
      tracked_branch: 'main',
      last_seen_commit: second,
      pinned: null,
      rejected: [],
    });
    expect(summary.workers.map((w) => w.commit)).toEqual([second]);
    expect(summary.integrations.map((i) => i.name)).toContain('magento-orders-to-ff-invoices');

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  }, 120_000);

  it('follows `--repo .` from inside the spec repository, as the README of `junction init` says', async () => {
    // git fetches from inside the engine's mirror, where `.` would be the mirror itself ("couldn't find remote ref").
    const nats: TestNatsServer = await startTestNatsServer();
    cleanup.push(() => nats.dispose());
    const repo = createSpecRepo(resolve('specs'));
    cleanup.push(() => repo.remove());
    const args = ['--repo', '.', '--branch', 'main', '--path', 'specs', '--nats', nats.url, '--port', '0'];
    const run = startRun([...args, '--host', '127.0.0.1', '--operator-port', '0', '--poll', '1h'], repo.dir);
    cleanup.push(async () => {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
      await run.exit;
    });
    let operatorUrl = '';
    await waitWhileRunning(
      run.child,
      () => (operatorUrl = /dashboard at (http:\/\/[^\s]+)\//.exec(run.stderr())?.[1] ?? '') !== '',
      () => `engine did not start: ${run.stderr()}`,
    );
    const active = async () => (await (await fetch(`${operatorUrl}/api/status`)).json()) as { active_commit: unknown };
    await waitFor(async () => (await active()).active_commit === repo.base, 'the repository head active');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).not.toContain("couldn't find remote ref");
  }, 120_000);

  it('refuses a --pin that is not a commit id before starting anything', async () => {
    const result = await runCli(['run', '--repo', '/nonexistent', '--pin', '--upload-pack=evil']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--pin needs --repo and a commit id');
  });
});
