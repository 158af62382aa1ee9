/**
 * Symbolic links in a spec directory, on the base side of `junction plan` (read from Git objects): never followed,
 * kept unread under their own name as the working tree keeps them, so a link both sides have is no new problem, and a
 * link out of the repository shows nothing of its target.
 */
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSpecTreeAtRef } from '../../engine/gitops/read-tree-at-ref.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { createSpecRepo } from './spec-repo.js';
import type { SpecRepo } from './spec-repo.js';

let repo: SpecRepo | undefined;
let outside: string | undefined;
afterEach(() => {
  repo?.remove();
  if (outside) rmSync(outside, { force: true });
});

/** A file beside the repository (outside it), holding a secret that no output may show. */
function outsideFile(r: SpecRepo): string {
  outside = join(r.dir, '..', `${r.dir.split('/').pop()}-outside.yaml`);
  writeFileSync(outside, 'token: s3cr3t-outside-the-repo\n');
  return outside;
}

const UNREADABLE_LINK = {
  line: 1,
  col: 1,
  severity: 'error',
  code: 'file-unreadable',
  message:
    'cannot read the file (a symbolic link, which is not followed): check its permissions, or replace the link ' +
    'with the file itself',
};

/** A repository whose base commit has `specs/leak.yaml` linking to a file outside the repository. */
function repoWithCommittedLink(): SpecRepo {
  const r = createSpecRepo();
  const target = outsideFile(r);
  symlinkSync(target, join(r.dir, 'specs', 'leak.yaml'));
  symlinkSync('prices-to-shop.yaml', join(r.dir, 'specs', 'alias.yaml'));
  symlinkSync(target, join(r.dir, 'specs', 'fixture.json'));
  r.git('add', 'specs');
  r.git('commit', '-q', '-m', 'links');
  return r;
}

describe('junction plan with symbolic links', () => {
  it('reads a committed link as an unread file under its own name, never its target', async () => {
    repo = repoWithCommittedLink();
    const { tree } = await readSpecTreeAtRef(join(repo.dir, 'specs'), 'HEAD', 'specs');
    const links = tree.files.filter((f) => ['alias.yaml', 'fixture.json', 'leak.yaml'].includes(f.path));
    expect(links).toEqual([
      { path: 'alias.yaml', bytes: Buffer.alloc(0), unreadable: 'a symbolic link, which is not followed' },
      { path: 'leak.yaml', bytes: Buffer.alloc(0), unreadable: 'a symbolic link, which is not followed' },
    ]);
  });

  it('does not report a link the base has too as a problem the change introduces', async () => {
    repo = repoWithCommittedLink();
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ integrations: [], diagnostics: [], security: [], rollout: [] });
    expect(result.stdout + result.stderr).not.toContain('s3cr3t');
  });

  it('reports a link the change adds, pointing out of the repository, at its own path', async () => {
    repo = createSpecRepo();
    symlinkSync(outsideFile(repo), join(repo.dir, 'specs', 'leak.yaml'));
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      integrations: [],
      diagnostics: [{ file: 'specs/leak.yaml', ...UNREADABLE_LINK }],
      security: [],
      rollout: [],
    });
    expect(result.stdout + result.stderr).not.toContain('s3cr3t');
  });
});

describe('junction plan on a spec directory that is a link', () => {
  it('plans a link to a directory inside the repository as that directory', async () => {
    repo = createSpecRepo();
    symlinkSync('specs', join(repo.dir, 'linked-specs'));
    repo.git('add', 'linked-specs');
    repo.git('commit', '-q', '-m', 'a link to the specs');
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const result = await junctionInProcess(
      ['plan', '--base', 'main', 'linked-specs', '--format', 'json'],
      {},
      { cwd: repo.dir },
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { integrations: { name: string; cases: { changes: unknown[] }[] }[] };
    expect(report.integrations.map((i) => [i.name, i.cases[0]?.changes])).toEqual([
      [
        'prices-to-shop',
        [
          {
            request: 'stock[0] POST /rest/default/V1/inventory/source-items',
            path: 'body.sourceItems[0].quantity',
            before: 40,
            after: 80,
          },
        ],
      ],
    ]);
  });

  it('refuses a link out of the repository with what, where and how to fix, and shows nothing of its target', async () => {
    repo = createSpecRepo();
    const other = createSpecRepo();
    try {
      writeFileSync(join(other.dir, 'specs', 'leak.yaml'), 'token: s3cr3t-in-another-repo\n');
      symlinkSync(join(other.dir, 'specs'), join(repo.dir, 'elsewhere'));
      const result = await junctionInProcess(
        ['plan', '--base', 'main', 'elsewhere', '--format', 'json'],
        {},
        { cwd: repo.dir },
      );
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `junction: cannot read elsewhere at main: elsewhere is a link to ${join(other.dir, 'specs')}, outside the ` +
          `repository ${repo.dir}: point the command at a directory inside it\n`,
      );
    } finally {
      other.remove();
    }
  });
});
