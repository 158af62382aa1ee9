/**
 * The short-lived NATS connection of the operator commands (xref, pause, trace, backfill, reconcile, alert): found
 * like `junction dlq` finds it (--nats, $JUNCTION_NATS_URL, or the embedded server of a `junction run` here), closed
 * when the command ends. Operator actions are audited as the local user at this host (`user@host`), as dlq's are.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RuntimeBuckets } from '../runtime/broker/provision.js';
import type { AuditActor, AuditEntry, AuditLog } from '../runtime/stores/audit-log.js';
import { UsageError } from './usage-error.js';

export interface Cluster {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Opens a runtime bucket that an engine has created (a usage error when none has run on this cluster yet). */
  bucket(name: keyof RuntimeBuckets): Promise<KV>;
  /** The partition count the engines agreed on. */
  partitions(): Promise<number>;
  actor: AuditActor;
  /** Appends an entry to the audit trail as this command's actor (creating the stream on first use). */
  audit(entry: Omit<AuditEntry, 'at' | 'actor' | 'result'> & { result?: AuditEntry['result'] }): Promise<void>;
}

export const NATS_OPTION_HELP =
  'NATS URL (default: $JUNCTION_NATS_URL, else the embedded server of `junction run` here)';

export async function withCluster<T>(
  natsOption: string | undefined,
  name: string,
  run: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  // Loaded when a command connects, so declaring the operator commands keeps `junction --help` fast.
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const { Kvm } = await import('@nats-io/kv');
  const { connectNats } = await import('../runtime/broker/connect.js');
  const { noNatsTargetMessage, resolveNatsTarget } = await import('../runtime/broker/embedded-nats.js');
  const { BUCKET_NAMES } = await import('../runtime/broker/provision.js');
  const { AuditLog, provisionAuditStream } = await import('../runtime/stores/audit-log.js');
  const { cliActor, natsConnectFailure } = await import('./operator/cli-nats.js');
  const target = await resolveNatsTarget(natsOption);
  if (!target) throw new UsageError(noNatsTargetMessage());
  const { url } = target;
  let nc: NatsConnection;
  try {
    nc = await connectNats(url, 'cli', name, target.options);
  } catch (error) {
    throw natsConnectFailure(url, error);
  }
  try {
    const jsm = await jetstreamManager(nc);
    const js = jsm.jetstream();
    const kvm = new Kvm(js);
    const bucket = (role: keyof RuntimeBuckets) =>
      kvm.open(BUCKET_NAMES[role], { bindOnly: true }).catch(() => {
        throw new UsageError(`no ${BUCKET_NAMES[role]} bucket on ${url}: has an engine run on this cluster yet?`);
      });
    const partitions = async () => Number((await (await bucket('meta')).get('partitions'))?.string()) || 16;
    const actor = cliActor();
    let log: AuditLog | undefined;
    const audit: Cluster['audit'] = async (entry) => {
      if (!log) {
        await provisionAuditStream(jsm);
        log = new AuditLog(js, jsm);
      }
      await log.record({ result: 'ok', ...entry, actor });
    };
    return await run({ nc, js, jsm, bucket, partitions, actor, audit });
  } finally {
    await nc.close();
  }
}
