/**
 * GitMirror against real git repositories: only the tracked branch is fetched, a tree is read from git objects at an
 * exact commit (whatever the branch does later), operator values that git could take as options are refused, and a
 * remote that stops answering fails the fetch instead of hanging it.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stdSerializers } from 'pino';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

/** A bare remote and a working clone with one commit on main. */
async function repository(): Promise<{
  remote: string;
  work: SimpleGit;
  workDir: string;
  commit(files: Record<string, string>, message: string): Promise<string>;
}> {
  root = mkdtempSync(join(tmpdir(), 'junction-mirror-'));
  const remote = join(root, 'remote.git');
  const workDir = join(root, 'work');
  await simpleGit().raw(['init', '--bare', '--quiet', '--initial-branch=main', remote]);
  await simpleGit().clone(remote, workDir);
  const work = simpleGit(workDir);
  await work.addConfig('user.email', 'test@junction.dev').addConfig('user.name', 'Test');
  await work.raw(['checkout', '--quiet', '-B', 'main']);
  const commit = async (files: Record<string, string>, message: string) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(workDir, path, '..'), { recursive: true });
      writeFileSync(join(workDir, path), text);
    }
    await work.add('.').commit(message);
    return (await work.revparse(['HEAD'])).trim();
  };
  return { remote, work, workDir, commit };
}

const text = (files: { path: string; bytes: Buffer }[]) => files.map((f) => [f.path, f.bytes.toString('utf8')]);

describe('GitMirror', () => {
  it('fetches only the tracked branch and reads the spec tree at an exact commit', async () => {
    const repo = await repository();
    const first = await repo.commit(
      {
        'specs/a.yaml': 'a: 1\n',
        'specs/lookups/w.csv': 'k,v\n',
        'specs/notes.md': 'not a spec',
        'README.md': 'outside',
      },
      'first',
    );
    await repo.work.push('origin', 'main');
    await repo.work.raw(['checkout', '--quiet', '-b', 'feature']);
    const unreviewed = await repo.commit({ 'specs/a.yaml': 'a: unreviewed\n' }, 'unreviewed');
    await repo.work.push('origin', 'feature');
    await repo.work.raw(['checkout', '--quiet', 'main']);

    const mirror = new GitMirror({ repo: repo.remote, branch: 'main', path: 'specs', dir: join(root!, 'mirror') });
    expect(await mirror.fetch()).toBe(first);
    await expect(mirror.resolve(unreviewed)).rejects.toThrow(`${unreviewed} is not a commit of ${repo.remote}`);

    const second = await repo.commit({ 'specs/a.yaml': 'a: 2\n', 'specs/b.yaml': 'b: 1\n' }, 'second');
    await repo.work.push('origin', 'main');
    expect(await mirror.fetch()).toBe(second);
    // The older commit reads as it was, not as the branch is now.
    expect(text((await mirror.treeAt(first, 'specs')).files)).toEqual([
      ['a.yaml', 'a: 1\n'],
      ['lookups/w.csv', 'k,v\n'],
    ]);
    const tree = await mirror.treeAt(second, 'specs');
    expect(tree.displayRoot).toBe('specs');
    expect(text(tree.files)).toEqual([
      ['a.yaml', 'a: 2\n'],
      ['b.yaml', 'b: 1\n'],
      ['lookups/w.csv', 'k,v\n'],
    ]);
    expect(await mirror.isAncestor(first, second)).toBe(true);
    expect(await mirror.isAncestor(second, first)).toBe(false);
  });

  it('never follows a symlink, and keeps a linked spec unread for its diagnostic; skips dot-directories', async () => {
    const repo = await repository();
    mkdirSync(join(repo.workDir, 'specs'), { recursive: true });
    symlinkSync('/etc/passwd', join(repo.workDir, 'specs', 'link.yaml'));
    symlinkSync('/etc/passwd', join(repo.workDir, 'specs', 'data.csv'));
    const sha = await repo.commit({ 'specs/a.yaml': 'a: 1\n', 'specs/.hidden/x.yaml': 'x: 1\n' }, 'links');
    await repo.work.push('origin', 'main');
    const mirror = new GitMirror({ repo: repo.remote, branch: 'main', path: 'specs', dir: join(root!, 'mirror') });
    await mirror.fetch();
    const tree = await mirror.treeAt(sha, 'specs');
    expect(tree.files).toEqual([
      { path: 'a.yaml', bytes: Buffer.from('a: 1\n') },
      { path: 'link.yaml', bytes: Buffer.alloc(0), unreadable: 'a symbolic link, which is not followed' },
    ]);
    // The same diagnostic as `junction validate` gives the link in a working tree: the commit is rejected.
    const { diagnostics } = compileSpecTree(tree, { connectors: new Map(), engine: referenceEngine });
    expect(diagnostics.filter((d) => d.file === 'specs/link.yaml')).toMatchObject([
      { line: 1, col: 1, code: 'file-unreadable', message: expect.stringContaining('a symbolic link') },
    ]);
  });

  it('refuses operator values that git could read as options, and refs that are not commits', async () => {
    const dir = join(tmpdir(), 'junction-mirror-unused');
    expect(() => new GitMirror({ repo: '--upload-pack=touch /tmp/pwned', branch: 'main', path: 'specs', dir })).toThrow(
      'invalid repository',
    );
    expect(() => new GitMirror({ repo: '/r', branch: '--force', path: 'specs', dir })).toThrow('invalid branch name');
    expect(() => new GitMirror({ repo: '/r', branch: 'main..x', path: 'specs', dir })).toThrow('invalid branch name');
    expect(() => new GitMirror({ repo: '/r', branch: 'main', path: '../etc', dir })).toThrow('invalid spec path');
    expect(() => new GitMirror({ repo: '/r', branch: 'main', path: 'specs/-x', dir })).toThrow('invalid spec path');
    const mirror = new GitMirror({ repo: '/r', branch: 'main', path: 'specs', dir });
    await expect(mirror.resolve('--output=/tmp/x')).rejects.toThrow('invalid ref');
    await expect(mirror.treeAt('HEAD', 'specs')).rejects.toThrow('not a commit id: HEAD');
  });

  it('fetches every push when the processes of one machine share the mirror (junction run --workers)', async () => {
    const repo = await repository();
    const dir = join(root!, 'mirror');
    const mirrors = Array.from(
      { length: 4 },
      () => new GitMirror({ repo: repo.remote, branch: 'main', path: 'specs', dir }),
    );
    for (let round = 1; round <= 5; round++) {
      const sha = await repo.commit({ 'specs/a.yaml': `a: ${round}\n` }, `round ${round}`);
      await repo.work.push('origin', 'main');
      // All at once, as polls started together and a push webhook make them.
      const heads = await Promise.allSettled(mirrors.map((m) => m.fetch()));
      expect(heads).toEqual(mirrors.map(() => ({ status: 'fulfilled', value: sha })));
    }
  });

  it('keeps credentials in the repository URL out of its errors (and so out of the logs)', async () => {
    root = mkdtempSync(join(tmpdir(), 'junction-mirror-'));
    // A port nothing listens on: the fetch fails at once.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const mirror = new GitMirror({
      repo: `https://deploy:s3cr3t-token@127.0.0.1:${port}/acme/specs.git`,
      branch: 'main',
      path: 'specs',
      dir: join(root, 'mirror'),
    });
    const failed = (await mirror.fetch().catch((error: unknown) => error)) as Error;
    // As git-sync logs it: pino's error serializer copies every enumerable property of the error.
    const logged = JSON.stringify(stdSerializers.err(failed));
    expect(logged).toContain(`127.0.0.1:${port}`);
    expect(logged).not.toContain('s3cr3t-token');
    const unknown = (await mirror.resolve('abc1234').catch((error: unknown) => error)) as Error;
    expect(unknown.message).toBe(`abc1234 is not a commit of https://***@127.0.0.1:${port}/acme/specs.git`);
  });

  it('fails a fetch from a remote that stops answering instead of hanging', async () => {
    root = mkdtempSync(join(tmpdir(), 'junction-mirror-'));
    // Accepts the connection and never says a word, like a host behind a blackholing firewall.
    const sockets = new Set<Socket>();
    const silent = createServer((s) => void sockets.add(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const port = (silent.address() as AddressInfo).port;
      const mirror = new GitMirror({
        repo: `git://127.0.0.1:${port}/specs.git`,
        branch: 'main',
        path: 'specs',
        dir: join(root, 'mirror'),
        gitTimeoutMs: 500,
      });
      await expect(mirror.fetch()).rejects.toThrow('block timeout reached');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
