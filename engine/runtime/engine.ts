/**
 * `startEngine`: the runtime's composition root. One process runs the HTTP ingest server, the partition workers and
 * the sources; any number of processes share the work through the same durable consumers. Tests, the demo and
 * GitOps embed it through this function; `junction run` is a thin CLI over it.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { IncomingMessage } from 'node:http';
import type { Registry } from 'prom-client';
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import { ConsumerPool } from './worker/consumer-pool.js';
import { replayDeadLetter } from './stores/dead-letter-replay.js';
import type { ReplayOutcome } from './stores/dead-letter-replay.js';
import { DeadLetterStore, redactedView } from './stores/dead-letter-store.js';
import { DeliveryLedger } from './stores/delivery-ledger.js';
import { connectNats } from './broker/connect.js';
import { startEmbeddedNats } from './broker/embedded-nats.js';
import { consumerLag, engineStatus } from './observe/engine-status.js';
import type { EngineStatus } from './observe/engine-status.js';
import { EventPublisher } from './ingest/event-publisher.js';
import { startHttpServer } from './ingest/http-server.js';
import type { HttpServerHandle } from './ingest/http-server.js';
import { NatsSubjectSources } from './sources/nats-subject-source.js';
import { agreePartitions, provisionBuckets, provisionConsumers, provisionEventsStream } from './broker/provision.js';
import { createRuntimeLogger } from './observe/runtime-logger.js';
import { createRuntimeMetrics } from './observe/runtime-metrics.js';
import { resolveTuning } from './runtime-options.js';
import type { RuntimeTuning } from './runtime-options.js';
import { SchedulePoller } from './sources/schedule-poller.js';
import { SpecRegistry } from './spec-registry.js';
import type { InvokerFactory } from './spec-registry.js';
import { ingestWebhook } from './ingest/webhook-ingest.js';
import { XrefReplica } from './stores/xref-replica.js';

export interface EngineOptions {
  /** The compiled spec set to start with (GitOps starts with an empty one and swaps). */
  specSet: CompiledSpecSet;
  /** Builds the StepInvoker of a spec set: the connectors over the HTTP stack (engine/cli/wiring.ts), or a test's. */
  invoker: InvokerFactory;
  /** NATS server URL(s). @default an embedded nats-server storing in `<embeddedRoot>/.junction/nats` */
  natsUrl?: string;
  /** Directory holding `.junction/` for the embedded server. @default process.cwd() */
  embeddedRoot?: string;
  /** Extra NATS connection options (credentials, TLS, name). */
  natsOptions?: Partial<NodeConnectionOptions>;
  /** HTTP port; 0 picks a free one. @default 8080 */
  port?: number;
  /** @default 0.0.0.0 */
  host?: string;
  /** Which parts this process runs. @default all three */
  roles?: { http?: boolean; workers?: boolean; sources?: boolean };
  tuning?: Partial<RuntimeTuning>;
  logger?: Logger;
  /** Environment for secret references. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export interface Engine {
  /** Base URL of the HTTP server (undefined when the http role is off). */
  readonly url: string | undefined;
  readonly natsUrl: string;
  /** The active spec set. */
  readonly specSet: CompiledSpecSet;
  readonly partitions: number;
  readonly deadLetters: DeadLetterStore;
  readonly metrics: Registry;
  /** Swaps the active spec set: new integrations start, removed ones stop pulling, changed consumers are updated. */
  applySpecSet(set: CompiledSpecSet): Promise<void>;
  status(): Promise<EngineStatus>;
  replay(id: string, integration?: string): Promise<ReplayOutcome>;
  /** Graceful stop: stop ingest and pulling, finish or nak in-flight events, close NATS. */
  stop(): Promise<void>;
  /** Connects Git sync (engine/gitops): its push webhook and its part of `GET /api/status`. */
  attachSync(hooks: SyncHooks): void;
}

export interface SyncHooks {
  webhook(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }>;
  status(): Promise<Record<string, unknown>>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.logger ?? createRuntimeLogger();
  const tuning = resolveTuning(options.tuning);
  const roles = { http: true, workers: true, sources: true, ...options.roles };
  const initial = options.specSet;

  const embedded = options.natsUrl ? undefined : await startEmbeddedNats(options.embeddedRoot);
  const natsUrl = options.natsUrl ?? embedded!.url;
  // A silent partition is noticed within ~15 s, so /readyz and ingest turn away work that cannot be stored.
  const nc = await connectNats(natsUrl, 'engine', 'junction', options.natsOptions);
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'close') connected = false;
      if (s.type === 'reconnect') connected = true;
      if (s.type === 'disconnect' || s.type === 'reconnect') log.warn({ nats: s.type }, `NATS ${s.type}`);
    }
  })();
  const jsm = await jetstreamManager(nc);
  const js = jsm.jetstream();
  await provisionEventsStream(jsm, tuning);
  const buckets = await provisionBuckets(new Kvm(js), tuning);
  const partitions = await agreePartitions(buckets.meta, tuning.partitions);
  if (partitions !== tuning.partitions)
    log.warn({ stored: partitions, requested: tuning.partitions }, 'using the partition count stored in KV');
  const xref = new XrefReplica(buckets.xref);
  await xref.start();

  const specs = new SpecRegistry(initial, options.invoker);
  const metrics = createRuntimeMetrics(() => consumerLag(jsm, specs.active.integrations.keys()), {
    defaultMetrics: !!options.port,
  });
  const deadLetters = new DeadLetterStore(buckets.dlq);
  const publisher = new EventPublisher(js, () => partitions, tuning.publishTimeoutMs);
  const ctx = { specs, buckets, ledger: new DeliveryLedger(buckets.ledger), deadLetters, xref, tuning, metrics, log };
  const pool = new ConsumerPool(js, ctx);
  const sourceDeps = { specs, publisher, metrics, log, guards: tuning.guards };
  const poller = new SchedulePoller({ ...sourceDeps, cursors: buckets.cursors });
  const natsSources = new NatsSubjectSources({ ...sourceDeps, nc });

  const startIntegrations = async (set: CompiledSpecSet, previous?: CompiledSpecSet) => {
    for (const integration of set.integrations.values()) {
      const before = previous?.integrations.get(integration.name);
      if (!before || before.retry.maxAttempts !== integration.retry.maxAttempts)
        await provisionConsumers(jsm, integration, partitions, tuning);
      if (roles.workers) await pool.start(integration.name, partitions);
    }
    for (const name of previous?.integrations.keys() ?? [])
      if (!set.integrations.has(name)) await pool.stopIntegration(name);
    if (roles.sources) {
      poller.sync();
      natsSources.sync();
    }
  };
  await startIntegrations(initial);

  const ready = () => connected && !nc.isClosed();
  const replay = (id: string, integration?: string) => replayDeadLetter(deadLetters, publisher, id, { integration });
  let http: HttpServerHandle | undefined;
  if (roles.http) {
    http = await startHttpServer(
      {
        ingest: (name, req) =>
          ingestWebhook(name, req, {
            specs,
            publisher,
            connected: ready,
            metrics,
            log,
            guards: tuning.guards,
            env: options.env,
          }),
        ready,
        metrics: async () => ({ contentType: metrics.registry.contentType, body: await metrics.registry.metrics() }),
        status: () => status(),
        listDeadLetters: async (filter) => (await deadLetters.list(filter)).map(redactedView),
        getDeadLetter: async (id) => {
          const found = await deadLetters.get(id);
          return found && redactedView(found.entry);
        },
        replay: (id) => replay(id),
        gitWebhook: (req) =>
          sync
            ? sync.webhook(req)
            : Promise.resolve({
                status: 404,
                body: { error: 'not-found', message: 'Git sync is not enabled (junction run --repo …)' },
              }),
      },
      {
        port: options.port ?? 8080,
        host: options.host ?? '0.0.0.0',
        onError: (error) => log.error({ err: error }, 'HTTP handler failed'),
      },
    );
    log.info({ url: http.url, nats: natsUrl, commit: initial.commit, partitions }, 'engine started');
  }
  let sync: SyncHooks | undefined;
  const status = async () => ({ ...(await engineStatusOnly()), ...(await sync?.status()) }) as EngineStatus;
  const engineStatusOnly = () =>
    engineStatus({
      specs,
      jsm,
      deadLetters,
      metrics,
      partitions: () => partitions,
      connected: ready,
      inFlight: (i) => pool.inFlightCount(i),
    });

  let stopping: Promise<void> | undefined;
  return {
    url: http?.url,
    natsUrl,
    get specSet() {
      return specs.active;
    },
    partitions,
    deadLetters,
    metrics: metrics.registry,
    applySpecSet: async (set) => {
      const previous = specs.swap(set);
      log.info({ commit: set.commit, previous: previous.commit }, 'spec set applied');
      await startIntegrations(set, previous);
    },
    status,
    replay,
    attachSync: (hooks) => void (sync = hooks),
    stop: () =>
      (stopping ??= (async () => {
        await http?.close();
        await poller.stop();
        natsSources.stop();
        const nakked = await pool.drain(tuning.drainTimeoutMs);
        log.info({ nakked }, 'engine drained');
        xref.stop();
        await nc.drain().catch(() => nc.close());
        await embedded?.stop();
      })()),
  };
}
