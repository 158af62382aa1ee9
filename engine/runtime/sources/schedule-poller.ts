/**
 * Schedule sources: poll a connector operation every `every`, store each record as an event, and only then move
 * the cursor (KV compare-and-set). Several processes may poll at once: the CAS lets one cursor move win, and the
 * broker's dedup id plus the ledger drop the records polled twice.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration, CompiledStep } from '../../compiler/compiled-spec.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { identifyEvent } from '../ingest/event-publisher.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';

export interface PollerDeps {
  specs: SpecRegistry;
  publisher: EventPublisher;
  cursors: KV;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
}

/** Polls once; returns how many events were stored. Exported for tests and `junction run --once`-style tools. */
export async function pollOnce(integration: CompiledIntegration, deps: PollerDeps): Promise<number> {
  const source = integration.source;
  if (source.kind !== 'schedule') return 0;
  const specSet = deps.specs.active;
  const stored = await deps.cursors.get(integration.name);
  const cursor = stored?.operation === 'PUT' && stored.length > 0 ? stored.string() : source.initialCursor;
  const params = substituteCursor(source.params, cursor ?? '');
  const step: CompiledStep = {
    id: 'poll',
    connection: source.connection,
    operation: source.operation,
    kind: 'query',
    params,
    identityFields: [],
    reads: [],
  };
  const call = await deps.specs.invoker(specSet)(
    step,
    { params, body: undefined },
    { integration: integration.name, stepId: 'poll', idempotencyKey: `${integration.name}:poll:${cursor ?? ''}` },
  );
  const listed = source.records
    ? await Promise.resolve(source.records.evaluate(call.result, {}, deps.guards))
    : call.result;
  const records = listed === undefined || listed === null ? [] : Array.isArray(listed) ? listed : [listed];
  let next = cursor;
  let published = 0;
  await Promise.all(
    records.map(async (record) => {
      const identity = await identifyEvent(integration, record, deps.guards);
      const result = await deps.publisher.publish({
        integration: integration.name,
        identity,
        data: Buffer.from(JSON.stringify(record)),
        commit: specSet.commit,
      });
      if (!result.duplicate) published++;
      const value = await Promise.resolve(source.cursor.evaluate(record, {}, deps.guards));
      if (value !== undefined && value !== null && (next === undefined || compareCursor(String(value), next) > 0))
        next = String(value);
    }),
  );
  deps.metrics.eventsIn.inc({ integration: integration.name, source: 'schedule' }, published);
  if (next !== undefined && next !== cursor) {
    // Compare-and-set: only the poller that read the current cursor moves it.
    const moved = stored
      ? deps.cursors.update(integration.name, next, stored.revision)
      : deps.cursors.create(integration.name, next);
    await moved.catch(() => deps.log.info({ integration: integration.name }, 'cursor moved by another poller'));
  }
  return published;
}

/** Runs `pollOnce` every `every` for each schedule integration of the active set until stopped. */
export class SchedulePoller {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<Promise<unknown>>();

  constructor(private readonly deps: PollerDeps) {}

  /** Starts or restarts the timers to match the active spec set. */
  sync(): void {
    const wanted = [...this.deps.specs.active.integrations.values()].filter((i) => i.source.kind === 'schedule');
    for (const [name, timer] of this.#timers) {
      if (!wanted.some((i) => i.name === name)) {
        clearInterval(timer);
        this.#timers.delete(name);
      }
    }
    for (const integration of wanted) {
      if (this.#timers.has(integration.name) || integration.source.kind !== 'schedule') continue;
      let busy = false;
      const tick = () => {
        const current = this.deps.specs.active.integrations.get(integration.name);
        if (busy || !current) return;
        busy = true;
        const run = pollOnce(current, this.deps)
          .catch((error) =>
            this.deps.log.warn({ integration: integration.name, err: error }, 'poll failed; cursor unchanged'),
          )
          .finally(() => {
            busy = false;
            this.#running.delete(run);
          });
        this.#running.add(run);
      };
      this.#timers.set(integration.name, setInterval(tick, integration.source.everyMs));
      setImmediate(tick);
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers.values()) clearInterval(timer);
    this.#timers.clear();
    await Promise.all(this.#running);
  }
}

function substituteCursor(params: Readonly<Record<string, unknown>>, cursor: string): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
}

/** Numbers compare as numbers, everything else (ISO timestamps) as strings. */
function compareCursor(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}
