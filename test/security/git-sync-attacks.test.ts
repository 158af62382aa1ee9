/**
 * Attacks through what a merged commit holds, on the readers of specs from Git (the GitOps mirror, the base side of
 * `junction plan`) and on the working tree CI validates:
 * - a submodule holding specs: GitOps never reads one, so CI must not pass them either;
 * - `.gitattributes` naming filter, diff and fsmonitor programs an operator's Git configuration defines: never run;
 * - a ref or branch name with shell metacharacters: never a shell, only a name;
 * - the tracked branch force-pushed back to an older commit: that commit goes live, as any head would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { readSpecTreeAtRef } from '../../engine/gitops/read-tree-at-ref.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { ordersSpec, startGitopsWorld, statusOf, targetConnection } from '../gitops/gitops-harness.js';
import type { GitopsWorld } from '../gitops/gitops-harness.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { waitFor } from '../runtime/helpers/runtime-harness.js';

let repo: SpecRepo | undefined;
let world: GitopsWorld | undefined;
let scratch: string | undefined;
const home = process.env.HOME;
afterEach(async () => {
  repo?.remove();
  repo = undefined;
  await world?.dispose();
  world = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
  process.env.HOME = home;
});

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

describe('a submodule in the spec directory', () => {
  it('fails validate when checked out (GitOps never reads it), and GitOps reads nothing of it', async () => {
    repo = createSpecRepo();
    scratch = mkdtempSync(join(tmpdir(), 'junction-submodule-'));
    // The contacts integration moves into another repository, added as a submodule under specs/.
    const other = join(scratch, 'crm-specs');
    mkdirSync(other);
    git(other, 'init', '-q', '-b', 'main');
    writeFileSync(join(other, 'contacts-to-crm.yaml'), readFileSync(join(repo.dir, 'specs', 'contacts-to-crm.yaml')));
    git(other, 'add', '.');
    git(other, 'commit', '-q', '-m', 'contacts');
    repo.git('rm', '-q', 'specs/contacts-to-crm.yaml', 'specs/contacts-to-crm.test.yaml');
    repo.git('-c', 'protocol.file.allow=always', 'submodule', '-q', 'add', other, 'specs/crm');
    repo.git('commit', '-q', '-m', 'contacts from a submodule');

    const validate = await junctionInProcess(['validate', 'specs'], {}, { cwd: repo.dir });
    expect(validate.stdout).toBe(
      'specs/crm:1:1  error  file-unreadable  this directory is a Git submodule or another repository, whose specs ' +
        "are not read: GitOps reads this repository's commits only, so they would never go live; copy the files " +
        'into this repository, or run an engine on the other one\n',
    );
    expect(validate.code).toBe(1);

    // What a merge of it gives GitOps: the submodule is a commit id in the tree, never read, never fetched.
    const mirror = new GitMirror({ repo: repo.dir, branch: 'main', path: 'specs', dir: join(scratch, 'mirror') });
    const head = await mirror.fetch();
    const paths = (await mirror.treeAt(head, 'specs')).files.map((f) => f.path);
    expect(paths).not.toContain('crm');
    expect(paths.filter((p) => p.startsWith('crm/') || p.startsWith('contacts'))).toEqual([]);
  });
});

describe('Git filter, diff and fsmonitor programs', () => {
  it('never run when GitOps or plan read specs from Git, even when the Git configuration defines them', async () => {
    repo = createSpecRepo();
    scratch = mkdtempSync(join(tmpdir(), 'junction-filters-'));
    const ran = (name: string) => join(scratch!, name);
    // `;` would start a comment in a Git configuration value.
    const program = (name: string) => `sh -c 'touch ${ran(name)} && cat'`;
    // The operator's own Git configuration (as git-lfs sets one up), reached through HOME.
    writeFileSync(
      join(scratch, '.gitconfig'),
      [
        '[filter "evil"]',
        `  smudge = ${program('smudge')}`,
        `  clean = ${program('clean')}`,
        '[diff "evil"]',
        `  textconv = ${program('textconv')}`,
        '[core]',
        `  fsmonitor = ${program('fsmonitor')}`,
        '',
      ].join('\n'),
    );
    // The pull request's part: every file through those programs.
    writeFileSync(join(repo.dir, '.gitattributes'), '* filter=evil diff=evil\n');
    repo.git('add', '.gitattributes');
    repo.git('commit', '-q', '-m', 'attributes');
    repo.edit('prices-to-shop.yaml', (t) => t + '# changed\n');
    process.env.HOME = scratch;

    const mirror = new GitMirror({ repo: repo.dir, branch: 'main', path: 'specs', dir: join(scratch, 'mirror') });
    const tree = await mirror.treeAt(await mirror.fetch(), 'specs');
    const base = await readSpecTreeAtRef(join(repo.dir, 'specs'), 'main', 'specs');
    const plan = await junctionInProcess(['plan', '--base', 'main', 'specs'], { HOME: scratch }, { cwd: repo.dir });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);

    const committed = readFileSync(join(repo.dir, 'specs', 'lookups', 'sources.yaml'), 'utf8');
    for (const files of [tree.files, base.tree.files])
      expect(files.find((f) => f.path === 'lookups/sources.yaml')?.bytes.toString('utf8')).toBe(committed);
    expect(['smudge', 'clean', 'textconv', 'fsmonitor'].filter((p) => existsSync(ran(p)))).toEqual([]);
    // The same configuration is live: a checkout, which Junction never does, runs the smudge program.
    rmSync(join(repo.dir, 'specs', 'lookups', 'sources.yaml'));
    execFileSync('git', ['checkout', '--', 'specs/lookups/sources.yaml'], {
      cwd: repo.dir,
      env: { ...gitEnv, HOME: scratch },
    });
    expect(existsSync(ran('smudge'))).toBe(true);
  });
});

describe('ref and branch names with shell metacharacters', () => {
  it('are names only: plan compares with such a branch, and GitOps refuses such a tracked branch', async () => {
    repo = createSpecRepo();
    scratch = mkdtempSync(join(tmpdir(), 'junction-refs-'));
    const branch = 'base;touch${IFS}pwned`touch${IFS}pwned`';
    repo.git('branch', branch);
    repo.edit('prices-to-shop.yaml', (t) => t + '# changed\n');
    const plan = await junctionInProcess(
      ['plan', '--base', branch, 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    const missing = await junctionInProcess(['plan', '--base', '$(touch pwned)', 'specs'], {}, { cwd: repo.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('git ref "$(touch pwned)" does not name a commit');
    expect(existsSync(join(repo.dir, 'pwned'))).toBe(false);
    expect(existsSync(join(repo.dir, 'specs', 'pwned'))).toBe(false);

    expect(() => new GitMirror({ repo: repo!.dir, branch, path: 'specs', dir: join(scratch!, 'mirror') })).toThrow(
      `invalid branch name ${JSON.stringify(branch)}`,
    );
  });
});

describe('the tracked branch force-pushed back to an older commit', () => {
  it('makes that commit live again: the branch is what runs, as after a revert', async () => {
    world = await startGitopsWorld();
    const v1 = await world.commit(
      { 'target.yaml': targetConnection(world.target.url), 'orders.yaml': ordersSpec('{ "v": 1 }') },
      'v1',
    );
    const a = await world.startProcess();
    await waitFor(async () => a.engine.specSet.commit === v1, 'v1 active');
    const v2 = await world.commit({ 'orders.yaml': ordersSpec('{ "v": 2 }') }, 'v2');
    expect(await a.sync.poll()).toBe('published');
    await waitFor(async () => a.engine.specSet.commit === v2, 'v2 active');

    await world.clone.raw(['reset', '--hard', '--quiet', v1]);
    await world.clone.raw(['push', '--force', '--quiet', 'origin', 'main']);
    expect(await a.sync.poll()).toBe('published');
    await waitFor(async () => a.engine.specSet.commit === v1, 'v1 active again');
    expect(await statusOf(a)).toMatchObject({
      active_commit: v1,
      last_seen_commit: v1,
      rejected: [],
      last_swap: { from: v2, to: v1, changed: ['orders'], removed: [] },
    });
  });
});
