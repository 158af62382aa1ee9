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
import type { ExecutionState, StepCallContext, StepInvoker } from './execution-types.js';
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

/** A listed record with its cursor value. */
type Listed = { record: unknown; cursor?: string };

/** What a listing reads with: the integration's read.list, its invoker and the bindings its body sees. */
interface Listing {
  integration: CompiledIntegration;
  list: CompiledReadList;
  invoke: StepInvoker;
  bindings: ReadBindings;
  guards?: TransformGuards;
}

/** One listing from `cursor` on (inclusive): the records, each with its cursor value, oldest first. */
export async function listSourceRecords(
  integration: CompiledIntegration,
  list: CompiledReadList,
  cursor: string,
  invoke: StepInvoker,
  bindings: ReadBindings,
  guards?: TransformGuards,
): Promise<Listed[]> {
  const { params, body } = await listingCall(list, cursor, bindings, guards);
  // The listing is oldest first, and the next one asks from its last cursor: a capped answer loses nothing.
  const result = await call(integration, list, 'query', params, body, invoke, `list:${cursor}`, { partial: true });
  return listedRecords(list, result, guards);
}

/**
 * One listing from `cursor` on, page by page as the connector reads them when the operation lists its pages in
 * cursor order (the next page is read only once the caller took this one, so a listing is never held whole);
 * otherwise as one page, since a later page may hold records that sort before the earlier ones.
 */
async function* listingPages(
  { integration, list, invoke, bindings, guards }: Listing,
  cursor: string,
): AsyncGenerator<Listed[]> {
  if (!list.pagesInCursorOrder) {
    yield await listSourceRecords(integration, list, cursor, invoke, bindings, guards);
    return;
  }
  const { params, body } = await listingCall(list, cursor, bindings, guards);
  const handed: unknown[] = [];
  let wake: (() => void) | undefined;
  let readOn: ((more: boolean) => void) | undefined;
  let ended = false;
  let pages = 0;
  const onPage = (result: unknown) => {
    pages++;
    handed.push(result);
    wake?.();
    return new Promise<boolean>((resolve) => (readOn = resolve));
  };
  const listing = call(integration, list, 'query', params, body, invoke, `list:${cursor}`, { onPage }).then(
    // An invoker that does not page (a test's) answers with the whole result: one page.
    (result) => void (pages === 0 && handed.push(result)),
  );
  const settled = listing.finally(() => {
    ended = true;
    wake?.();
  });
  try {
    for (;;) {
      if (handed.length === 0 && !ended) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (handed.length > 0) {
        yield await listedRecords(list, handed.shift(), guards);
        const next = readOn;
        readOn = undefined;
        next?.(true);
      } else if (ended) break;
    }
  } finally {
    // The caller stopped early (a --limit, an error): the connector reads no further page.
    readOn?.(false);
    await settled.catch(() => undefined);
  }
  await listing;
}

async function listingCall(
  list: CompiledReadList,
  cursor: string,
  bindings: ReadBindings,
  guards?: TransformGuards,
): Promise<{ params: Record<string, unknown>; body: unknown }> {
  const params = Object.fromEntries(
    Object.entries(list.params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
  const body = list.body ? await evaluate(eventlessScope(bindings), guards, list.body, {}, { cursor }) : undefined;
  return { params, body };
}

async function listedRecords(list: CompiledReadList, result: unknown, guards?: TransformGuards): Promise<Listed[]> {
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
  paging: Pick<StepCallContext, 'onPage' | 'partial'> = {},
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
    {
      integration: integration.name,
      stepId: step.id,
      idempotencyKey: `${integration.name}:${idempotencyKey}`,
      ...paging,
    },
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
): AsyncGenerator<Listed[]> {
  const listing = { integration, list, invoke, bindings, guards };
  let at = cursor;
  let atCursor = new Set<string>();
  for (;;) {
    let anyFresh = false;
    for await (const page of listingPages(listing, at)) {
      const fresh = page.filter((p) => !atCursor.has(stableHash(p.record)));
      if (fresh.length === 0) continue;
      anyFresh = true;
      // Listings are oldest first: the last cursor is the greatest.
      const last = lastCursor(fresh);
      if (last !== undefined && last !== at) {
        at = last;
        atCursor = new Set();
      }
      for (const p of fresh) if (p.cursor === at) atCursor.add(stableHash(p.record));
      yield fresh;
    }
    if (!anyFresh) return;
  }
}

/** The cursor of the last record that has one. */
export function lastCursor(records: { cursor?: string }[]): string | undefined {
  for (let i = records.length - 1; i >= 0; i--) if (records[i].cursor !== undefined) return records[i].cursor;
  return undefined;
}
