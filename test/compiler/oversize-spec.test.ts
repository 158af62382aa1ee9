/**
 * A spec file over the 1 MiB limit is refused from its size, never read: from disk (the working tree of a pull
 * request, where an attacker's 2 GiB file must not take CI down), from a Git ref (the base of a plan) and from the
 * GitOps mirror, each with the `file-too-large` diagnostic a file read whole gets.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MAX_SPEC_BYTES, readSpecTree } from '../../engine/compiler/spec-tree.js';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { readSpecTreeAtRef } from '../../engine/gitops/read-tree-at-ref.js';
import { runCli } from '../cli/run-cli.js';
import { createSpecRepo } from '../plan/spec-repo.js';

const GIB = 1024 ** 3;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((undo) => undo()));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-oversize-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A sparse file of `size` bytes: no disk used, but reading it would put every byte in memory. */
function sparseFile(path: string, size: number): void {
  const fd = openSync(path, 'w');
  writeFileSync(fd, 'apiVersion: junction/v1\n');
  closeSync(fd);
  execFileSync('truncate', ['-s', String(size), path]);
}

const tooLarge = (size: number) =>
  `the file has ${size} bytes; specs are limited to ${MAX_SPEC_BYTES} bytes, split it into several files`;

it('validate refuses a 2 GiB spec in the working tree from its size, at 1:1, beside the specs that are fine', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  sparseFile(join(repo.dir, 'specs', 'huge.yaml'), 2 * GIB);
  const result = await runCli(['validate', 'specs'], { cwd: repo.dir });
  expect(result).toEqual({
    code: 1,
    stdout: `specs/huge.yaml:1:1  error  file-too-large  ${tooLarge(2 * GIB)}\n`,
    stderr: '✗ 1 error\n',
  });
}, 120_000);

it('the working tree keeps a spec over the limit unread, with its size', async () => {
  const dir = tempDir();
  sparseFile(join(dir, 'huge.yaml'), 1.5 * GIB);
  writeFileSync(join(dir, 'edge.yaml'), Buffer.alloc(MAX_SPEC_BYTES, 'a'));
  const tree = await readSpecTree(dir);
  expect(tree.files.map((f) => ({ path: f.path, read: f.bytes.length, oversize: f.oversize }))).toEqual([
    // Exactly at the limit is read (and parsed as usual).
    { path: 'edge.yaml', read: MAX_SPEC_BYTES, oversize: undefined },
    { path: 'huge.yaml', read: 0, oversize: 1.5 * GIB },
  ]);
});

it('a plan base read from Git keeps a spec over the limit unread, from the size Git lists', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  writeFileSync(join(repo.dir, 'specs', 'huge.yaml'), Buffer.alloc(MAX_SPEC_BYTES + 1, 'a'));
  repo.git('add', 'specs/huge.yaml');
  repo.git('commit', '-q', '-m', 'a huge spec');
  const { tree } = await readSpecTreeAtRef(join(repo.dir, 'specs'), 'HEAD', 'specs');
  expect(tree.files.find((f) => f.path === 'huge.yaml')).toEqual({
    path: 'huge.yaml',
    bytes: Buffer.alloc(0),
    oversize: MAX_SPEC_BYTES + 1,
  });
});

it('the GitOps mirror never asks Git for a listed spec over the limit', async () => {
  const gitDir = tempDir();
  execFileSync('git', ['init', '--bare', '-q', gitDir]);
  const mirror = new GitMirror({ repo: gitDir, branch: 'main', path: 'specs', dir: gitDir });
  // No such object: reading it would fail (git cat-file answers "missing").
  const listed = [{ path: 'huge.yaml', id: '0'.repeat(40), bytes: 2 * GIB }];
  expect(await mirror.readFiles(listed, 'specs')).toEqual({
    displayRoot: 'specs',
    files: [{ path: 'huge.yaml', bytes: Buffer.alloc(0), oversize: 2 * GIB }],
  });
});
