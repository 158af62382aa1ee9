/**
 * The demo's spec repository: specs/ copied into a local Git repository, so the demo can commit a mapping change
 * the way an engineer's merged pull request would. The Magento flows' polls run every `pollMs` there, so a short
 * demo sees each change within a second.
 */
import { cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';

export interface DemoRepo {
  dir: string;
  specsDir: string;
  head(): Promise<string>;
  /** Edits one spec file and commits it; returns the new commit. */
  commitChange(file: string, edit: (text: string) => string, message: string): Promise<string>;
}

export async function createDemoRepo(sourceSpecs: string, pollMs: number): Promise<DemoRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-demo-repo-'));
  const specsDir = join(dir, 'specs');
  await cp(sourceSpecs, specsDir, { recursive: true });
  const magento = join(specsDir, 'magento-ff');
  for (const file of (await readdir(magento)).filter((f) => /^magento-.*(?<!\.test)\.yaml$/.test(f))) {
    const path = join(magento, file);
    await writeFile(path, (await readFile(path, 'utf8')).replace(/^( {4}every:) .*$/m, `$1 ${pollMs}ms`));
  }
  const git: SimpleGit = simpleGit(dir);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.email', 'demo@junction.dev').addConfig('user.name', 'Junction demo');
  await git.add('.').commit('Initial specs');
  const head = async () => (await git.revparse(['HEAD'])).trim();
  return {
    dir,
    specsDir,
    head,
    async commitChange(file, edit, message) {
      const path = join(specsDir, file);
      await writeFile(path, edit(await readFile(path, 'utf8')));
      await git.add(path).commit(message);
      return head();
    },
  };
}
