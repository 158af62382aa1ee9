/**
 * The spec sets a process can run: the active one, plus a few recent ones by commit so that retries of an event keep
 * the version that started them (spec version pinning). Swapping is one assignment: every event picks its set when
 * its attempt starts, so a swap never changes a running attempt.
 */
import type { StepInvoker } from '../execute/execution-types.js';
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';

/** Builds the StepInvoker for a spec set (connections, auth, HTTP stack). */
export type InvokerFactory = (specSet: CompiledSpecSet) => StepInvoker;

export class SpecRegistry {
  #active: CompiledSpecSet;
  readonly #recent = new Map<string, CompiledSpecSet>();
  readonly #invokers = new WeakMap<CompiledSpecSet, StepInvoker>();

  constructor(
    initial: CompiledSpecSet,
    private readonly invokerFactory: InvokerFactory,
    private readonly keep = 8,
  ) {
    this.#active = initial;
    this.#remember(initial);
  }

  get active(): CompiledSpecSet {
    return this.#active;
  }

  /** Makes `set` the active set; returns the previous one. */
  swap(set: CompiledSpecSet): CompiledSpecSet {
    const previous = this.#active;
    this.#active = set;
    this.#remember(set);
    return previous;
  }

  /** The set compiled from `commit`, if this process still holds it. */
  byCommit(commit: string | undefined): CompiledSpecSet | undefined {
    return commit === undefined ? undefined : this.#recent.get(commit);
  }

  invoker(set: CompiledSpecSet): StepInvoker {
    let invoker = this.#invokers.get(set);
    if (!invoker) {
      invoker = this.invokerFactory(set);
      this.#invokers.set(set, invoker);
    }
    return invoker;
  }

  #remember(set: CompiledSpecSet): void {
    this.#recent.delete(set.commit);
    this.#recent.set(set.commit, set);
    while (this.#recent.size > this.keep) this.#recent.delete(this.#recent.keys().next().value!);
  }
}
