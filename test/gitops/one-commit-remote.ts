/**
 * The smallest spec repository a Git mirror can follow: a bare `specs.git` under `root` whose main holds one commit
 * (specs/a.yaml), made in a working copy beside it and pushed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';

export async function oneCommitRemote(root: string): Promise<{ remote: string; head: string }> {
  const remote = join(root, 'specs.git');
  const work = join(root, 'work');
  await simpleGit().raw(['init', '--bare', '--quiet', '--initial-branch=main', remote]);
  mkdirSync(join(work, 'specs'), { recursive: true });
  writeFileSync(join(work, 'specs', 'a.yaml'), 'a: 1\n');
  const git = simpleGit(work);
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.email', 'test@junction.dev').addConfig('user.name', 'Test');
  await git.add('.').commit('first');
  await git.push(remote, 'main');
  return { remote, head: (await git.revparse(['HEAD'])).trim() };
}
