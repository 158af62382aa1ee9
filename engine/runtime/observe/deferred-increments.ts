/**
 * Per-event updates of a prom-client counter or gauge with one or two labels, kept as sums per label set and added to
 * the metric when it is read. prom-client hashes and checks the labels on every `inc` and `dec` (its `labels()` child
 * does the same again): about half a per cent of a delivery's CPU for the in-flight gauge and the finished counter
 * (docs/performance.md, "Delivery CPU cuts, session 11"). Here an update is two Map lookups.
 *
 * A read sees what it saw before: `flush()` runs in the metric's `collect`, which prom-client runs before every read
 * (`get()`, the registry's `metrics()`), and adds each label set updated since the last read, in the order it was
 * first updated, with 0 when its ups and downs cancelled out, so that every series exists as it would have. The sums
 * are of whole numbers, so adding them later gives the same values.
 */

/** What is needed of a prom-client Counter or Gauge. */
interface Incrementable {
  inc(labels: Record<string, string>, value: number): void;
}

interface Pending {
  labels: Record<string, string>;
  sum: number;
}

export class DeferredIncrements {
  /**
   * By the first label's value, then the second's ('' for a metric with one label): two lookups of strings the
   * engine already has (their hashes are kept), where a key joined from both was a new string to hash on every update.
   */
  readonly #pending = new Map<string, Map<string, Pending>>();
  /** The same entries, in the order each was first updated since the last read (as prom-client would add them). */
  readonly #order: Pending[] = [];

  constructor(private readonly names: readonly [string] | readonly [string, string]) {}

  /** Adds `by` to the series whose labels have these values (in the order of the names). */
  add(by: number, first: string, second = ''): void {
    let bySecond = this.#pending.get(first);
    if (!bySecond) this.#pending.set(first, (bySecond = new Map()));
    const pending = bySecond.get(second);
    if (pending) pending.sum += by;
    else {
      const added = { labels: this.#labels(first, second), sum: by };
      bySecond.set(second, added);
      this.#order.push(added);
    }
  }

  /** Adds the sums to `metric`: call it from the metric's `collect`. */
  flush(metric: Incrementable): void {
    for (const { labels, sum } of this.#order) metric.inc(labels, sum);
    this.#order.length = 0;
    this.#pending.clear();
  }

  #labels(first: string, second: string): Record<string, string> {
    const [a, b] = this.names;
    return b === undefined ? { [a]: first } : { [a]: first, [b]: second };
  }
}
