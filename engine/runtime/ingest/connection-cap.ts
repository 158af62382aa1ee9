/**
 * How many connections the public listener keeps at once. Every connection is a file descriptor, and the process's
 * descriptors are shared by the operator listener, the NATS connection and the calls to targets: without a cap,
 * anyone who reaches the webhook port can take them all by opening connections and keeping them (a keep-alive
 * connection that sends a request now and then is never idle for long), which leaves the dashboard unreachable and
 * every new call to a target failing with EMFILE. So the public listener keeps at most half the descriptors (node:http
 * closes a connection past the cap as soon as it is accepted), and never more than MAX_PUBLIC_CONNECTIONS, which
 * bounds the memory idle connections hold too.
 */
import { readFileSync } from 'node:fs';

export const MAX_PUBLIC_CONNECTIONS = 16_384;

/** Where the descriptor limit cannot be read (not Linux): a cap below the usual limits of other systems. */
const UNKNOWN_LIMIT_CAP = 4_096;

/**
 * The cap for this process: half its descriptor limit (`ulimit -n`; Node raises the soft limit to the hard one as it
 * starts), at most MAX_PUBLIC_CONNECTIONS. `limits` is the text of /proc/self/limits.
 */
export function publicConnectionCap(limits: string | undefined = procLimits()): number {
  const soft = limits && /^Max open files\s+(\d+|unlimited)\s/m.exec(limits)?.[1];
  if (!soft) return UNKNOWN_LIMIT_CAP;
  if (soft === 'unlimited') return MAX_PUBLIC_CONNECTIONS;
  return Math.max(1, Math.min(MAX_PUBLIC_CONNECTIONS, Math.floor(Number(soft) / 2)));
}

function procLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}
