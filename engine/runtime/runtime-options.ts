/**
 * Tunables of the runtime, in one typed stage: user options -> resolved options with every default filled in.
 * The defaults suit production; tests compress the timings (ack wait about 1 s, backoff in ms).
 */
import type { TransformGuards } from '../transform/transform-engine.js';

export interface RuntimeTuning {
  /**
   * Partitions per integration. Events with the same key land in the same partition, and each partition has one
   * ordered durable consumer (max_ack_pending 1), so this is also the per-integration concurrency. Must be the
   * same on every process: the first engine stores it in KV and later ones adopt the stored value.
   * @default 16
   */
  partitions: number;
  /** Consumer ack wait: how long a silent worker keeps an event before it is redelivered. @default 30000 */
  ackWaitMs: number;
  /** Extra deliveries above the integration's max attempts, reserved for crash redeliveries. @default 5 */
  crashDeliveries: number;
  /** Broker dedup window for `Nats-Msg-Id`; the ledger covers duplicates beyond it. @default 120000 */
  duplicateWindowMs: number;
  /** Stream and KV replicas (use 3 on a cluster). @default 1 */
  replicas: number;
  /** How long a graceful stop waits for in-flight events before it naks them. @default 10000 */
  drainTimeoutMs: number;
  /** How long ingest waits for a PubAck before answering 503. @default 5000 */
  publishTimeoutMs: number;
  /**
   * Retention of ledger entries and checkpoints (duplicates older than this are no longer detected). @default 7 days
   */
  ledgerTtlMs: number;
  /** How long a dead letter (customer data) is kept after its last change; then the broker deletes it. @default 30d */
  dlqRetentionMs: number;
  /** Upper bound of any retry delay, even one asked for by Retry-After. @default 1 hour */
  maxRetryDelayMs: number;
  /**
   * Webhook body bytes this process reads at once, across requests; past it ingest answers 503 with Retry-After,
   * so a flood of large (or unsigned) requests cannot exhaust memory. @default 64 MiB
   */
  maxIngestBytesInFlight: number;
  /**
   * Size limit of the events stream (events stored and not yet delivered, across integrations). When it is reached
   * the stream refuses new events (discard `new`: stored events are never dropped to make room) and ingest answers
   * 507, so the sender keeps the event and retries. @default 8 GiB
   */
  eventsMaxBytes: number;
  /** How often Alert specs are evaluated (by one process of the cluster at a time). @default 15000 */
  alertIntervalMs: number;
  /**
   * How long an engine leads a stream or schedule source without renewing its lease: when the leader dies, another
   * engine takes the source over within this. It renews every third of it. @default 15000
   */
  sourceLeaseTtlMs: number;
  /**
   * How long an engine's claim on its partitions holds without renewal (control/partition-assignment.ts): when an
   * engine dies, the others take its partitions over once this ran out (an event it held in flight waits for the
   * ack wait as well). It renews every third of it. @default 10000
   */
  partitionLeaseTtlMs: number;
  /**
   * How often one engine of the cluster looks for consumers stuck on an event that a broker crash left ack-pending
   * after it was removed (runtime/control/consumer-watchdog.ts); such a consumer is recreated on the second round
   * that finds it unchanged. For two minutes after the engine reconnects to NATS (a broker restart is what leaves
   * such consumers) the rounds run every 5 s, or this often if shorter. 0 turns the check off. @default 60000
   */
  stuckConsumerCheckMs: number;
  /**
   * Where nats-server keeps the partition consumers' state (delivered and acked positions; the events stay on disk
   * either way). `memory` spares the broker a state file rewrite per consumer up to 10 times a second
   * (docs/performance.md, "Broker and latency"); after a broker restart those consumers are gone and every engine that
   * runs workers creates them again, starting at the oldest event still stored. `file` keeps them, and their delivery
   * counts, across restarts. Every engine on one broker must use the same value: an engine that finds the other kind
   * at its start replaces the consumer. @default 'memory'
   */
  partitionConsumerStorage: 'memory' | 'file';
  /**
   * How long the HTTP listeners keep an idle keep-alive connection open. Above a load balancer's idle timeout, so the
   * balancer, not the engine, closes idle connections: otherwise it may send a request on a connection the engine is
   * closing and answer the sender 502 (AWS ALB's docs; its default is 60 s). @default 65000
   */
  httpKeepAliveMs: number;
  /**
   * How long a webhook sender may take to send its request's headers (`junction run --headers-timeout`); past it the
   * public listener answers 408 and closes the connection. Node's own default is 60 s; nginx's
   * `client_header_timeout` is 60 s. A sender that means well sends its headers at once. @default 15000
   */
  httpHeadersTimeoutMs: number;
  /**
   * How long a webhook sender may take to send its whole request, headers and body (`junction run
   * --request-timeout`); past it the public listener answers 408, closes the connection and stores nothing of it,
   * however steadily the bytes trickle in. Node's own default is 300 s. Senders give up sooner (GitHub after 10 s),
   * and 30 s carries a 16 MiB body (the most `max_body_bytes` allows) at 4.5 Mbit/s. @default 30000
   */
  httpRequestTimeoutMs: number;
  /**
   * Pages one schedule poll reads at most (`junction run --poll-pages`). A source whose pages come in cursor order
   * stores its position after each page and the next poll starts at once from there; any other stores what it read
   * and fails the round without moving its position (narrow its query). Either way it is logged. @default 1000
   */
  pollPagesPerRound: number;
  /** JSONata guards for every evaluation. */
  guards: TransformGuards;
}

export const DEFAULT_TUNING: RuntimeTuning = {
  partitions: 16,
  ackWaitMs: 30_000,
  crashDeliveries: 5,
  duplicateWindowMs: 120_000,
  replicas: 1,
  drainTimeoutMs: 10_000,
  publishTimeoutMs: 5_000,
  ledgerTtlMs: 7 * 24 * 3600_000,
  dlqRetentionMs: 30 * 24 * 3600_000,
  maxRetryDelayMs: 3600_000,
  maxIngestBytesInFlight: 64 * 1024 * 1024,
  eventsMaxBytes: 8 * 1024 ** 3,
  alertIntervalMs: 15_000,
  sourceLeaseTtlMs: 15_000,
  partitionLeaseTtlMs: 10_000,
  stuckConsumerCheckMs: 60_000,
  partitionConsumerStorage: 'memory',
  httpKeepAliveMs: 65_000,
  httpHeadersTimeoutMs: 15_000,
  httpRequestTimeoutMs: 30_000,
  pollPagesPerRound: 1000,
  guards: { timeoutMs: 1000, maxDepth: 500, maxOutputLength: 10_000_000 },
};

export function resolveTuning(partial: Partial<RuntimeTuning> = {}): RuntimeTuning {
  const tuning = { ...DEFAULT_TUNING, ...partial, guards: { ...DEFAULT_TUNING.guards, ...partial.guards } };
  if (!Number.isInteger(tuning.partitions) || tuning.partitions < 1)
    throw new RangeError(`partitions must be a positive integer, got ${tuning.partitions}`);
  if (tuning.sourceLeaseTtlMs < 300)
    throw new RangeError(`sourceLeaseTtlMs must be at least 300 ms, got ${tuning.sourceLeaseTtlMs}`);
  if (tuning.partitionLeaseTtlMs < 300)
    throw new RangeError(`partitionLeaseTtlMs must be at least 300 ms, got ${tuning.partitionLeaseTtlMs}`);
  if (!Number.isSafeInteger(tuning.eventsMaxBytes) || tuning.eventsMaxBytes < 1024)
    throw new RangeError(`eventsMaxBytes must be an integer of at least 1024, got ${tuning.eventsMaxBytes}`);
  if (tuning.partitionConsumerStorage !== 'memory' && tuning.partitionConsumerStorage !== 'file')
    throw new RangeError(
      `partitionConsumerStorage must be 'memory' or 'file', got ${JSON.stringify(tuning.partitionConsumerStorage)}`,
    );
  if (!(tuning.httpHeadersTimeoutMs >= 100 && tuning.httpRequestTimeoutMs >= tuning.httpHeadersTimeoutMs))
    throw new RangeError(
      `the headers timeout must be at least 100 ms and at most the request timeout, got headers ` +
        `${tuning.httpHeadersTimeoutMs} ms, request ${tuning.httpRequestTimeoutMs} ms`,
    );
  if (tuning.ackWaitMs < 100) throw new RangeError(`ackWaitMs must be at least 100 ms, got ${tuning.ackWaitMs}`);
  return tuning;
}
