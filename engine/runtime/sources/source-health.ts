/**
 * How each leased source (a schedule poll, a stream subscription) fares, so an operator sees a source that fails
 * round after round without reading logs. The engine leading the source writes `source-health.<integration>` in the
 * control bucket: every engine's status and the alert evaluator read it there, whichever engine leads. Cheap: one
 * write per failed round, and on success only when it ends a run of failures or the stored success time is more than
 * SUCCESS_REFRESH_MS old (never per record).
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { redactText } from '../../http/redact.js';
import { listLiveEntries, readLiveEntry } from '../broker/kv-listing.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';

export interface SourceHealthRecord {
  /** When a round last succeeded (ISO): a poll finished, or a stream batch was stored. At most a minute old. */
  lastSuccessAt?: string;
  /** The last failed round: when (ISO), and its error with secret values masked. */
  lastFailure?: { at: string; message: string };
  /** Rounds failed in a row since the last success: polls, or subscriptions that failed. */
  failedRounds: number;
  /**
   * The last time the vendor told of changes the source cannot deliver as events (a replay id past retention, an
   * overflow event): when (ISO), and what to reconcile or backfill. Kept through later rounds, successful or not,
   * until another such report replaces it: only a reconcile or backfill recovers those changes.
   */
  missedChanges?: { at: string; message: string };
}

/** How stale the stored success time may get while a source keeps succeeding. */
export const SUCCESS_REFRESH_MS = 60_000;

export const sourceHealthKey = (integration: string) => `source-health.${integration}`;

/** The stored health of `integration`'s source; undefined when it never reported. */
export async function readSourceHealth(control: KV, integration: string): Promise<SourceHealthRecord | undefined> {
  return (await readLiveEntry(control, sourceHealthKey(integration)))?.json<SourceHealthRecord>();
}

/** A schedule or stream source: one engine of the cluster runs it at a time (source-lease.ts), and it reports here. */
export const hasLeasedSource = (integration: CompiledIntegration) =>
  integration.source.kind === 'schedule' || integration.source.kind === 'stream';

/**
 * The stored health of each of `integrations` whose source reports it (the alert evaluator's one listing per round).
 * A record left by an earlier schedule or stream source of an integration that now has another kind of source (or
 * none) is nobody's to update or clear: it is left out, as the status leaves it out.
 */
export async function readSourcesHealth(
  control: KV,
  integrations: Iterable<CompiledIntegration>,
): Promise<Map<string, SourceHealthRecord>> {
  const reporting = new Set([...integrations].filter(hasLeasedSource).map((i) => i.name));
  const entries = await listLiveEntries(control, sourceHealthKey('*'));
  const named = entries.map((e) => [e.key.slice(sourceHealthKey('').length), e] as const);
  return new Map(
    named.filter(([name]) => reporting.has(name)).map(([name, e]) => [name, e.json<SourceHealthRecord>()]),
  );
}

export interface SourceHealthDeps {
  control: KV;
  metrics: RuntimeMetrics;
  log: Logger;
  /** Secret values masked in a stored error message, as in log lines. */
  secrets: readonly string[];
}

/**
 * The rounds of one source during one leadership term: it starts from what the previous leader stored, so a source
 * failing across a failover keeps counting.
 */
export class SourceRounds {
  #record: Promise<SourceHealthRecord>;
  /** When this term last wrote a success (ms): a success within SUCCESS_REFRESH_MS of it writes nothing. */
  #successWritten = 0;

  constructor(
    private readonly deps: SourceHealthDeps,
    private readonly integration: string,
    private readonly source: 'schedule' | 'stream',
  ) {
    this.#record = readSourceHealth(deps.control, integration)
      .catch(() => undefined)
      .then((r) => r ?? { failedRounds: 0 });
  }

  async succeeded(): Promise<void> {
    const now = Date.now();
    this.deps.metrics.sourceLastSuccess.set({ integration: this.integration }, now / 1000);
    this.deps.metrics.sourceFailedRounds.set({ integration: this.integration }, 0);
    const record = await this.#record;
    if (record.failedRounds === 0 && now - this.#successWritten < SUCCESS_REFRESH_MS) return;
    this.#successWritten = now;
    await this.#write({ ...record, lastSuccessAt: new Date(now).toISOString(), failedRounds: 0 });
  }

  async failed(error: unknown): Promise<void> {
    const message = redactText(error instanceof Error ? error.message : String(error), this.deps.secrets);
    const record = await this.#record;
    const next = {
      ...record,
      lastFailure: { at: new Date().toISOString(), message },
      failedRounds: record.failedRounds + 1,
    };
    this.deps.metrics.sourceFailures.inc({ integration: this.integration, source: this.source });
    this.deps.metrics.sourceFailedRounds.set({ integration: this.integration }, next.failedRounds);
    await this.#write(next);
  }

  /**
   * The vendor told of changes this source cannot deliver: a failed round (the status and alerts see it as they see
   * any failure) whose message also stays in `missedChanges` after the rounds that succeed next.
   */
  async missed(message: string): Promise<void> {
    await this.failed(new Error(message));
    const record = await this.#record;
    await this.#write({ ...record, missedChanges: record.lastFailure });
  }

  /** The term ended (lease lost or handed back): the next leader reports the gauges, this process no longer does. */
  end(): void {
    this.deps.metrics.sourceLastSuccess.remove({ integration: this.integration });
    this.deps.metrics.sourceFailedRounds.remove({ integration: this.integration });
  }

  async #write(record: SourceHealthRecord): Promise<void> {
    this.#record = Promise.resolve(record);
    // Health is for people: a broker that refuses the write must not stop the source.
    await this.deps.control
      .put(sourceHealthKey(this.integration), JSON.stringify(record))
      .catch((error: unknown) =>
        this.deps.log.warn({ integration: this.integration, err: error }, 'source health not stored'),
      );
  }
}
