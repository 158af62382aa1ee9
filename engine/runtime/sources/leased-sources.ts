/**
 * The sources of one kind (schedule polls, stream subscriptions) this engine runs, each under its lease
 * (source-lease.ts), kept in step with the active spec set. A source whose settings changed restarts under the lease
 * it holds: the old run stops first, and the lease is not handed back in between, so another engine does not take
 * the source over for the moment (on a spec it may not have yet) and never subscribes next to the new run. A source
 * removed hands its lease back once stopped; should it come back meanwhile, it starts only after that.
 */
import { SourceLease } from './source-lease.js';
import type { SourceLeaseDeps } from './source-lease.js';

export class LeasedSources {
  readonly #running = new Map<string, { settings: string; lease: SourceLease }>();
  readonly #stopping = new Map<string, Promise<void>>();
  #wanted: ReadonlyMap<string, string> = new Map();
  #closed = false;

  constructor(
    private readonly deps: SourceLeaseDeps,
    /** Starts integration `name`'s source while this engine leads it; returns its stop. */
    private readonly lead: (name: string) => () => Promise<void>,
  ) {}

  /** Runs exactly `wanted` (integration -> its settings, restarted when they change). */
  sync(wanted: ReadonlyMap<string, string>): void {
    if (this.#closed) return;
    this.#wanted = wanted;
    for (const [name, run] of this.#running) {
      const settings = wanted.get(name);
      if (settings === run.settings) continue;
      this.#running.delete(name);
      const stopped = run.lease.stop({ handBack: settings === undefined }).finally(() => {
        this.#stopping.delete(name);
        this.sync(this.#wanted);
      });
      this.#stopping.set(name, stopped);
    }
    for (const [name, settings] of wanted) {
      if (this.#running.has(name) || this.#stopping.has(name)) continue;
      this.#running.set(name, { settings, lease: new SourceLease(this.deps, name, () => this.lead(name)) });
    }
  }

  /** Stops every source and hands the leases back. */
  async stop(): Promise<void> {
    this.#closed = true;
    const runs = [...this.#running.values()];
    this.#running.clear();
    await Promise.all([...runs.map((r) => r.lease.stop()), ...this.#stopping.values()]);
  }
}
