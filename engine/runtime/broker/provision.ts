/**
 * Idempotent provisioning of everything the runtime needs on the broker: the events stream, the KV buckets and the
 * per-partition durable consumers. Safe to run from many processes at once; every setting that matters is explicit
 * (the broker's defaults, 30 s ack wait and unlimited deliveries, are wrong for us).
 */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import type { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { nanos } from '@nats-io/transport-node';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { RuntimeTuning } from '../runtime-options.js';
import { addStreamUnlessThere } from './add-stream.js';
import { createBucket } from './create-bucket.js';
import {
  EVENTS_PREFIX,
  EVENTS_STREAM,
  consumerName,
  eventSubject,
  retryConsumerName,
  retrySubject,
} from './subjects.js';

/** The KV buckets of the runtime, by role. */
export interface RuntimeBuckets {
  /** Completed deliveries, one key per event: a redelivered or duplicate event that finds its key is skipped. */
  ledger: KV;
  /** Completed step calls of events still in progress, so a retry resumes after them. */
  checkpoints: KV;
  /** Hash of the last body written per target record (echo suppression). */
  written: KV;
  /** Cross-references between the record ids of two systems. */
  xref: KV;
  /** Poll cursors of schedule sources. */
  cursors: KV;
  /** Dead-letter entries, written by the engine. */
  dlq: KV;
  /** Cluster-wide settings every process must agree on (partition count). */
  meta: KV;
  /** Events waiting for a required cross-reference (`requires`): since when, how often, for what. */
  waiting: KV;
  /** Retrying keys parked out of their partition's way, with the events queued behind them (worker/key-parking.ts). */
  parked: KV;
  /** Operator controls and their results: paused integrations, alert state and silences, reconcile reports. */
  control: KV;
}

export const BUCKET_NAMES: Record<keyof RuntimeBuckets, string> = {
  ledger: 'junction_ledger',
  checkpoints: 'junction_checkpoints',
  written: 'junction_written',
  xref: 'junction_xref',
  cursors: 'junction_cursors',
  dlq: 'junction_dlq',
  meta: 'junction_meta',
  waiting: 'junction_waiting',
  control: 'junction_control',
  parked: 'junction_parked',
};

/**
 * Creates or updates the events stream. WorkQueue retention: an acked event is removed, DLQ entries keep a copy.
 * Bounded by `eventsMaxBytes`, discarding new: a full stream refuses the publish (ingest answers 507) rather than
 * drop stored events that are not delivered yet.
 */
export async function provisionEventsStream(jsm: JetStreamManager, tuning: RuntimeTuning): Promise<void> {
  const config: Partial<StreamConfig> & { name: string } = {
    name: EVENTS_STREAM,
    subjects: [`${EVENTS_PREFIX}.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: tuning.replicas,
    duplicate_window: nanos(tuning.duplicateWindowMs),
    max_bytes: tuning.eventsMaxBytes,
    discard: DiscardPolicy.New,
  };
  const existing = await addStreamUnlessThere(jsm, config);
  if (
    existing &&
    (existing.config.duplicate_window !== config.duplicate_window ||
      existing.config.max_bytes !== config.max_bytes ||
      existing.config.discard !== config.discard)
  ) {
    const { duplicate_window, max_bytes, discard } = config;
    await jsm.streams.update(EVENTS_STREAM, { duplicate_window, max_bytes, discard });
  }
}

/** Opens (creating when missing) every runtime KV bucket. */
export async function provisionBuckets(kvm: Kvm, tuning: RuntimeTuning): Promise<RuntimeBuckets> {
  const open = (name: string, ttl?: number) =>
    createBucket(kvm, name, {
      history: 1,
      replicas: tuning.replicas,
      storage: StorageType.File,
      ...(ttl ? { ttl } : {}),
    });
  const [ledger, checkpoints, written, xref, cursors, dlq, meta, waiting, control, parked] = await Promise.all([
    open(BUCKET_NAMES.ledger, tuning.ledgerTtlMs),
    open(BUCKET_NAMES.checkpoints, tuning.ledgerTtlMs),
    open(BUCKET_NAMES.written),
    open(BUCKET_NAMES.xref),
    open(BUCKET_NAMES.cursors),
    open(BUCKET_NAMES.dlq),
    open(BUCKET_NAMES.meta),
    open(BUCKET_NAMES.waiting),
    open(BUCKET_NAMES.control),
    open(BUCKET_NAMES.parked),
  ]);
  return { ledger, checkpoints, written, xref, cursors, dlq, meta, waiting, control, parked };
}

/** The key of the shared partition count in the meta bucket. */
const PARTITIONS_KEY = 'partitions';

/**
 * The partition count all processes share: the first engine stores its own, later ones adopt the stored value. An
 * engine never goes on with a count it neither stored nor read (two engines with different counts put one key's
 * events in two partitions): a create that failed with nothing stored to read (it timed out, and the broker did not
 * carry it out) is asked again, and a stored value that is no count is an error that says so.
 */
export async function agreePartitions(meta: KV, wanted: number, attempts = 4): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      await meta.create(PARTITIONS_KEY, String(wanted));
      return wanted;
    } catch (error) {
      failure = error;
    }
    const text = (await meta.get(PARTITIONS_KEY).catch(() => null))?.string();
    const stored = Number(text);
    if (text && Number.isInteger(stored) && stored > 0) return stored;
    if (text)
      throw new Error(
        `KV ${BUCKET_NAMES.meta} key ${PARTITIONS_KEY} holds ${JSON.stringify(text)}, not a partition count: put the count every engine of this cluster uses (a positive integer) there, then start again`,
      );
    if (attempt >= attempts)
      throw new Error(
        `the partition count could be neither stored nor read in KV ${BUCKET_NAMES.meta} (${(failure as Error)?.message}): check that the NATS server answers JetStream requests, then start again`,
      );
  }
}

/**
 * The consumer settings of one partition of an integration. Its state (positions, delivery counts) is kept in the
 * broker's memory unless `partitionConsumerStorage` is `file`: nats-server 2.9.10 rewrites a file-backed consumer's
 * state file up to 10 times a second, a quarter of its CPU at low rates (docs/performance.md, "Broker and latency"). A
 * broker restart loses such a consumer; the pool creates it again (ensureConsumer), and on the work-queue stream the
 * new one starts at the oldest event still stored, so nothing is skipped.
 */
export function partitionConsumerConfig(
  integration: Pick<CompiledIntegration, 'name'>,
  partition: number,
  tuning: RuntimeTuning,
): Partial<ConsumerConfig> {
  return {
    durable_name: consumerName(integration.name, partition),
    filter_subject: eventSubject(integration.name, partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(tuning.ackWaitMs),
    // Unlimited: the engine decides when an event stops (ledger or DLQ, see deliveryLimitReached). A broker limit
    // would drop the event without a DLQ entry and let its partition move on.
    max_deliver: -1,
    // One event in flight per partition, across all processes: per-key order.
    max_ack_pending: 1,
    mem_storage: tuning.partitionConsumerStorage === 'memory',
  };
}

/** Parked keys' tickets at once per integration: a ticket waiting out its backoff is ack-pending. */
const RETRY_MAX_ACK_PENDING = 1000;

/**
 * The consumer of an integration's retry tickets (worker/key-parking.ts): one ticket per parked key, many in flight,
 * so one key's nak(delay) never holds another's. Its state stays on disk: a consumer created anew would hand out
 * every ticket at once, each before its backoff was over.
 */
export function retryConsumerConfig(
  integration: Pick<CompiledIntegration, 'name'>,
  tuning: RuntimeTuning,
): Partial<ConsumerConfig> {
  return {
    durable_name: retryConsumerName(integration.name),
    filter_subject: retrySubject(integration.name),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(tuning.ackWaitMs),
    max_deliver: -1,
    max_ack_pending: RETRY_MAX_ACK_PENDING,
  };
}

/**
 * Creates the partition and retry consumers of an integration, or updates their editable settings. A partition
 * consumer whose state is kept the other way (memory or file, `partitionConsumerStorage`; engines before session 15
 * made them file-backed) is deleted and created again, since nats-server cannot change that in place: it starts at
 * the oldest event still stored, and an event delivered again is harmless (ledger). Returns the names so replaced.
 */
export async function provisionConsumers(
  jsm: JetStreamManager,
  integration: CompiledIntegration,
  partitions: number,
  tuning: RuntimeTuning,
): Promise<string[]> {
  const configs = Array.from({ length: partitions }, (_, p) => partitionConsumerConfig(integration, p, tuning));
  const replaced: string[] = [];
  await Promise.all(
    [...configs, retryConsumerConfig(integration, tuning)].map(async (config) => {
      const name = config.durable_name!;
      const existing = await jsm.consumers.info(EVENTS_STREAM, name).catch(notFoundAs(undefined));
      if (!existing) {
        await ensureConsumer(jsm, config, { lookedUp: true });
        return;
      }
      const c = existing.config;
      if (!!c.mem_storage !== !!config.mem_storage) {
        await jsm.consumers.delete(EVENTS_STREAM, name).catch(notFoundAs(false));
        await ensureConsumer(jsm, config, { lookedUp: true });
        replaced.push(name);
        return;
      }
      if (
        c.ack_wait !== config.ack_wait ||
        c.max_deliver !== config.max_deliver ||
        c.max_ack_pending !== config.max_ack_pending
      ) {
        await jsm.consumers.update(EVENTS_STREAM, name, {
          ack_wait: config.ack_wait,
          max_deliver: config.max_deliver,
          max_ack_pending: config.max_ack_pending,
        });
      }
    }),
  );
  return replaced;
}

/** The settings a consumer of ours cannot do without; a consumer of that name with others is someone else's. */
const ESSENTIAL_SETTINGS = ['filter_subject', 'ack_policy', 'deliver_policy', 'mem_storage'] as const;

/**
 * Creates a consumer unless it exists. Idempotent: when another engine created it first (two engines recreating a
 * consumer after a broker restart), its settings are checked, and one with different essential settings is an error
 * that names them, rather than a consumer silently used with settings it was not made with. Looked up first because
 * nats-server 2.9.10 takes a create of an existing durable as an update and changes a filter or the storage kind of
 * its config without a word (`addConsumerWithAssignment` -> `updateConfig`, which checks neither); 2.10 and later
 * refuse a create with other settings (nats.js 3.4.0 sends `action: "create"`). `lookedUp`: the caller has just
 * found it missing (start-up's provisioning), so the first lookup is skipped; a create that fails still looks.
 */
export async function ensureConsumer(
  jsm: JetStreamManager,
  config: Partial<ConsumerConfig>,
  { lookedUp = false } = {},
): Promise<void> {
  const name = config.durable_name!;
  let failure: unknown;
  let existing = lookedUp ? undefined : await jsm.consumers.info(EVENTS_STREAM, name).catch(notFoundAs(undefined));
  if (!existing) {
    try {
      await jsm.consumers.add(EVENTS_STREAM, config);
      return;
    } catch (error) {
      failure = error;
    }
    existing = await jsm.consumers.info(EVENTS_STREAM, name).catch(notFoundAs(undefined));
    if (!existing) throw failure;
  }
  const differing = ESSENTIAL_SETTINGS.filter((key) => (existing.config[key] ?? false) !== (config[key] ?? false));
  if (differing.length === 0) return;
  const show = (c: Partial<ConsumerConfig>) => differing.map((key) => `${key} ${JSON.stringify(c[key] ?? false)}`);
  throw new Error(
    `consumer ${name} of stream ${EVENTS_STREAM} exists with ${show(existing.config).join(', ')}, ` +
      `but this engine needs ${show(config).join(', ')}${failure ? ` (${(failure as Error).message})` : ''}: ` +
      `give every engine on this broker the same settings, or delete the consumer ` +
      `(nats consumer rm ${EVENTS_STREAM} ${name}) and an engine creates it again`,
  );
}

/** True when a JetStream API call failed because the consumer does not exist (10014). */
export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound;
}

function notFoundAs<T>(value: T): (error: unknown) => T {
  return (error: unknown) => {
    if (
      error instanceof JetStreamApiError &&
      (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound)
    )
      return value;
    throw error;
  };
}
