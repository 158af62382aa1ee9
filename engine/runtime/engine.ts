/**
 * `startEngine`: the runtime's composition root. One process runs the HTTP ingest server, the partition workers and
 * the sources; any number of processes share the work through the same durable consumers. Tests, the demo and
 * GitOps embed it through this function; `junction run` is a thin CLI over it.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { Registry } from 'prom-client';
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import { ConsumerPool } from './worker/consumer-pool.js';
import type { PartitionShare } from './worker/consumer-pool.js';
import { RunningEvents } from './worker/running-events.js';
import { machineIdentity } from './control/machine-identity.js';
import { AttemptMarks } from './worker/attempt-marks.js';
import { CallLeases } from './worker/call-leases.js';
import type { ReplayOutcome } from './stores/dead-letter-replay.js';
import { stepsReplayWouldRerun } from './operator/replay-steps.js';
import { DeadLetterStore, loadDeadLetterIdKey } from './stores/dead-letter-store.js';
import { AuditLog, provisionAuditStream } from './stores/audit-log.js';
import { applyDeadLetterRetention } from './stores/dead-letter-retention.js';
import { DeadLetterIndex } from './stores/dead-letter-index.js';
import { DeliveryLedger } from './stores/delivery-ledger.js';
import { connectNats } from './broker/connect.js';
import { withReplyInbox } from './broker/reply-inbox.js';
import { startEmbeddedNats } from './broker/embedded-nats.js';
import { consumerLag, dropsAtStreamLimit, engineStatus, readEventsStreamUsage } from './observe/engine-status.js';
import type { EngineStatus } from './observe/engine-status.js';
import { EventPublisher } from './ingest/event-publisher.js';
import { requestTimeouts, startHttpServer } from './ingest/http-server.js';
import { readinessProbe } from './observe/readiness.js';
import { brokerLiveness } from './observe/broker-liveness.js';
import type { HttpServerHandle } from './ingest/http-server.js';
import { OperatorActions } from './operator/operator-actions.js';
import { RetryingKeys } from './operator/retrying-keys.js';
import { OperatorConfigError, isLoopback, resolveOperatorOptions } from './operator/operator-options.js';
import type { OperatorOptions } from './operator/operator-options.js';
import { startOperatorServer } from './operator/operator-server.js';
import { operatorAddressUrl, publishOperatorAddress } from './operator/operator-address.js';
import { ApiTokens } from './operator/auth/api-tokens.js';
import { operatorAuthenticator } from './operator/auth/authenticator.js';
import { NatsSubjectSources } from './sources/nats-subject-source.js';
import { agreePartitions, provisionBuckets, provisionConsumers, provisionEventsStream } from './broker/provision.js';
import { createRuntimeLogger } from './observe/runtime-logger.js';
import { createRuntimeMetrics, zeroAlertedSeries } from './observe/runtime-metrics.js';
import { resolveTuning } from './runtime-options.js';
import type { RuntimeTuning } from './runtime-options.js';
import { SchedulePoller } from './sources/schedule-poller.js';
import { StreamSources } from './sources/stream-source.js';
import { sourceLeader } from './sources/source-lease.js';
import { readSourceHealth } from './sources/source-health.js';
import type { StreamOpenerFactory } from '../http/stream-opener.js';
import { engineSecrets } from './engine-secrets.js';
import { SpecRegistry } from './spec-registry.js';
import type { InvokerFactory } from './spec-registry.js';
import { ingestWebhook } from './ingest/webhook-ingest.js';
import type { WebhookIngestDeps } from './ingest/webhook-ingest.js';
import { IngestBudget } from './ingest/read-webhook-body.js';
import type { HookReply } from '../gitops/push-webhook.js';
import { StreamRoom } from './ingest/stream-room.js';
import { XrefReplica } from './stores/xref-replica.js';
import { ConfigHealth } from './control/config-health.js';
import { fetchDependency } from './sources/dependency-fetch.js';
import { registerOpsMetrics } from './observe/ops-metrics.js';
import { WaitingStore } from './stores/waiting-store.js';
import { KeyParking } from './worker/key-parking.js';
import { KeyChangeDrains } from './worker/key-change-drain.js';
import { transformEngine } from '../transform/select-engine.js';
import type { TransformEngine } from '../transform/transform-engine.js';
import { ParsedHandoff } from './worker/parsed-handoff.js';
import { PauseControl, readPause } from './control/pause-control.js';
import { opsRoute } from './operator/trace-reconcile-routes.js';
import { reconcileReports } from './control/reconcile-reports.js';
import { ReconcileSchedule } from './control/reconcile-schedule.js';
import { BrokerClock } from './control/broker-clock.js';
import { PartitionMembership, readPartitionMembers } from './control/partition-assignment.js';
import { ConsumerWatchdog } from './control/consumer-watchdog.js';
import { AlertEvaluator } from './alerts/alert-evaluator.js';
import type { AlertSignals } from './alerts/alert-conditions.js';
import { readAlertStates } from './alerts/alert-state.js';
import { TraceLog, provisionTraceStream } from './stores/trace-log.js';
import type { ConnectionSecurity } from '../http/connection-client.js';
import type { CheckRow } from '../ops/check/run-checks.js';
import type { ConnectorRegistry } from '../sdk/connector.js';

export interface EngineOptions {
  /** The compiled spec set to start with (GitOps starts with an empty one and swaps). */
  specSet: CompiledSpecSet;
  /** Builds the StepInvoker of a spec set: the connectors over the HTTP stack (engine/cli/wiring.ts), or a test's. */
  invoker: InvokerFactory;
  /** Opens connectors' stream sources (engine/cli/wiring.ts); without it `source: stream` integrations do not run. */
  streams?: StreamOpenerFactory;
  /** NATS server URL(s). @default an embedded nats-server storing in `<embeddedRoot>/.junction/nats` */
  natsUrl?: string;
  /** Directory holding `.junction/` for the embedded server. @default process.cwd() */
  embeddedRoot?: string;
  /** Extra NATS connection options (credentials, TLS, name). */
  natsOptions?: Partial<NodeConnectionOptions>;
  /** Port of the public listener (webhooks, /healthz, /readyz); 0 picks a free one. @default 8080 */
  port?: number;
  /** Listen address of the public listener. @default 0.0.0.0 */
  host?: string;
  /**
   * The operator listener: dashboard, /api/*, /metrics. @default 127.0.0.1:8081 (a free port when `port` is 0),
   * no sign-in
   */
  operator?: OperatorOptions;
  /** Which parts this process runs. @default all three */
  roles?: { http?: boolean; workers?: boolean; sources?: boolean };
  /**
   * A fixed share of the partitions for this process's workers (consumer-pool.ts), for an embedding program that
   * splits them itself: the engine then stays out of the partition group. @default the partition group's
   * assignment (control/partition-assignment.ts): every partition while this engine is alone
   */
  partitionShare?: PartitionShare;
  /**
   * This engine's machine and pid namespace in the partition group (control/machine-identity.ts): a member there
   * whose process is gone is dead at once, not after its lease. null: none (dead members only run out, as for an
   * engine on another machine). @default read from /proc
   */
  machineIdentity?: string | null;
  tuning?: Partial<RuntimeTuning>;
  logger?: Logger;
  /**
   * The JSONata engine the specs were compiled with: it compiles the old key of a key change another engine began
   * draining before this one started (worker/key-change-drain.ts). @default the junction engine
   */
  transforms?: TransformEngine;
  /** Environment for secret references. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The connectors, to probe each connection (DNS, HTTP, auth) at start and on every swap (`junction check`). */
  connectors?: ConnectorRegistry;
  /** The secret allowlist (webhook secrets too) and the private hosts probes may reach (wiring.security). */
  security?: ConnectionSecurity;
  /**
   * The reader of the metrics `/metrics` and `/api/status` report, given this process's registry. @default this
   * process's registry; a worker of `junction run --workers N` reads every worker's, added up
   * (observe/worker-metrics.ts)
   */
  metricsOf?: (own: Registry) => (names?: readonly string[]) => Promise<Registry>;
}

export interface Engine {
  /** Base URL of the public listener: webhooks and health (undefined when the http role is off). */
  readonly url: string | undefined;
  /** Base URL of the operator listener: dashboard, /api/*, /metrics (undefined when the http role is off). */
  readonly operatorUrl: string | undefined;
  readonly natsUrl: string;
  /** What the engine connects to NATS with (the embedded server's credentials, or `natsOptions`): Git sync uses it. */
  readonly natsOptions: Partial<NodeConnectionOptions>;
  /** The broker's clock as this engine estimates it (control/broker-clock.ts): Git sync's compile lease goes by it. */
  readonly leaseClock: BrokerClock;
  /** The active spec set. */
  readonly specSet: CompiledSpecSet;
  readonly partitions: number;
  readonly deadLetters: DeadLetterStore;
  /** Operator actions (replay, discard, resolve, purge), each recorded in the audit trail. */
  readonly actions: OperatorActions;
  readonly metrics: Registry;
  /** Swaps the active spec set: new integrations start, removed ones stop pulling, changed consumers are updated. */
  applySpecSet(set: CompiledSpecSet): Promise<void>;
  status(): Promise<EngineStatus>;
  /** Replays a dead letter on behalf of the embedding program (audited as actor kind `engine`). */
  replay(id: string, integration?: string): Promise<ReplayOutcome>;
  /** Graceful stop: stop ingest and pulling, finish or nak in-flight events, close NATS. */
  stop(): Promise<void>;
  /** Connects Git sync (engine/gitops): its push webhook and its part of `GET /api/status`. */
  attachSync(hooks: SyncHooks): void;
  /** The `junction check` rows of the active set, once its connection probes are back. */
  checks(): Promise<CheckRow[]>;
}

interface SyncHooks {
  /** `POST /hooks/git`, read against the engine's cap on webhook bytes in flight. */
  webhook(req: IncomingMessage, budget: IngestBudget): Promise<HookReply>;
  status(): Promise<Record<string, unknown>>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  // What a start that fails half-way must undo: a port in use must not leave the embedded server (and its store
  // lock) behind, or a retry in this process (the demo's) could not start one.
  const undo: (() => Promise<void>)[] = [];
  try {
    return await startEngineUndoable(options, undo);
  } catch (error) {
    for (const step of undo.reverse()) await step().catch(() => undefined);
    throw error;
  }
}

async function startEngineUndoable(options: EngineOptions, undo: (() => Promise<void>)[]): Promise<Engine> {
  // The counters count from here; status says so (they start again from 0 on a restart).
  const startedAt = new Date();
  const log = options.logger ?? createRuntimeLogger();
  const tuning = resolveTuning(options.tuning);
  const roles = { http: true, workers: true, sources: true, ...options.roles };
  const initial = options.specSet;
  // A free public port (tests, several engines on one machine) means a free operator port too, unless one is given.
  const operatorOptions = resolveOperatorOptions({ ...(options.port === 0 ? { port: 0 } : {}), ...options.operator });
  if (roles.http && operatorOptions.auth === 'none' && !isLoopback(operatorOptions.host) && !operatorOptions.insecure)
    throw new OperatorConfigError(
      `refusing to serve the dashboard, /api and /metrics without sign-in on ${operatorOptions.host}: ` +
        'turn on sign-in (--operator-auth token or oidc), bind them to loopback (--operator-host 127.0.0.1, ' +
        'the default), or pass --insecure-operator ' +
        '(anyone who reaches the port can read every dead letter and replay it)',
    );

  const embedded = options.natsUrl ? undefined : await startEmbeddedNats(options.embeddedRoot);
  if (embedded) undo.push(() => embedded.stop());
  const natsUrl = options.natsUrl ?? embedded!.url;
  const natsOptions = { ...embedded?.connectOptions, ...options.natsOptions };
  // A silent partition is noticed within ~15 s, so /readyz and ingest turn away work that cannot be stored.
  const nc = await connectNats(natsUrl, 'engine', 'junction', natsOptions);
  undo.push(() => nc.close());
  let connected = true;
  // When the connection was lost, for /readyz's reason.
  let disconnectedAt: Date | undefined;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'close')
        [connected, disconnectedAt] = [false, disconnectedAt ?? new Date()];
      if (s.type === 'reconnect') [connected, disconnectedAt] = [true, undefined];
      if (s.type === 'disconnect' || s.type === 'reconnect') log.warn({ nats: s.type }, `NATS ${s.type}`);
    }
  })();
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  // The per-event broker calls (event publish, KV reads and writes) skip nats.js's request() (broker/reply-inbox.ts).
  const eventJs = jetstream(withReplyInbox(nc));
  await provisionEventsStream(jsm, tuning);
  if (dropsAtStreamLimit(nc.info?.version))
    log.warn(
      { nats: nc.info?.version },
      'this nats-server deletes the oldest stored events when the events stream reaches --events-max-bytes, ' +
        'instead of only refusing new ones (nats-io/nats-server#4771, fixed in 2.10.5); this engine refuses events ' +
        'before the limit by its own count, which other engines on the stream can outrun: upgrade nats-server',
    );
  await provisionAuditStream(jsm, { replicas: tuning.replicas });
  await provisionTraceStream(jsm, { replicas: tuning.replicas, maxAgeMs: tuning.ledgerTtlMs });
  const buckets = await provisionBuckets(new Kvm(eventJs), tuning);
  await applyDeadLetterRetention(jsm, tuning.dlqRetentionMs);
  const partitions = await agreePartitions(buckets.meta, tuning.partitions);
  if (partitions !== tuning.partitions)
    log.warn({ stored: partitions, requested: tuning.partitions }, 'using the partition count stored in KV');
  const xref = new XrefReplica(buckets.xref);
  await xref.start();

  const specs = new SpecRegistry(initial, options.invoker);
  // Masked by value wherever step data is kept for people: trace records, dead letters, the worker's log lines.
  const secrets = engineSecrets(() => specs.active, options.env ?? process.env, options.security?.secretPolicy);
  const trace = new TraceLog(js, jsm, nc, secrets);
  const redactPaths = (integration: string) => specs.active.integrations.get(integration)?.redact ?? [];
  const health = new ConfigHealth(
    options.env ?? process.env,
    log,
    options.connectors,
    options.security,
    () => nc.info?.max_payload,
  );
  void health.refresh(initial);
  const ingestBudget = new IngestBudget(tuning.maxIngestBytesInFlight);
  const metrics = createRuntimeMetrics(() => consumerLag(jsm, specs.active.integrations.keys(), partitions), {
    defaultMetrics: !!options.port,
    readEventsStream: () => readEventsStreamUsage(jsm),
    webhookBytesInFlight: () => ingestBudget.used,
  });
  const readMetrics = options.metricsOf?.(metrics.registry) ?? (async () => metrics.registry);
  const deadLetters = new DeadLetterStore(buckets.dlq, await loadDeadLetterIdKey(buckets.meta), secrets);
  let lastStreamRefusal: number | undefined;
  // A server that would trim stored events at the limit is never let near it: this engine counts the room itself.
  const room = dropsAtStreamLimit(nc.info?.version) ? new StreamRoom(() => readEventsStreamUsage(jsm)) : undefined;
  await room?.start();
  if (room) undo.push(async () => room.stop());
  const onStreamFull = (integration: string) => {
    lastStreamRefusal = Date.now();
    metrics.refused.inc({ integration, reason: 'stream-full' });
  };
  const publisher = new EventPublisher(eventJs, () => partitions, tuning.publishTimeoutMs, onStreamFull, room);
  const actions = new OperatorActions({
    deadLetters,
    publisher,
    audit: new AuditLog(js, jsm),
    trace,
    isActive: (integration) => specs.active.integrations.has(integration),
    stepsRerun: (entry) =>
      stepsReplayWouldRerun(buckets.checkpoints, entry, specs.active.integrations.get(entry.integration)),
    paused: (integration) => readPause(buckets.control, integration),
  });
  const waiting = new WaitingStore(buckets.waiting);
  registerOpsMetrics(metrics.registry, {
    integrations: () => specs.active.integrations.keys(),
    // Both defined further down, once the dead-letter index and the connection state exist; read on a scrape.
    openDeadLetters: () => openDeadLetters(),
    natsConnected: () => ready(),
    waiting: () => waiting.counts(),
    reconcile: () => reconcileReports(buckets.control),
    alerts: () => readAlertStates(buckets.control),
    // Defined further down too (it needs the parking); read on a scrape.
    keyChanges: (integration) => keyChanges.status(integration),
  });
  // This engine in leases and on the dashboard: host, process id and a tag for engines sharing a process (tests).
  // It is also part of KV keys (alert counts), so it keeps to the characters NATS allows in a key.
  const holder = `${hostname().replace(/[^-\w.]/g, '_')}_${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  // Every lease's `until` is by the broker's clock, as this engine estimates it from its own writes' timestamps.
  const clock = new BrokerClock(buckets.control, holder);
  const estimate = await clock.start();
  undo.push(async () => clock.stop());
  if (!estimate)
    log.warn(
      "no estimate of the broker's clock yet: leases go by this machine's clock until one is taken (tried every second)",
    );
  else if (Math.abs(estimate.offsetMs) > 1_000)
    log.warn(
      { offsetMs: Math.round(estimate.offsetMs) },
      "this machine's clock is off the broker's: leases go by the broker's",
    );
  // One parse per webhook event when this process both ingests and delivers it.
  const handoff = roles.http && roles.workers ? new ParsedHandoff() : undefined;
  const parking = new KeyParking(buckets.parked, eventJs);
  // A hot-loaded change of an integration's key: its records' newer events wait behind their old key's.
  const transforms = options.transforms ?? transformEngine();
  const keyChanges = new KeyChangeDrains({
    jsm,
    control: buckets.control,
    compile: (source) => transforms.compile(source),
    parking,
    partitions: () => partitions,
    guards: tuning.guards,
    log,
  });
  const leases = new CallLeases(holder, tuning.ackWaitMs, metrics, clock);
  const ctx = {
    specs,
    buckets,
    ledger: new DeliveryLedger(buckets.ledger),
    deadLetters,
    xref,
    tuning,
    metrics,
    log,
    waiting,
    parking,
    running: new RunningEvents(),
    leases,
    // Two ack waits: renewed every third of one by the in-flight heartbeat, so only a dead or frozen engine's runs out.
    attemptMarks: new AttemptMarks(buckets.parked, leases, 2 * tuning.ackWaitMs),
    fetchDependency: (map: string, key: string) =>
      fetchDependency({ specs, xref: xref.xref, publisher, guards: tuning.guards, log }, map, key),
    trace,
    handoff,
    secrets,
    keyChanges,
  };
  // Engines that run workers share the partitions as a group, each pulling its own (control/partition-assignment.ts).
  const grouped = roles.workers && !options.partitionShare;
  const pool = new ConsumerPool(js, jsm, ctx, options.partitionShare, grouped);
  const membership = grouped
    ? new PartitionMembership({
        control: buckets.control,
        holder,
        clock,
        ttlMs: tuning.partitionLeaseTtlMs,
        partitions,
        puller: pool,
        log,
        machine: options.machineIdentity === undefined ? machineIdentity() : (options.machineIdentity ?? undefined),
      })
    : undefined;
  const sourceDeps = { specs, publisher, metrics, log, guards: tuning.guards, deadLetters };
  const lease = { control: buckets.control, holder, clock, ttlMs: tuning.sourceLeaseTtlMs };
  // A source's failures are stored with the secrets' values masked, as log lines are.
  const sourceHealth = { control: buckets.control, metrics, log, secrets: secrets.values() };
  const poller = new SchedulePoller({
    ...sourceDeps,
    cursors: buckets.cursors,
    pagesPerRound: tuning.pollPagesPerRound,
    lease,
    health: sourceHealth,
    xref: xref.xref,
  });
  const natsSources = new NatsSubjectSources({ ...sourceDeps, nc });
  const reconciles = options.connectors
    ? new ReconcileSchedule({
        specs,
        control: buckets.control,
        connectors: options.connectors,
        env: options.env ?? process.env,
        security: options.security,
        xref,
        publisher,
        guards: tuning.guards,
        log,
        holder,
        clock,
      })
    : undefined;
  const openDeadLetters = async () => {
    if (dlqIndex) return dlqIndex.openCounts();
    const counts = new Map<string, number>();
    for (const d of await deadLetters.list({ status: 'open' }))
      counts.set(d.integration, (counts.get(d.integration) ?? 0) + 1);
    return counts;
  };
  const alerts = new AlertEvaluator({
    specs,
    control: buckets.control,
    metrics,
    openDeadLetters,
    lag: (integrations) => consumerLag(jsm, integrations, partitions),
    sync: async () => (await sync?.status()) as AlertSignals['sync'],
    env: options.env ?? process.env,
    security: options.security,
    log,
    holder,
    clock,
    intervalMs: tuning.alertIntervalMs,
  });
  const watchdog = new ConsumerWatchdog({
    jsm,
    specs,
    control: buckets.control,
    parking: ctx.parking,
    holder,
    clock,
    partitions,
    tuning,
    registry: metrics.registry,
    log,
  });
  const streamSources = new StreamSources({
    ...sourceDeps,
    cursors: buckets.cursors,
    open: options.streams,
    lease,
    health: sourceHealth,
  });

  // Paused integrations (junction pause) keep storing events; their workers stop pulling until resumed.
  const pause = new PauseControl(buckets.control);
  await pause.start((name, paused) => {
    log.warn({ integration: name, paused }, paused ? 'integration paused: delivery stopped' : 'integration resumed');
    if (!roles.workers) return;
    if (paused) void pool.stopIntegration(name);
    else if (specs.active.integrations.has(name)) void pool.start(name, partitions);
  });
  const startIntegrations = async (set: CompiledSpecSet, previous?: CompiledSpecSet) => {
    for (const integration of set.integrations.values()) {
      const before = previous?.integrations.get(integration.name);
      if (!before || before.retry.maxAttempts !== integration.retry.maxAttempts) {
        const replaced = await provisionConsumers(jsm, integration, partitions, tuning);
        if (replaced.length > 0)
          log.warn(
            { integration: integration.name, consumers: replaced.length, storage: tuning.partitionConsumerStorage },
            'partition consumers kept their state the other way (memory or file): created them again',
          );
      }
      if (roles.workers) zeroAlertedSeries(metrics, integration.name);
      if (roles.workers && !pause.isPaused(integration.name)) await pool.start(integration.name, partitions);
    }
    for (const name of previous?.integrations.keys() ?? [])
      if (!set.integrations.has(name)) await pool.stopIntegration(name);
    if (roles.sources) {
      poller.sync();
      natsSources.sync();
      reconciles?.sync();
      streamSources.sync();
    }
  };
  // Before any delivery: a key change other engines are draining holds the same records' new events here too.
  if (roles.workers) await keyChanges.resume(initial);
  // Joins the partition group: alone, it pulls every partition from the start, as an engine did before the group.
  await membership?.start();
  undo.push(() => membership?.leave() ?? Promise.resolve());
  await startIntegrations(initial);
  // The last set whose integrations all started. A swap is compared with it, not with the set it replaced: a swap
  // the broker refused halfway (a new integration's consumers not created) is done again in full when reapplied.
  let started = initial;

  const ready = () => connected && !nc.isClosed();
  const liveness = brokerLiveness({ ping: () => nc.flush(), down: () => !ready() });
  undo.push(async () => liveness.stop());
  const readiness = readinessProbe({
    natsDown: () => (ready() ? undefined : { since: disconnectedAt ?? new Date(), closed: nc.isClosed() }),
    commit: () => specs.active.commit,
    stopping: () => stopping !== undefined,
    jsm,
    brokerStalled: liveness.stalled,
  });
  // A replay by the embedding program (the demo, tests) is audited as the engine's own.
  const replay = (id: string, integration?: string) =>
    actions.replay({ kind: 'engine', id: 'embedded' }, id, { integration });
  let http: HttpServerHandle | undefined;
  let operator: HttpServerHandle | undefined;
  let dlqIndex: DeadLetterIndex | undefined;
  let address: { stop(): Promise<void> } | undefined;
  if (roles.http) {
    dlqIndex = new DeadLetterIndex(buckets.dlq, tuning.dlqRetentionMs, redactPaths);
    await dlqIndex.start();
    const onError = (error: unknown) => log.error({ err: error }, 'HTTP handler failed');
    // Built once, not per request: every field is fixed for the engine's life.
    const ingestDeps: WebhookIngestDeps = {
      specs,
      publisher,
      broker: {
        unavailable: () => (ready() ? liveness.stalled() : 'NATS is not connected'),
        answered: liveness.answered,
      },
      metrics,
      log,
      guards: tuning.guards,
      env: options.env,
      secretPolicy: options.security?.secretPolicy,
      outbound: options.security?.outbound,
      budget: ingestBudget,
      handoff,
    };
    http = await startHttpServer(
      {
        ingest: (name, req) => ingestWebhook(name, req, ingestDeps),
        readiness,
        gitWebhook: (req) =>
          sync
            ? sync.webhook(req, ingestBudget)
            : Promise.resolve({
                status: 404,
                body: { error: 'not-found', message: 'Git sync is not enabled (junction run --repo …)' },
              }),
      },
      {
        port: options.port ?? 8080,
        host: options.host ?? '0.0.0.0',
        keepAliveMs: tuning.httpKeepAliveMs,
        timeouts: requestTimeouts(tuning),
        onError,
      },
    );
    const tokens = await ApiTokens.open(new Kvm(js), tuning.replicas);
    const authenticator = await operatorAuthenticator(
      new Kvm(js),
      tokens,
      actions.audit,
      operatorOptions,
      tuning,
      (e) => log.error({ err: e }, 'sign-in audit failed'),
    );
    if (operatorOptions.insecure && operatorOptions.auth === 'none' && !isLoopback(operatorOptions.host))
      log.warn(
        { host: operatorOptions.host },
        'INSECURE: the operator surface (dead letters, replay, metrics) is served WITHOUT sign-in beyond loopback',
      );
    operator = await startOperatorServer(
      {
        metrics: async () => {
          const registry = await readMetrics();
          return { contentType: registry.contentType, body: await registry.metrics() };
        },
        status: () => status(),
        deadLetters,
        dlqIndex,
        actions,
        redactPaths,
        retrying: new RetryingKeys({
          parking,
          ledger: ctx.ledger,
          trace,
          audit: actions.audit,
          paused: (integration) => readPause(buckets.control, integration),
        }),
        ops: (method, url, role) =>
          opsRoute(
            { trace, deadLetters, reconcileReports: () => reconcileReports(buckets.control), redactPaths },
            method,
            url,
            role,
          ),
      },
      authenticator,
      { ...operatorOptions, keepAliveMs: tuning.httpKeepAliveMs, onError },
    ).catch(async (error: unknown) => {
      await http?.close();
      throw error;
    });
    log.info(
      { url: http.url, operator: operator.url, nats: natsUrl, commit: initial.commit, partitions },
      'engine started',
    );
    // Where the CLI finds this engine (`junction status` without --url): its URL and sign-in mode, no secret.
    address = publishOperatorAddress(
      buckets.control,
      {
        engine: holder,
        url: operatorAddressUrl(operator.url, operatorOptions.publicUrl?.href),
        started_at: startedAt.toISOString(),
        auth: operatorOptions.auth,
      },
      (error) => log.warn({ err: error }, 'could not publish the operator address; tried again in 10 s'),
    );
  }
  let sync: SyncHooks | undefined;
  // Spec sync's part is read from KV: when that fails, the rest of the status is still answered, and says so.
  const status = async () => {
    const own = await engineStatusOnly();
    const synced = await sync?.status().catch((error: Error) => {
      own.warnings.push(`this answer is partial (ask again): could not read the spec sync status: ${error.message}`);
      return undefined;
    });
    // Both have warnings (this engine's, the sync's: a process that cannot fetch): the answer keeps both.
    const warnings = [...own.warnings, ...((synced?.warnings as string[] | undefined) ?? [])];
    return { ...own, ...synced, warnings } as EngineStatus;
  };
  const engineStatusOnly = () =>
    engineStatus({
      specs,
      jsm,
      openDeadLetters,
      metrics,
      registry: readMetrics,
      partitions: () => partitions,
      connected: ready,
      inFlight: (i) => pool.inFlightCount(i),
      problems: (i) => health.problems(i),
      waiting: () => waiting.counts(),
      paused: (i) => pause.info(i),
      holder,
      partitionMembers: grouped ? () => readPartitionMembers(buckets.control, clock) : undefined,
      sourceLeader: (i) => sourceLeader(buckets.control, i, clock),
      sourceHealth: (i) => readSourceHealth(buckets.control, i),
      lastReconciles: async () => new Map((await reconcileReports(buckets.control)).map((r) => [r.integration, r])),
      lastStreamRefusal: () => lastStreamRefusal,
      serverVersion: () => nc.info?.version,
      keyChanges: (i) => keyChanges.status(i),
      startedAt,
    });

  if (roles.sources) {
    // Before the first round, so `junction alert silence` can check a name as soon as an engine is up.
    await alerts
      .publishLoaded()
      .catch((error: Error) => log.warn({ err: error }, 'could not publish the loaded alerts; retried each round'));
    alerts.start();
  }
  watchdog.start();
  void (async () => {
    for await (const s of nc.status())
      if (s.type === 'reconnect') {
        watchdog.afterReconnect();
        // A restarted broker has lost the consumers whose state it kept in memory.
        if (roles.workers) pool.afterReconnect();
        // Renew the claim now: the outage may have lasted most of its TTL.
        void membership?.round();
        // The broker may be another server now, or its clock stepped: estimate again.
        void clock.sync();
      }
  })();
  let stopping: Promise<void> | undefined;
  return {
    url: http?.url,
    operatorUrl: operator?.url,
    natsUrl,
    natsOptions,
    leaseClock: clock,
    get specSet() {
      return specs.active;
    },
    partitions,
    deadLetters,
    actions,
    metrics: metrics.registry,
    applySpecSet: async (set) => {
      const previous = specs.swap(set);
      // In the same turn as the swap: an event stored under the new key can only be delivered after it.
      keyChanges.begin(previous, set);
      log.info({ commit: set.commit, previous: previous.commit }, 'spec set applied');
      void health.refresh(set);
      await startIntegrations(set, started);
      started = set;
    },
    status,
    replay,
    attachSync: (hooks) => void (sync = hooks),
    checks: () => health.settled(),
    stop: () =>
      (stopping ??= (async () => {
        await Promise.all([http?.close(), operator?.close(), address?.stop()]);
        await poller.stop();
        await reconciles?.stop();
        await alerts.stop();
        await watchdog.stop();
        natsSources.stop();
        keyChanges.stop();
        await streamSources.stop();
        membership?.stopTaking();
        const nakked = await pool.drain(tuning.drainTimeoutMs);
        log.info({ nakked }, 'engine drained');
        // Pulls closed: the other engines take this one's partitions at once, not once its claim ran out.
        await membership?.leave();
        xref.stop();
        dlqIndex?.stop();
        room?.stop();
        pause.stop();
        clock.stop();
        liveness.stop();
        await nc.drain().catch(() => nc.close());
        await embedded?.stop();
      })()),
  };
}
