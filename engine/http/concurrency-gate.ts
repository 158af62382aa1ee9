/**
 * A connection's `max_concurrency`: at most `limit` requests to one system at once from this process, whichever
 * integration sends them. Later requests wait their turn in arrival order, so many integrations sharing one target
 * queue in the engine instead of piling up on the target (and timing out in its connection pool).
 */
export class ConcurrencyGate {
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Requests waiting for a free slot right now (a metric: a queue that keeps growing means the target is too slow). */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves with a release function once a slot is free; call it exactly once when the request is over. */
  async acquire(): Promise<() => void> {
    if (this.#active < this.limit) this.#active++;
    // The releasing request hands its slot straight to the first waiter, so a newcomer can never overtake it.
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    };
  }
}
