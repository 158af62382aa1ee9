/**
 * One embedded nats-server per store: a lock file (`.junction/nats.lock`, created exclusively) holds the pid of the
 * `junction run` that owns the server. A second one on the same store is refused while the owner lives; a lock left
 * by a dead owner (SIGKILL, power loss) is taken over.
 */
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';

/** Raised when another live process owns the store; the message says what to do instead. */
export class StoreInUseError extends Error {
  override name = 'StoreInUseError';
  constructor(
    readonly dir: string,
    readonly ownerPid: number,
    lockPath: string,
  ) {
    super(
      `another junction run (pid ${ownerPid}) owns the embedded NATS server of ${dir}; ` +
        'one store has one server. Stop that engine first, run this one from another directory, ' +
        'use `junction run --workers N` for several engines on one machine, ' +
        `or give every engine the same NATS server with --nats (if pid ${ownerPid} is no junction run, ` +
        `delete ${lockPath})`,
    );
  }
}

/** Locks this process holds: its own pid in a lock file is then no leftover of an earlier process with that pid. */
const held = new Set<string>();

/** Takes the lock at `path` for this process; resolves with the function that releases it. */
export async function acquireStoreLock(path: string, dir: string): Promise<() => Promise<void>> {
  if (held.has(path)) throw new StoreInUseError(dir, process.pid, path);
  // Written aside, then linked into place: link() fails when the lock exists, and the lock never exists empty.
  const mine = `${path}.${process.pid}`;
  await writeFile(mine, `${process.pid}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const taken = await link(mine, path).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'EEXIST') return false;
          throw error;
        },
      );
      if (taken) {
        held.add(path);
        return async () => {
          held.delete(path);
          if ((await lockOwner(path)) === process.pid) await unlink(path).catch(() => undefined);
        };
      }
      await removeIfStale(path, dir);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
  throw new Error(`could not take the lock ${path}: it keeps reappearing`);
}

async function removeIfStale(path: string, dir: string): Promise<void> {
  const owner = await lockOwner(path);
  // Our own pid, but not held by us: left by an earlier process with the same pid (pid 1 in a restarted container).
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new StoreInUseError(dir, owner, path);
  // Stale: moved aside under a unique name first, so of two processes taking it over only one removes it.
  const aside = `${path}.stale-${process.pid}-${Date.now()}`;
  if (
    await rename(path, aside).then(
      () => true,
      () => false,
    )
  )
    await unlink(aside).catch(() => undefined);
}

async function lockOwner(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while a process with this pid exists (EPERM: it exists, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
