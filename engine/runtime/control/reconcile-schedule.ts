/**
 * Scheduled reconciliation (`reconcile: { every, sample, fix }` on an integration): each round, one engine of the
 * cluster (a lease in the control bucket) compares a sample of source records with the target, stores the report
 * under `reconcile.<integration>` (where the dashboard and the metrics read it, as they read `junction reconcile`'s),
 * and with `fix` re-sends what differs.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import { fixRecords, runReconcile } from '../../ops/reconcile/run-reconcile.js';
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { SpecRegistry } from '../spec-registry.js';
import type { XrefReplica } from '../stores/xref-replica.js';
import type { LeaseClock } from './broker-clock.js';
import { LeaseTurn } from './lease-turn.js';
import { storeReconcileReport } from './reconcile-reports.js';

interface ReconcileScheduleDeps {
  specs: SpecRegistry;
  control: KV;
  connectors: ConnectorRegistry;
  env: NodeJS.ProcessEnv;
  security?: ConnectionSecurity;
  xref: XrefReplica;
  publisher: EventPublisher;
  guards: TransformGuards;
  log: Logger;
  /** This process, as the lease holder. */
  holder: string;
  /** The broker's clock, as this process estimates it: the lease's `until` is by it. */
  clock: LeaseClock;
}

export class ReconcileSchedule {
  readonly #timers = new Map<string, { timer: NodeJS.Timeout; everyMs: number }>();
  readonly #running = new Set<Promise<unknown>>();
  /** Integrations whose round runs now in this process. */
  readonly #busy = new Set<string>();

  constructor(private readonly deps: ReconcileScheduleDeps) {}

  /** Starts, restarts or stops the rounds to match the active spec set. */
  sync(): void {
    const wanted = new Map(
      [...this.deps.specs.active.integrations.values()]
        .filter((i) => i.reconcile && i.read?.list)
        .map((i) => [i.name, i.reconcile!.everyMs]),
    );
    for (const [name, t] of this.#timers)
      if (wanted.get(name) !== t.everyMs) {
        clearInterval(t.timer);
        this.#timers.delete(name);
      }
    for (const [name, everyMs] of wanted) {
      if (this.#timers.has(name)) continue;
      const timer = setInterval(() => this.#round(name), everyMs);
      timer.unref();
      this.#timers.set(name, { timer, everyMs });
    }
  }

  async stop(): Promise<void> {
    for (const t of this.#timers.values()) clearInterval(t.timer);
    this.#timers.clear();
    await Promise.all(this.#running);
  }

  #round(name: string): void {
    const integration = this.deps.specs.active.integrations.get(name);
    // A round longer than the interval is not joined by the next one: with `fix`, both would re-send.
    if (!integration?.reconcile || this.#busy.has(name)) return;
    this.#busy.add(name);
    const run = this.#reconcile(integration)
      .catch((error: Error) => this.deps.log.warn({ integration: name, err: error }, 'scheduled reconcile failed'))
      .finally(() => {
        this.#running.delete(run);
        this.#busy.delete(name);
      });
    this.#running.add(run);
  }

  async #reconcile(integration: CompiledIntegration): Promise<void> {
    const { everyMs } = integration.reconcile!;
    // One round per interval across the cluster: the first process to take the lease runs it, and holds it through
    // the round (lease-turn.ts), so a round that outlasts the lease is not run beside it by another engine.
    const { control, holder, clock } = this.deps;
    const key = `reconcile-lease.${integration.name}`;
    const turn = await LeaseTurn.take({ kv: control, key, holder, ttlMs: everyMs * 0.9, clock });
    if (!turn) return;
    try {
      await this.#reconcileHeld(integration, turn);
    } finally {
      turn.end();
    }
  }

  async #reconcileHeld(integration: CompiledIntegration, turn: LeaseTurn): Promise<void> {
    const { sample, fix } = integration.reconcile!;
    const set = this.deps.specs.active;
    await this.deps.xref.sync();
    const report = await runReconcile({
      specSet: set,
      integration,
      invoke: this.deps.specs.invoker(set),
      connectors: this.deps.connectors,
      env: this.deps.env,
      security: this.deps.security,
      xref: this.deps.xref.xref,
      sample,
      guards: this.deps.guards,
    });
    // Lost the lease meanwhile (a pause, a partition): the engine that took over runs its own round.
    if (!(await turn.confirm()))
      return void this.deps.log.warn({ integration: integration.name }, 'reconcile lease lost during the round');
    await storeReconcileReport(this.deps.control, report);
    const resent =
      fix && (await turn.confirm())
        ? await fixRecords(report, integration, this.deps.publisher, set.commit, this.deps.guards)
        : 0;
    this.deps.log.info({ integration: integration.name, ...report.counts, resent }, 'scheduled reconcile');
  }
}
