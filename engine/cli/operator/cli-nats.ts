/**
 * The CLI's direct NATS access (`dlq`, `token`, `status --nats`): the URL from `--nats`, `$JUNCTION_NATS_URL` or the
 * embedded server of a `junction run` in this directory, one short-lived connection, and the actor every action
 * is audited as: the local OS user at this host.
 */
import { hostname, userInfo } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { noNatsTargetMessage, resolveNatsTarget } from '../../runtime/broker/embedded-nats.js';
import { connectNats } from '../../runtime/broker/connect.js';
import type { AuditActor } from '../../runtime/stores/audit-log.js';
import { UsageError } from '../usage-error.js';
import { UnreachableError } from '../unreachable-error.js';

/** Connects, runs `work`, and always closes the connection. */
export async function withNats<T>(natsFlag: string | undefined, work: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const target = await resolveNatsTarget(natsFlag);
  if (!target) throw new UsageError(noNatsTargetMessage());
  let nc: NatsConnection;
  try {
    nc = await connectNats(target.url, 'cli', 'junction-cli', target.options);
  } catch (error) {
    throw natsConnectFailure(target.url, error);
  }
  try {
    return await work(nc);
  } finally {
    await nc.close();
  }
}

/**
 * `cannot connect to NATS at <url>: why`: bad usage (exit 2) when the URL is an HTTP one (the operator URL given as
 * --nats), else the broker not answering (exit 1): the command was right, the cluster is down.
 */
export function natsConnectFailure(url: string, error: unknown): Error {
  const message = `cannot connect to NATS at ${url}: ${(error as Error).message}`;
  return url.split(',').some((u) => /^https?:\/\//i.test(u.trim()))
    ? new UsageError(message)
    : new UnreachableError(message);
}

/** The audit actor of a CLI run talking to NATS directly. */
export function cliActor(): AuditActor {
  let user = process.env.USER ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep $USER.
  }
  return { kind: 'cli', id: `${user}@${hostname()}` };
}
