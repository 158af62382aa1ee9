/**
 * A local mirror of the spec repository that tracks one branch. Only operator-given values (the repository, the
 * branch, the spec path) and object ids printed by git itself are ever passed to git — never a string from a spec.
 */
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { existsSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { simpleGit } from 'simple-git';
import type { SimpleGit } from 'simple-git';
import { LINK_NOT_FOLLOWED, MAX_DATA_BYTES, isSpecFile, sizeLimit, treeOf } from '../compiler/spec-tree.js';
import type { SpecTree, SpecTreeFile } from '../compiler/spec-tree.js';
import { readBlobs } from './read-blobs.js';
import { gitTokenEnvironment, tokenRepoProblem } from './git-token.js';
import { gitEnvironment, gitVariableNames } from './git-environment.js';
import { quietSimpleGitDebug } from './quiet-git-debug.js';

const OBJECT_ID = /^[0-9a-f]{40,64}$/;
const BRANCH = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]+$/;
const SPEC_OR_DATA = /\.(ya?ml|csv|json)$/i;
/** Git's answers when another process holds a lock of a mirror's ref or just moved it (createMirror makes the rest). */
const LOCKED = /cannot lock ref|Unable to create '[^']*\.lock'/;
const FETCH_ATTEMPTS = 5;

/** Where the specs come from and where the mirror lives. All values come from the operator, never from a spec. */
export interface GitMirrorOptions {
  /** URL or local path of the repository. */
  repo: string;
  branch: string;
  /** Directory of the specs inside the repository ('' for the root). */
  path: string;
  /** Where the mirror lives (e.g. `.junction/git`). */
  dir: string;
  /**
   * A git command silent for this long is killed (with `--quiet`, a fetch is silent until it ends). Without it, a
   * remote that stops answering would hang the fetch, and every later poll waits on it, for good. @default 120_000
   */
  gitTimeoutMs?: number;
  /** A token for an https repository (`$JUNCTION_GIT_TOKEN`), given to git in its environment, never its arguments. */
  token?: string;
  /** The user name sent with the token. @default 'x-access-token' */
  tokenUser?: string;
  /** Data files over this many bytes are refused from their listed size (`JUNCTION_MAX_DATA_BYTES`). @default 6 MiB */
  maxDataBytes?: number;
}

/** A file of the spec directory at a commit, before it is read: its path in the directory, blob id and size. */
export interface ListedFile {
  path: string;
  id: string;
  bytes: number;
  /** Why it is not read (a symbolic link). */
  unreadable?: string;
}

/** The repository for messages: a URL's user and password (a token) become `***`. */
function maskCredentials(repo: string): string {
  try {
    const url = new URL(repo);
    if (!url.username && !url.password) return repo;
    url.username = '***';
    url.password = '';
    return url.toString();
  } catch {
    return repo; // a path or scp-like address (git@host:repo) carries no password
  }
}

/** A bare mirror that fetches one branch and reads spec trees from git objects at exact commits. */
export class GitMirror {
  readonly #git: SimpleGit;
  readonly #ref: string;

  constructor(private readonly options: GitMirrorOptions) {
    if (!BRANCH.test(options.branch)) throw new Error(`invalid branch name ${JSON.stringify(options.branch)}`);
    if (options.repo.startsWith('-')) throw new Error(`invalid repository ${JSON.stringify(options.repo)}`);
    if (options.path.split('/').some((p) => p === '..' || p.startsWith('-')))
      throw new Error(`invalid spec path ${JSON.stringify(options.path)}`);
    const timeout = { block: options.gitTimeoutMs ?? 120_000 };
    if (options.token === undefined) this.#git = gitWithOwnEnvironment(timeout);
    else {
      const problem = tokenRepoProblem(options.repo);
      if (problem) throw new Error(`cannot use the Git token with ${maskCredentials(options.repo)}: ${problem}`);
      quietSimpleGitDebug();
      this.#git = gitWithOwnEnvironment(
        timeout,
        gitTokenEnvironment(options.repo, options.tokenUser ?? 'x-access-token', options.token),
      );
    }
    this.#ref = `refs/heads/${options.branch}`;
  }

  /** Fetches the tracked branch (cloning a bare mirror the first time) and returns its head commit. */
  async fetch(): Promise<string> {
    const { dir, repo, branch } = this.options;
    if (!existsSync(`${dir}/HEAD`)) await createMirror(dir);
    const git = this.#git.cwd(dir);
    // The processes of `junction run --workers N` share this mirror and fetch at the same moments (polls started
    // together, a push): git lets one update the ref and refuses the others, whose next attempt finds it current.
    for (let attempt = 1; ; attempt++) {
      try {
        // Fetch only the tracked branch: other branches (unreviewed work) never reach the runtime.
        await git.raw(['fetch', '--quiet', '--no-tags', '--force', '--', repo, `+refs/heads/${branch}:${this.#ref}`]);
        return await this.resolve(this.#ref);
      } catch (error) {
        const message = (error as Error).message;
        if (attempt < FETCH_ATTEMPTS && LOCKED.test(message)) await setTimeout(50 * attempt);
        else throw this.#withoutCredentials(error as Error);
      }
    }
  }

  /**
   * simple-git's error carries the git command line (`task.commands`, with the URL), and the logger prints every
   * property of an error: a fresh error with the message alone, credentials masked, is all that leaves the mirror.
   */
  #withoutCredentials(error: Error): Error {
    const { repo } = this.options;
    return new Error(error.message.split(repo).join(maskCredentials(repo)));
  }

  /** The commit a ref or SHA names in the mirror. */
  async resolve(ref: string): Promise<string> {
    if (ref.startsWith('-')) throw new Error(`invalid ref ${JSON.stringify(ref)}`);
    const sha = (
      await this.#git
        .cwd(this.options.dir)
        .raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
        .catch(() => '')
    ).trim();
    if (!OBJECT_ID.test(sha)) throw new Error(`${ref} is not a commit of ${maskCredentials(this.options.repo)}`);
    return sha;
  }

  /** True when commit `older` is in the history of `newer` (both must be in the mirror; false if either is not). */
  async isAncestor(older: string, newer: string): Promise<boolean> {
    if (!OBJECT_ID.test(older) || !OBJECT_ID.test(newer)) return false;
    const base = await this.#git
      .cwd(this.options.dir)
      .raw(['merge-base', older, newer])
      .catch(() => '');
    return base.trim() === older;
  }

  /** The spec directory as it is at `commit`, read from git objects (no checkout that could change underneath). */
  async treeAt(commit: string, displayRoot: string): Promise<SpecTree> {
    return this.readFiles(await this.filesAt(commit), displayRoot);
  }

  /** The spec and data files at `commit` with their sizes, listed without reading one byte of them. */
  async filesAt(commit: string): Promise<ListedFile[]> {
    if (!OBJECT_ID.test(commit)) throw new Error(`not a commit id: ${commit}`);
    const git = this.#git.cwd(this.options.dir);
    const prefix = this.options.path.replace(/^\.?\/*|\/+$/g, '');
    const listing = await git.raw(['ls-tree', '-r', '-z', '--long', commit, '--', prefix === '' ? '.' : prefix]);
    const listed: ListedFile[] = [];
    for (const entry of listing.split('\0')) {
      const match = /^(\d+) (\w+) ([0-9a-f]+) +(\d+)\t(.*)$/s.exec(entry);
      // Blobs only: no submodules.
      if (!match || match[2] !== 'blob' || !OBJECT_ID.test(match[3])) continue;
      const path = prefix === '' ? match[5] : match[5].slice(prefix.length + 1);
      if (!SPEC_OR_DATA.test(path) || path.split('/').some((part) => part.startsWith('.'))) continue;
      // A symlink (mode 120000), whose blob is a path, is never read. A linked spec is kept, unread, for the same
      // diagnostic the CLI gives it (dropping it would remove its integration unnoticed); a linked data file is left
      // out, reported missing where used.
      if (match[1] === '120000') {
        if (isSpecFile(path)) listed.push({ path, id: match[3], bytes: 0, unreadable: LINK_NOT_FOLLOWED });
        continue;
      }
      listed.push({ path, id: match[3], bytes: Number(match[4]) });
    }
    return listed;
  }

  /** Reads listed files into a spec tree; a file over its limit is refused from its listed size, never read. */
  async readFiles(listed: readonly ListedFile[], displayRoot: string): Promise<SpecTree> {
    const maxDataBytes = this.options.maxDataBytes ?? MAX_DATA_BYTES;
    const oversize = (f: ListedFile) => f.bytes > sizeLimit(f.path, maxDataBytes);
    const readable = listed.filter((f) => f.unreadable === undefined && !oversize(f));
    const blobs = await readBlobs(
      this.options.dir,
      readable.map((f) => f.id),
    );
    const read = new Map(readable.map((f, i) => [f, blobs[i]]));
    const files: SpecTreeFile[] = listed.map((f) =>
      f.unreadable !== undefined
        ? { path: f.path, bytes: Buffer.alloc(0), unreadable: f.unreadable }
        : oversize(f)
          ? { path: f.path, bytes: Buffer.alloc(0), oversize: f.bytes }
          : { path: f.path, bytes: read.get(f)! },
    );
    files.sort((a, b) => a.path.localeCompare(b.path));
    return treeOf(displayRoot, files, maxDataBytes);
  }
}

/**
 * An empty bare repository at `dir`, made beside it and moved into place whole. The processes of `junction run
 * --workers N` share the mirror and may create it at the same moment: two `git init`s in one directory fail on each
 * other's files, and a half-made one is no repository yet. The first complete one wins; the others are dropped.
 */
async function createMirror(dir: string): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(`${dir}.init-`);
  try {
    await gitWithOwnEnvironment().raw(['init', '--bare', '--quiet', '--', staging]);
    // Replaces an empty directory; fails on another process's mirror, which is as good.
    await rename(staging, dir).catch((error: Error) => {
      if (!existsSync(`${dir}/HEAD`)) throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * simple-git running git with only what git needs of the engine's environment (git-environment.ts), plus `extra`
 * (the token's variables). Its `GIT_*` variables are allowed by name: simple-git drops or refuses any other.
 */
function gitWithOwnEnvironment(timeout?: { block: number }, extra: Record<string, string> = {}): SimpleGit {
  const env = { ...gitEnvironment(), ...extra };
  return simpleGit({
    ...(timeout ? { timeout } : {}),
    allowEnvironment: gitVariableNames(env),
    // GIT_CONFIG_COUNT carries the token's header (git-token.ts); only ours is ever set, never an inherited one.
    unsafe: { allowUnsafeConfigEnvCount: 'GIT_CONFIG_COUNT' in extra },
  }).env(env);
}
