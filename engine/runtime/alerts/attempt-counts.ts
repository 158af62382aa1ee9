/**
 * Attempts and failures per integration and error code, across the cluster. Every process publishes its own
 * running totals (from its Prometheus counters) under `alert-counts.<process>` in the control bucket; the alert
 * evaluator adds up what each process counted since it last looked, so a restarted process (its totals back at zero)
 * counts from zero again instead of going negative.
 */
import type { KV } from '@nats-io/kv';
import type { Counter } from 'prom-client';
import { DEPENDENCY_MISSING } from '../../execute/require-xrefs.js';
import { listLiveEntries } from '../broker/kv-listing.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';

/** `<integration>` -> attempts, and `<integration>/<code>` -> failures with that code. */
export type AttemptCounts = Record<string, number>;

const PREFIX = 'alert-counts';

/** This process's totals. A wait for a cross-reference (`dependency-missing`) is neither an attempt nor a failure. */
export async function processCounts(m: RuntimeMetrics): Promise<AttemptCounts> {
  const out: AttemptCounts = {};
  const add = (key: string, n: number) => (out[key] = (out[key] ?? 0) + n);
  const all = async (c: Counter<string>) => (await c.get()).values;
  for (const v of await all(m.finished)) add(String(v.labels.integration), v.value);
  for (const v of [...(await all(m.retried)), ...(await all(m.deadLettered))]) {
    if (v.labels.code === DEPENDENCY_MISSING) continue;
    add(String(v.labels.integration), v.value);
    add(`${v.labels.integration}/${v.labels.code}`, v.value);
  }
  return out;
}

export async function publishCounts(control: KV, process: string, counts: AttemptCounts): Promise<void> {
  await control.put(`${PREFIX}.${process}`, JSON.stringify({ at: Date.now(), counts }));
}

export async function removeCounts(control: KV, process: string): Promise<void> {
  await control.delete(`${PREFIX}.${process}`).catch(() => undefined);
}

/** Cluster totals that only grow: the sum of every process's increments since the evaluator started. */
export class ClusterCounts {
  readonly #last = new Map<string, AttemptCounts>();
  readonly totals: AttemptCounts = {};
  // The first look only takes each process's totals as its baseline: what they counted before is not "now".
  #primed = false;

  constructor(private readonly control: KV) {}

  async update(): Promise<AttemptCounts> {
    for (const entry of await listLiveEntries(this.control, `${PREFIX}.*`)) {
      const { counts } = entry.json<{ counts: AttemptCounts }>();
      const last = this.#last.get(entry.key) ?? (this.#primed ? {} : counts);
      for (const [key, n] of Object.entries(counts)) {
        const before = last[key] ?? 0;
        this.totals[key] = (this.totals[key] ?? 0) + (n >= before ? n - before : n);
      }
      this.#last.set(entry.key, counts);
    }
    this.#primed = true;
    return { ...this.totals };
  }
}
