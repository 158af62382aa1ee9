/**
 * Stream sources (`source: stream:`): a long-lived vendor subscription per integration, such as Salesforce Change
 * Data Capture over the Pub/Sub API. Each batch's events are stored in JetStream first; only then is the batch's
 * position (the replay id) written to KV, and only then is the next batch asked for. A restart resumes after the
 * stored position: events stored but not yet covered by it come again with the same ids, and the broker's dedup
 * window and the ledger drop them, so nothing is lost and nothing is written twice. A failed subscription is opened
 * again after a backoff (1 s doubling to 30 s). Of several engines running the same specs, only the one holding the
 * source's lease subscribes (source-lease.ts); another takes over from the stored position when it dies.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import { stableHash } from '../../execute/stable-hash.js';
import type { StreamOpener, StreamOpenerFactory } from '../../http/stream-opener.js';
import type { StreamSubscription } from '../../sdk/connector.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { identifyOrDeadLetter } from './keyless-records.js';
import type { KeylessDeps } from './keyless-records.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { LeasedSources } from './leased-sources.js';
import { deadLetterRefused } from './refused-events.js';
import type { SourceLeaseDeps } from './source-lease.js';
import { SourceRounds } from './source-health.js';
import type { SourceHealthDeps } from './source-health.js';
import { storeRecord } from './store-record.js';

interface StreamSourceDeps extends KeylessDeps {
  specs: SpecRegistry;
  publisher: EventPublisher;
  cursors: KV;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
  /** How a spec set opens its connectors' streams (engine/cli/wiring.ts). Without it, stream sources do not run. */
  open?: StreamOpenerFactory;
  /** The cluster-wide lease each source is run under. */
  lease: Omit<SourceLeaseDeps, 'log'>;
  /** Where each subscription's failures and stored batches are kept for status and alerts. */
  health: SourceHealthDeps;
}

/**
 * The stored position; `source` ties it to what the position belongs to (positionHash), so a changed topic starts
 * afresh while a change of what is read with each event does not.
 */
interface StoredPosition {
  position: string;
  source: string;
}

export class StreamSources {
  readonly #sources: LeasedSources;
  readonly #openers = new WeakMap<CompiledSpecSet, StreamOpener>();

  constructor(private readonly deps: StreamSourceDeps) {
    this.#sources = new LeasedSources({ ...deps.lease, log: deps.log }, (name) => this.#run(name));
  }

  /** Starts, restarts (changed source) or stops subscriptions to match the active spec set. */
  sync(): void {
    const wanted = new Map<string, string>();
    for (const i of this.deps.specs.active.integrations.values()) {
      if (i.source.kind !== 'stream') continue;
      if (this.deps.open) wanted.set(i.name, sourceHash(i));
      else
        this.deps.log.error({ integration: i.name }, 'stream sources are not wired into this engine; not subscribing');
    }
    this.#sources.sync(wanted);
  }

  stop(): Promise<void> {
    return this.#sources.stop();
  }

  /** Subscribes until stopped; returns the stop function. */
  #run(name: string): () => Promise<void> {
    let stopped = false;
    let subscription: StreamSubscription | undefined;
    let wake: (() => void) | undefined;
    const rounds = new SourceRounds(this.deps.health, name, 'stream');
    const loop = (async () => {
      let delay = 1000;
      while (!stopped) {
        try {
          await this.#consume(
            name,
            (s) => (subscription = s),
            () => stopped,
            rounds,
          );
          delay = 1000;
        } catch (error) {
          if (stopped) break;
          this.deps.log.warn({ integration: name, err: error }, 'stream subscription failed; resubscribing');
          await rounds.failed(error);
        }
        if (stopped) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay);
        });
        delay = Math.min(delay * 2, 30_000);
      }
    })();
    return async () => {
      stopped = true;
      subscription?.close();
      wake?.();
      await loop;
      rounds.end();
    };
  }

  async #consume(
    name: string,
    opened: (s: StreamSubscription) => void,
    stopped: () => boolean,
    rounds: SourceRounds,
  ): Promise<void> {
    const specSet = this.deps.specs.active;
    const integration = specSet.integrations.get(name);
    if (!integration || integration.source.kind !== 'stream') return;
    const source = integration.source;
    const hash = positionHash(source);
    const entry = await this.deps.cursors.get(name);
    const stored = entry?.operation === 'PUT' && entry.length > 0 ? parseStored(entry.string()) : undefined;
    const open = this.#opener(specSet);
    const notices: string[] = [];
    const subscription = open({
      notice: (message) => notices.push(message),
      connection: source.connection,
      stream: source.stream,
      params: source.params,
      start: source.start,
      batchSize: source.batchSize,
      position: stored && [hash, legacyPositionHash(source)].includes(stored.source) ? stored.position : undefined,
    });
    opened(subscription);
    try {
      for await (const batch of subscription) {
        if (stopped()) break;
        let published = 0;
        // One at a time, in the vendor's order: two changes of one record must reach its partition in order.
        for (const event of batch.events) {
          if (event.refused) {
            await deadLetterRefused(integration, { ...event, refused: event.refused }, specSet.commit, this.deps);
            continue;
          }
          const identity = await identifyOrDeadLetter(integration, event.data, specSet.commit, this.deps);
          if (!identity) continue;
          if (!integration.dedupId) identity.eventId = event.id.length > 200 ? stableHash(event.id) : event.id;
          const result = await storeRecord(
            this.deps.publisher,
            { integration: name, identity, data: Buffer.from(JSON.stringify(event.data)), commit: specSet.commit },
            event.data,
            integration.redact,
          );
          if (!result.duplicate) published++;
        }
        this.deps.metrics.eventsIn.inc({ integration: name, source: 'stream' }, published);
        // Every event of the batch is stored: now the position may move past them.
        if (batch.position !== undefined)
          await this.deps.cursors.put(name, JSON.stringify({ position: batch.position, source: hash }));
        // Changes the vendor reported as not delivered (the last failure, and kept in the status), then the success.
        for (const message of notices.splice(0)) {
          this.deps.log.error({ integration: name }, message);
          await rounds.missed(message);
        }
        await rounds.succeeded();
      }
    } finally {
      subscription.close();
    }
  }

  #opener(set: CompiledSpecSet): StreamOpener {
    let opener = this.#openers.get(set);
    if (!opener) {
      opener = this.deps.open!(set);
      this.#openers.set(set, opener);
    }
    return opener;
  }
}

const sourceHash = (integration: CompiledIntegration) => stableHash(integration.source);

type CompiledStreamSource = Extract<CompiledIntegration['source'], { kind: 'stream' }>;

/** What a stored position belongs to: the connection, the stream, the params the connector names (all by default). */
function positionHash(source: CompiledStreamSource): string {
  const { connection, stream, params, positionParams } = source;
  const owning = positionParams ? Object.fromEntries(positionParams.map((p) => [p, params[p]])) : params;
  return stableHash({ kind: 'position', connection, stream, params: owning });
}

/** How engines before positionParams tied a position: to the whole source, so it is still resumed after an upgrade. */
const legacyPositionHash = (source: CompiledStreamSource) => stableHash({ ...source, positionParams: undefined });

function parseStored(text: string): StoredPosition | undefined {
  try {
    const value = JSON.parse(text) as StoredPosition;
    return typeof value?.position === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
