/**
 * Which machine and process namespace an engine runs in, so an engine can tell that a member of the partition group
 * on the same machine is dead without waiting for its claim to run out: a lone engine SIGKILLed and started again
 * (systemd, a supervisor, `junction run --workers N` replacing a worker) otherwise waited up to `--partition-lease`
 * before pulling the partitions its previous self had claimed, since its id is new at every start.
 *
 * The identity is the kernel's boot id and the process's pid namespace: two engines with the same identity see the
 * same process ids, so a member whose process id does not exist any more (ESRCH) is dead for sure. Anything else
 * (another machine, another container's namespace, no /proc, a process id taken by another process since) gives no
 * answer, and the member's claim runs out as before.
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** `<boot id>/<pid namespace>` (Linux), or undefined where it cannot be read. */
export function machineIdentity(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/** Whether a process with this id exists in this namespace (a process of another user too: EPERM). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** The process id in an engine's holder id (`<host>_<pid>-<tag>`, engine.ts). */
function holderPid(holder: string): number | undefined {
  const pid = /_(\d+)-\w+$/.exec(holder)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/**
 * Whether member `holder` with claim identity `machine` is known dead from here (`mine`: this engine's identity): the
 * same machine and namespace, and no process with its id. False whenever that cannot be known.
 */
export function knownDead(
  holder: string,
  machine: string | undefined,
  mine: string | undefined,
  exists: (pid: number) => boolean = processExists,
): boolean {
  if (mine === undefined || machine !== mine) return false;
  const pid = holderPid(holder);
  return pid !== undefined && pid !== process.pid && !exists(pid);
}
