/**
 * Reading an integration's source records outside of events, through the same StepInvoker (so the same HTTP stack,
 * auth and rate limit) as its steps: one record by key (`read.get`: dependency fetch, reconcile) or the records
 * from a cursor on (`read.list`: backfill, xref match, reconcile). Their bodies see the steps' bindings ($lookup,
 * $xref) plus `$key` or `$cursor`; there is no event, so `$event` and `$steps` give nothing.
 */
import type {
  CompiledIntegration,
  CompiledReadGet,
  CompiledReadList,
  CompiledStep,
} from '../compiler/compiled-spec.js';
import type { CompiledLookup } from '../compiler/compiled-spec.js';
import type { TransformGuards } from '../transform/transform-engine.js';
import { evaluate } from './evaluate-expression.js';
import type { BindingScope } from './expression-bindings.js';
import type { ExecutionState, StepInvoker } from './execution-types.js';
import { stableHash } from './stable-hash.js';

/** What `$lookup` and `$xref` read in a `read.get`/`read.list` (or schedule source) body, as in the steps' bodies. */
export interface ReadBindings {
  lookups: ReadonlyMap<string, CompiledLookup>;
  xref: ExecutionState['xref'];
}

/** The scope of a body that runs outside of any event: the steps' bindings, with no `$event` and no `$steps`. */
export function eventlessScope(bindings: ReadBindings): BindingScope {
  return { event: undefined, steps: {}, ...bindings };
}

/** Reads the source record whose key is `key`; undefined when the integration has no `read.get`. */
export async function readSourceRecord(
  integration: CompiledIntegration,
  key: string,
  invoke: StepInvoker,
  bindings: ReadBindings,
  guards?: TransformGuards,
): Promise<unknown> {
  const get = integration.read?.get;
  if (!get) return undefined;
  const body = get.body ? await evaluate(eventlessScope(bindings), guards, get.body, {}, { key }) : undefined;
  const result = await call(integration, get, 'read', { ...get.params }, body, invoke, `read:${key}`);
  return get.record ? Promise.resolve(get.record.evaluate(result, {}, guards)) : result;
}

/** One listing from `cursor` on (inclusive): the records, each with its cursor value, oldest first. */
export async function listSourceRecords(
  integration: CompiledIntegration,
  list: CompiledReadList,
  cursor: string,
  invoke: StepInvoker,
  bindings: ReadBindings,
  guards?: TransformGuards,
): Promise<{ record: unknown; cursor?: string }[]> {
  const params = Object.fromEntries(
    Object.entries(list.params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
  const body = list.body ? await evaluate(eventlessScope(bindings), guards, list.body, {}, { cursor }) : undefined;
  const result = await call(integration, list, 'query', params, body, invoke, `list:${cursor}`);
  const listed = list.records ? await Promise.resolve(list.records.evaluate(result, {}, guards)) : result;
  const records = listed === undefined || listed === null ? [] : Array.isArray(listed) ? listed : [listed];
  return Promise.all(
    records.map(async (record) => {
      const value = await Promise.resolve(list.cursor.evaluate(record, {}, guards));
      return { record, ...(value === undefined || value === null ? {} : { cursor: String(value) }) };
    }),
  );
}

async function call(
  integration: CompiledIntegration,
  read: CompiledReadGet | CompiledReadList,
  kind: 'read' | 'query',
  params: Record<string, unknown>,
  body: unknown,
  invoke: StepInvoker,
  idempotencyKey: string,
): Promise<unknown> {
  const step: CompiledStep = {
    id: kind === 'read' ? 'read' : 'list',
    connection: read.connection,
    operation: read.operation,
    kind,
    params,
    identityFields: [],
    reads: [],
  };
  const done = await invoke(
    step,
    { params, body },
    { integration: integration.name, stepId: step.id, idempotencyKey: `${integration.name}:${idempotencyKey}` },
  );
  return done.result;
}

/**
 * Every source record from `cursor` on, page by page: each listing asks from the greatest cursor seen so far
 * (inclusive), and records already yielded at that cursor value are recognised (by content) and not yielded twice.
 * Ends when a listing brings nothing new.
 */
export async function* sourcePages(
  integration: CompiledIntegration,
  list: CompiledReadList,
  cursor: string,
  invoke: StepInvoker,
  bindings: ReadBindings,
  guards?: TransformGuards,
): AsyncGenerator<{ record: unknown; cursor?: string }[]> {
  let at = cursor;
  let atCursor = new Set<string>();
  for (;;) {
    const page = await listSourceRecords(integration, list, at, invoke, bindings, guards);
    const fresh = page.filter((p) => !atCursor.has(stableHash(p.record)));
    if (fresh.length === 0) return;
    // Listings are oldest first: the last cursor is the greatest.
    const last = lastCursor(fresh);
    if (last !== undefined && last !== at) {
      at = last;
      atCursor = new Set();
    }
    for (const p of fresh) if (p.cursor === at) atCursor.add(stableHash(p.record));
    yield fresh;
  }
}

/** The cursor of the last record that has one. */
export function lastCursor(records: { cursor?: string }[]): string | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (records[i].cursor !== undefined) return records[i].cursor;
  return undefined;
}
