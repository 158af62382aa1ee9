/**
 * Reading an integration's source records outside of events, through the same StepInvoker (so the same HTTP stack,
 * auth and rate limit) as its steps: one record by key (`read.get`: dependency fetch, reconcile) or the records
 * from a cursor on (`read.list`: backfill, xref match, reconcile).
 */
import type {
  CompiledIntegration,
  CompiledReadGet,
  CompiledReadList,
  CompiledStep,
} from '../compiler/compiled-spec.js';
import type { TransformGuards } from '../transform/transform-engine.js';
import type { StepInvoker } from './execution-types.js';

/** Reads the source record whose key is `key`; undefined when the integration has no `read.get`. */
export async function readSourceRecord(
  integration: CompiledIntegration,
  key: string,
  invoke: StepInvoker,
  guards?: TransformGuards,
): Promise<unknown> {
  const get = integration.read?.get;
  if (!get) return undefined;
  const body = get.body ? await Promise.resolve(get.body.evaluate({}, { key }, guards)) : undefined;
  const result = await call(integration, get, 'read', { ...get.params }, body, invoke, `read:${key}`);
  return get.record ? Promise.resolve(get.record.evaluate(result, {}, guards)) : result;
}

/** One listing from `cursor` on (inclusive): the records, each with its cursor value, oldest first. */
export async function listSourceRecords(
  integration: CompiledIntegration,
  list: CompiledReadList,
  cursor: string,
  invoke: StepInvoker,
  guards?: TransformGuards,
): Promise<{ record: unknown; cursor?: string }[]> {
  const params = Object.fromEntries(
    Object.entries(list.params).map(([k, v]) => [k, typeof v === 'string' ? v.split('$cursor').join(cursor) : v]),
  );
  const body = list.body ? await Promise.resolve(list.body.evaluate({}, { cursor }, guards)) : undefined;
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
