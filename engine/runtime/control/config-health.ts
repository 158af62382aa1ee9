/**
 * What `junction check` would say about the running spec set, kept by the engine: the offline checks at once, the
 * connection probes (DNS, HTTP, auth) in the background after each start or swap. An integration with a problem
 * shows as `misconfigured` in the status and on the dashboard, and each problem is logged once.
 */
import type { Logger } from 'pino';
import type { CompiledSpecSet } from '../../compiler/compiled-spec.js';
import { runChecks } from '../../ops/check/run-checks.js';
import type { CheckRow } from '../../ops/check/run-checks.js';
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';

export class ConfigHealth {
  #rows: CheckRow[] = [];
  #latest: Promise<CheckRow[]> = Promise.resolve([]);
  #generation = 0;

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly log: Logger,
    private readonly connectors?: ConnectorRegistry,
    private readonly security?: ConnectionSecurity,
    /** The NATS server's `max_payload`, once the connection has its INFO. */
    private readonly maxPayload: () => number | undefined = () => undefined,
  ) {}

  /** Re-checks a spec set: offline rows at once, then the probed ones. Resolves with the probed rows. */
  refresh(set: CompiledSpecSet): Promise<CheckRow[]> {
    const generation = ++this.#generation;
    const maxPayload = this.maxPayload();
    const offline = runChecks(set, { env: this.env, maxPayload }).then((rows) => this.#adopt(rows, generation));
    this.#latest = offline.then(async (rows) => {
      if (!this.connectors) return rows;
      const probed = await runChecks(set, {
        env: this.env,
        maxPayload,
        connectors: this.connectors,
        security: this.security,
      }).catch(() => rows);
      return this.#adopt(probed, generation);
    });
    void this.#latest.then((rows) => {
      if (generation !== this.#generation) return;
      for (const r of rows.filter((row) => row.status === 'problem'))
        this.log.warn({ [r.kind]: r.name, check: r.check }, `misconfigured: ${r.message}`);
    });
    return this.#latest;
  }

  /** The rows of the latest finished check (the offline ones until the probes are back). */
  rows(): CheckRow[] {
    return this.#rows;
  }

  /** The latest complete check, probes included. */
  settled(): Promise<CheckRow[]> {
    return this.#latest;
  }

  /** An integration's current problems. */
  problems(integration: string): string[] {
    return this.#rows
      .filter((r) => r.kind === 'integration' && r.name === integration && r.status === 'problem')
      .map((r) => r.message);
  }

  #adopt(rows: CheckRow[], generation: number): CheckRow[] {
    if (generation === this.#generation) this.#rows = rows;
    return rows;
  }
}
