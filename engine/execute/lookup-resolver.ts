/**
 * Lookups resolved through a connection while an event runs (`resolve`): the FF product id of a ProductCode, a tax
 * code's id by name. JSONata calls `$lookup` synchronously, so an expression is evaluated, the keys it asked for and
 * that are not cached are resolved (one read or query each), and the expression is evaluated again with them.
 * Found values are cached for the lookup's TTL; misses are not, so a record created later is found on the replay.
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledLookup, CompiledResolve, CompiledStep } from '../compiler/compiled-spec.js';
import type { CompiledExpression } from '../transform/transform-engine.js';
import type { PlannedRequest, StepInvoker } from './execution-types.js';
import { plain, toList } from './plain-json.js';

/** Found values by `<lookup>\u0000<key>`, with their expiry: shared by the events of one spec set. */
export class ResolvedLookupCache {
  private readonly values = new Map<string, { value: unknown; expires: number }>();
  constructor(private readonly now: () => number = Date.now) {}

  get(name: string, key: string): { value: unknown } | undefined {
    const hit = this.values.get(`${name}\u0000${key}`);
    if (!hit) return undefined;
    if (hit.expires > this.now()) return { value: hit.value };
    this.values.delete(`${name}\u0000${key}`);
    return undefined;
  }

  set(name: string, key: string, value: unknown, ttlMs: number): void {
    this.values.set(`${name}\u0000${key}`, { value, expires: this.now() + ttlMs });
  }
}

/** How one event's resolutions call out: the invoker, and the requests it made (they appear in the plan). */
interface LookupResolverOptions {
  cache: ResolvedLookupCache;
  invoke: StepInvoker;
  integration: string;
  eventId: string;
  /** Each resolution request, as it is sent. */
  onRequest?: (request: PlannedRequest) => void;
}

/** One event's view of the resolved lookups: synchronous reads, and the keys still to resolve. */
export class LookupResolver {
  private readonly pending = new Map<string, { lookup: CompiledLookup; key: string }>();
  /** What this event resolved, defaults included (a default is never cached beyond the event). */
  private readonly settled = new Map<string, unknown>();
  private readonly calls = new Map<string, number>();

  constructor(private readonly options: LookupResolverOptions) {}

  /** The cached value (or the default when nothing matched); otherwise notes the key and gives undefined for now. */
  read(lookup: CompiledLookup, key: string): unknown {
    const id = `${lookup.name}\u0000${key}`;
    if (this.settled.has(id)) return this.settled.get(id);
    const hit = this.options.cache.get(lookup.name, key);
    if (hit) return hit.value;
    this.pending.set(id, { lookup, key });
    return undefined;
  }

  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Asks the connection for every noted key; throws `lookup-unresolved` or `lookup-ambiguous` (permanent). */
  async resolvePending(evaluate: (expr: CompiledExpression, input: unknown, key: string) => Promise<unknown>) {
    const wanted = [...this.pending.values()];
    this.pending.clear();
    for (const { lookup, key } of wanted) {
      const resolve = lookup.resolve!;
      const { result, request } = await this.call(lookup.name, resolve, key, evaluate);
      const found = resolve.records ? await evaluate(resolve.records, result, key) : result;
      const records = toList(plain(found)).filter((r) => r !== undefined && r !== null);
      const fail = (code: string, what: string) =>
        Object.assign(
          new ConnectorError(
            code,
            `lookup ${lookup.name}: ${what} for key ${JSON.stringify(key)} through ${resolve.connection} ` +
              `${resolve.operation}; ${code === 'lookup-ambiguous' ? 'make the key identify one record' : 'create the record in the target (or give the lookup a `default`), then replay'}`,
            'permanent',
          ),
          { request },
        );
      if (records.length > 1) throw fail('lookup-ambiguous', `${records.length} records match`);
      if (records.length === 0 && lookup.defaultValue === undefined) throw fail('lookup-unresolved', 'no record');
      const value = records.length === 0 ? lookup.defaultValue : plain(await evaluate(resolve.value, records[0], key));
      if (value === undefined || value === null) throw fail('lookup-unresolved', 'the matching record has no value');
      this.settled.set(`${lookup.name}\u0000${key}`, value);
      // A default stands in for a miss: it is not cached, so the record is found once it exists.
      if (records.length > 0) this.options.cache.set(lookup.name, key, value, resolve.ttlMs);
    }
  }

  private async call(
    name: string,
    resolve: CompiledResolve,
    key: string,
    evaluate: (expr: CompiledExpression, input: unknown, key: string) => Promise<unknown>,
  ): Promise<{ result: unknown; request: PlannedRequest }> {
    // Recorded responses for a dry run are keyed `lookup.<name>`, one per resolved key in the order asked.
    const id = `lookup.${name}`;
    const index = this.calls.get(id) ?? 0;
    this.calls.set(id, index + 1);
    const step: CompiledStep = {
      id,
      connection: resolve.connection,
      operation: resolve.operation,
      kind: resolve.kind,
      params: resolve.params,
      identityFields: [],
      reads: [],
    };
    const body = resolve.body ? plain(await evaluate(resolve.body, {}, key)) : undefined;
    const context = {
      integration: this.options.integration,
      stepId: id,
      index: index === 0 ? undefined : index,
      idempotencyKey: `${this.options.eventId}:${id}.${index}`,
    };
    try {
      const answer = await this.options.invoke(step, { params: { ...resolve.params }, body }, context);
      this.options.onRequest?.(answer.request);
      return { result: answer.result, request: answer.request };
    } catch (error) {
      const request = (error as { request?: PlannedRequest }).request;
      if (request) this.options.onRequest?.(request);
      if (error instanceof ConnectorError && error.code === 'not-found') return { result: [], request: request! };
      throw error;
    }
  }
}
