/**
 * Reads a spec directory as it was at a Git ref into a SpecTree, without checking anything out. Only the ref (from
 * the command line), the directory prefix and object ids from Git's own output are ever passed to git: never a
 * file name or any other string that comes from a spec.
 */
import { lstat, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { simpleGit } from 'simple-git';
import { gitEnvironment, gitVariableNames } from './git-environment.js';
import { isSpecFile, LINK_NOT_FOLLOWED, MAX_DATA_BYTES, sizeLimit, treeOf } from '../compiler/spec-tree.js';
import type { SpecTree, SpecTreeFile } from '../compiler/spec-tree.js';

const SPEC_OR_DATA = /\.(ya?ml|csv|json)$/i;
const OBJECT_ID = /^[0-9a-f]{40,64}$/;

/** A spec tree read from a commit. */
export interface TreeAtRef {
  tree: SpecTree;
  /** The commit the ref resolved to. */
  commit: string;
}

/**
 * @param dir          the spec directory (in the working tree of a Git repository)
 * @param ref          branch, tag or commit, as given by the user (`origin/main`, a SHA)
 * @param displayRoot  prefix for diagnostics; pass the working tree's, so both sides name files alike
 */
export async function readSpecTreeAtRef(
  dir: string,
  ref: string,
  displayRoot: string,
  maxDataBytes = MAX_DATA_BYTES,
): Promise<TreeAtRef> {
  if (ref.startsWith('-')) throw new Error(`invalid git ref ${JSON.stringify(ref)}`);
  const env = gitEnvironment();
  // The repository is the one that holds the directory as named: for a link, git runs in the link's parent, so a
  // spec directory that links to another repository cannot make the base side read that repository's history.
  const named = resolve(dir);
  const baseDir = (await lstat(named)).isSymbolicLink() ? await realpath(dirname(named)) : named;
  const git = simpleGit({ baseDir, allowEnvironment: gitVariableNames(env) }).env(env);
  const top = (await git.revparse(['--show-toplevel'])).trim();
  const commit = (
    await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => '')
  ).trim();
  if (!OBJECT_ID.test(commit)) throw new Error(`git ref ${JSON.stringify(ref)} does not name a commit in ${top}`);
  // Git lists a linked directory as one link: read the directory the link leads to (as the working tree side does),
  // and only inside this repository.
  const real = await realpath(named);
  const inRepo = relative(await realpath(top), real);
  if (inRepo === '..' || inRepo.startsWith(`..${sep}`) || isAbsolute(inRepo))
    throw new Error(
      `${dir} is a link to ${real}, outside the repository ${top}: point the command at a directory inside it`,
    );
  const prefix = inRepo.split(sep).join('/');
  const listing = await git.raw([
    'ls-tree',
    '-r',
    '-z',
    '--long',
    '--full-tree',
    commit,
    '--',
    prefix === '' ? '.' : prefix,
  ]);
  const files: SpecTreeFile[] = [];
  for (const entry of listing.split('\0')) {
    // `<mode> <type> <object> <size>\t<path>`
    const match = /^(\d+) (\w+) ([0-9a-f]+) +(\d+)\t(.*)$/s.exec(entry);
    if (!match || match[2] !== 'blob' || !OBJECT_ID.test(match[3])) continue;
    const path = prefix === '' ? match[5] : match[5].slice(prefix.length + 1);
    if (!SPEC_OR_DATA.test(path) || path.split('/').some((part) => part.startsWith('.') || part === 'node_modules'))
      continue;
    // A symlink (mode 120000) is a blob holding the path it points at, never read as a spec: as in the working tree
    // (spec-tree.ts) and the GitOps mirror, a linked spec is kept unread under its own name, so the base and the head
    // of a plan report it alike, and a link out of the repository shows nothing of its target. A linked data file is
    // left out, reported missing where used.
    if (match[1] === '120000') {
      if (isSpecFile(path)) files.push({ path, bytes: Buffer.alloc(0), unreadable: LINK_NOT_FOLLOWED });
      continue;
    }
    // A file over its limit is refused from its size, as in the working tree: a huge blob is never read.
    const size = Number(match[4]);
    if (size > sizeLimit(path, maxDataBytes)) files.push({ path, bytes: Buffer.alloc(0), oversize: size });
    else files.push({ path, bytes: await git.binaryCatFile(['blob', match[3]]) });
  }
  files.sort((a, b) => a.path.localeCompare(b.path));
  return { tree: treeOf(displayRoot, files, maxDataBytes), commit };
}
