/**
 * Cross-references on NATS KV with a local replica: `$xref()` inside JSONata is synchronous, so reads come from an
 * in-memory map kept current by a KV watch. Before an event that reads xrefs runs, `sync()` waits until the replica
 * has seen everything the bucket holds, so a write made by another process for the previous event of the same key is
 * always visible (read-your-writes across processes).
 */
import type { KV } from '@nats-io/kv';
import type { ExecutionState } from '../../execute/execution-types.js';
import { fromKeyToken, keyToken } from '../broker/subjects.js';

export class XrefReplica implements Pick<ExecutionState, 'xref'> {
  readonly #kv: KV;
  readonly #values = new Map<string, string>();
  #revision = 0;
  #waiters: { revision: number; resolve: () => void }[] = [];
  #stop?: () => void;

  constructor(kv: KV) {
    this.#kv = kv;
  }

  /** Starts the watch; resolves once the initial snapshot is loaded. */
  async start(): Promise<void> {
    const watch = await this.#kv.watch();
    this.#stop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        if (entry.operation === 'PUT') this.#values.set(entry.key, entry.string());
        else this.#values.delete(entry.key);
        this.#advance(entry.revision);
      }
    })();
    await this.sync();
  }

  stop(): void {
    this.#stop?.();
    for (const w of this.#waiters) w.resolve();
    this.#waiters = [];
  }

  /** Waits until the replica has applied every write the bucket holds right now. */
  async sync(timeoutMs = 5_000): Promise<void> {
    const status = await this.#kv.status();
    const last = status.streamInfo.state.last_seq;
    if (this.#revision >= last) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`xref replica did not catch up with revision ${last} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.push({ revision: last, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  readonly xref: ExecutionState['xref'] = {
    get: (map, sourceId) => this.#values.get(xrefKey(map, sourceId)),
    set: async (map, sourceId, targetId) => {
      const key = xrefKey(map, sourceId);
      const revision = await this.#kv.put(key, targetId);
      this.#values.set(key, targetId);
      this.#advance(revision, false);
    },
  };

  /** Every entry as `{map, sourceId, targetId}` (status pages, tests). */
  entries(): { map: string; sourceId: string; targetId: string }[] {
    return [...this.#values].map(([key, targetId]) => {
      const [map, token] = key.split('.');
      return { map, sourceId: fromKeyToken(token), targetId };
    });
  }

  #advance(revision: number, fromWatch = true): void {
    // Our own put may return before the watch delivers earlier revisions: only the watch moves the floor.
    if (fromWatch && revision > this.#revision) this.#revision = revision;
    const ready = this.#waiters.filter((w) => w.revision <= this.#revision);
    this.#waiters = this.#waiters.filter((w) => w.revision > this.#revision);
    for (const w of ready) w.resolve();
  }
}

/** The KV key of one cross-reference: `<map>.<source id>`, each as a base64url token. */
export function xrefKey(map: string, sourceId: string): string {
  return `${keyToken(map)}.${keyToken(sourceId)}`;
}
