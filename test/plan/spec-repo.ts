/**
 * A real Git repository in a temp dir holding a copy of the fixture specs, committed as the base of a PR-like
 * change. Tests edit files in the working tree and run the CLI there.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./fixtures/specs', import.meta.url));
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tmpdir(),
};

export interface SpecRepo {
  dir: string;
  /** The commit holding the unmodified fixture specs. */
  base: string;
  git(...args: string[]): string;
  /** Rewrites `specs/<file>` with `edit`; fails when the edit changes nothing (a stale test). */
  edit(file: string, edit: (text: string) => string): void;
  remove(): void;
}

/** A repository whose `specs/` is a copy of `source` (default: the plan fixtures), committed on `main`. */
export function createSpecRepo(source = FIXTURES): SpecRepo {
  const dir = mkdtempSync(join(tmpdir(), 'junction-plan-'));
  cpSync(source, join(dir, 'specs'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'base specs');
  return {
    dir,
    base: git('rev-parse', 'HEAD'),
    git,
    edit(file, edit) {
      const path = join(dir, 'specs', file);
      const before = readFileSync(path, 'utf8');
      const after = edit(before);
      if (after === before) throw new Error(`edit of ${file} changed nothing`);
      writeFileSync(path, after);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
