/**
 * A spec tree: the files of a spec directory, in memory. The CLI reads one from disk; GitOps reads one from a
 * commit. Compilation only ever sees this, so both paths compile exactly the same way.
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface SpecTreeFile {
  /** Path relative to the tree root, with forward slashes. */
  path: string;
  bytes: Buffer;
  /** Why the file could not be read (an errno code such as EACCES, or a symbolic link); its bytes are then empty. */
  unreadable?: string;
  /** The size of a file over its {@link sizeLimit}, which is refused from its size unread; bytes are empty. */
  oversize?: number;
}

/** The largest spec file read: a larger one is refused from its size, before a byte of it is in memory. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/**
 * The largest data file read by default (a lookup's CSV, a test's event file, a record schema, a schema overlay),
 * refused from its size as a spec is. Every engine holds a lookup's table whole: 6 MiB is 100,000 rows of 60 bytes,
 * and the most whose base64 (4/3) fits the largest `max_payload` NATS recommends, 8MB (docs.nats.io
 * reference/config/max_payload; its configuration reads 1KB as 1024): GitOps publishes a spec set, its data files
 * included, as one message. The deployment may raise it (JUNCTION_MAX_DATA_BYTES) up to the ceiling below.
 */
export const MAX_DATA_BYTES = 6 * 1024 * 1024;
/** The most a data file can be: its base64 is 64 MiB, the largest `max_payload` a NATS server can be set to. */
export const MAX_DATA_BYTES_CEILING = 48 * 1024 * 1024;

/** The size over which a file of the tree is refused unread: the spec limit, or the data limit it is read with. */
export const sizeLimit = (path: string, maxDataBytes: number): number =>
  SPEC_FILE.test(path) ? MAX_SPEC_BYTES : maxDataBytes;

/** The data limit a tree was read with. */
export const dataLimit = (tree: SpecTree): number => tree.maxDataBytes ?? MAX_DATA_BYTES;

/**
 * The message for a data file over the tree's data limit, reported where a spec names it: `what` names the file as
 * that spec does, `fix` says how to do without it; below the ceiling, how to raise the limit too.
 */
export function tooLargeData(what: string, size: number, fix: string, limit: number): string {
  const mib = Number((limit / 2 ** 20).toFixed(1));
  const raise =
    limit < MAX_DATA_BYTES_CEILING
      ? `, or raise the limit with JUNCTION_MAX_DATA_BYTES (at most ${MAX_DATA_BYTES_CEILING}, 48 MiB) where specs are validated and on every engine`
      : '';
  return `${what} has ${size} bytes; data files are limited to ${limit} bytes (${mib} MiB): ${fix}${raise}`;
}

export interface SpecTree {
  /** Prefix shown before each path in diagnostics (the directory as the user named it). */
  displayRoot: string;
  files: SpecTreeFile[];
  /** The data limit the files were read with, when not {@link MAX_DATA_BYTES}. */
  maxDataBytes?: number;
}

const SKIPPED_DIRS = new Set(['node_modules', '.git', '.junction']);
/** Why a symbolic link in a spec directory is not read (from disk or from Git alike). */
export const LINK_NOT_FOLLOWED = 'a symbolic link, which is not followed';
/** Why a directory of another Git repository (a checked-out submodule) in a spec directory is not read. */
export const OTHER_REPOSITORY = 'a Git submodule or another repository';
const SPEC_FILE = /\.ya?ml$/i;
const DATA_FILE = /\.(csv|json)$/i;

/** Reads every YAML spec and data file (CSV, JSON fixtures) under `dir`, data files up to `maxDataBytes`. */
export async function readSpecTree(
  dir: string,
  displayRoot = relative(process.cwd(), dir) || '.',
  maxDataBytes = MAX_DATA_BYTES,
): Promise<SpecTree> {
  const files: SpecTreeFile[] = [];
  const info = await stat(dir);
  if (!info.isDirectory()) throw new Error(`${dir} is not a directory`);
  await walk(dir, dir, files, maxDataBytes);
  files.sort((a, b) => a.path.localeCompare(b.path));
  return treeOf(displayRoot, files, maxDataBytes);
}

/** A tree, noting its data limit when it is not the default. */
export const treeOf = (displayRoot: string, files: SpecTreeFile[], maxDataBytes: number): SpecTree => ({
  displayRoot,
  files,
  ...(maxDataBytes === MAX_DATA_BYTES ? {} : { maxDataBytes }),
});

async function walk(root: string, dir: string, out: SpecTreeFile[], maxDataBytes: number): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name) || entry.name.startsWith('.')) continue;
      // A checked-out submodule is no part of this repository's commits, which GitOps reads: its specs would pass
      // CI and never go live (GitOps skips submodules). Its directory is reported once, if it holds specs.
      if (await isRepository(full)) {
        const inside: SpecTreeFile[] = [];
        await walk(root, full, inside, maxDataBytes);
        if (inside.some((f) => SPEC_FILE.test(f.path))) out.push(unreadable(root, full, OTHER_REPOSITORY));
      } else await walk(root, full, out, maxDataBytes);
    } else if (SPEC_FILE.test(entry.name) || DATA_FILE.test(entry.name)) {
      // A link is never followed: one in a pull request could show a file from outside the spec directory in CI.
      const file = entry.isFile()
        ? await readTreeFile(root, full, maxDataBytes)
        : entry.isSymbolicLink()
          ? unreadable(root, full, LINK_NOT_FOLLOWED)
          : undefined;
      // An unreadable spec gets its diagnostic; an unreadable data file is left out, reported missing where used.
      if (file && (!file.unreadable || SPEC_FILE.test(entry.name))) out.push(file);
    }
  }
}

/** A directory with a `.git` of its own (a file in a checked-out submodule, a directory in a nested clone). */
const isRepository = (dir: string) =>
  lstat(join(dir, '.git')).then(
    () => true,
    () => false,
  );

/**
 * One file; a file that cannot be read is kept with the reason, for a diagnostic at its path. A file over its limit
 * is refused from its size: a 2 GiB file in a pull request must not be read into the memory of CI or an engine.
 */
async function readTreeFile(root: string, full: string, maxDataBytes: number): Promise<SpecTreeFile> {
  const path = treePath(root, full);
  try {
    const handle = await open(full, 'r');
    try {
      const { size } = await handle.stat();
      if (size > sizeLimit(path, maxDataBytes)) return { path, bytes: Buffer.alloc(0), oversize: size };
      return { path, bytes: await handle.readFile() };
    } finally {
      await handle.close();
    }
  } catch (error) {
    return unreadable(root, full, (error as NodeJS.ErrnoException).code ?? String(error));
  }
}

function unreadable(root: string, full: string, reason: string): SpecTreeFile {
  return { path: treePath(root, full), bytes: Buffer.alloc(0), unreadable: reason };
}

const treePath = (root: string, full: string) => relative(root, full).split(sep).join('/');

export function isSpecFile(path: string): boolean {
  return SPEC_FILE.test(path);
}

export function isTestFile(path: string): boolean {
  return /\.test\.ya?ml$/i.test(path);
}

/** The tree path of `file`, written relative to the file at tree path `from` (`../fixtures/order.json`). */
export function relativeTreePath(from: string, file: string): string {
  const dir = from.split('/').slice(0, -1);
  for (const part of file.split('/')) {
    if (part === '..') dir.pop();
    else if (part !== '.' && part !== '') dir.push(part);
  }
  return dir.join('/');
}

/** Joins the display root and a tree path for diagnostics (`specs/magento/orders.yaml`). */
export function displayPath(tree: SpecTree, path: string): string {
  return tree.displayRoot === '.' ? path : `${tree.displayRoot.replace(/\/$/, '')}/${path}`;
}
