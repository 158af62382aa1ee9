/**
 * The parts of an Integration that Junction runs outside of events: `requires` (cross-references that must exist
 * first), `read` (how to list the source's records, or read one by key; a schedule source is its own `list`) and
 * `reconcile` (a reconciliation schedule), and `xref.match` (how `junction xref match` pairs existing records).
 */
import type { CompiledExpression } from '../transform/transform-engine.js';
import type {
  CompiledReadGet,
  CompiledReadList,
  CompiledRequirement,
  CompiledSource,
  CompiledXrefMatch,
} from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { resolveOperation } from './resolve-operation.js';
import type { ConnectionScope } from './resolve-operation.js';
import type { OperationDef } from '../sdk/connector.js';
import type { ReconcileSchedule, Requirement } from './generated/spec-types.js';
import type { ValidatedSpec } from './parse-specs.js';
import type { JsonPath } from './source-position.js';
import { parseDuration } from './duration.js';

type Expr = (path: JsonPath) => CompiledExpression | undefined;

const READ_KINDS = new Set(['read', 'query']);

export function compileRequirements(
  requirements: Requirement[] | undefined,
  at: JsonPath,
  expr: Expr,
): CompiledRequirement[] | undefined {
  return requirements?.map((r, i) => ({ map: r.xref, key: expr([...at, i, 'key'])!, fetch: r.fetch }));
}

export function compileRead(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  scope: ConnectionScope,
  source: CompiledSource,
  expr: Expr,
): { list?: CompiledReadList; get?: CompiledReadGet } | undefined {
  const { list, get } = validated.value.read ?? {};
  const listOperation =
    list && checkReadOperation(ctx, validated, ['read', 'list'], scope, 'read.list', list.operation);
  if (get) checkReadOperation(ctx, validated, ['read', 'get'], scope, 'read.get', get.operation);
  const compiledList: CompiledReadList | undefined = list
    ? {
        connection: list.connection,
        operation: list.operation,
        params: list.params ?? {},
        body: list.body === undefined ? undefined : expr(['read', 'list', 'body']),
        records: list.records === undefined ? undefined : expr(['read', 'list', 'records']),
        cursor: expr(['read', 'list', 'cursor'])!,
        initialCursor: list.initial_cursor,
        pagesInCursorOrder: listOperation?.paginate?.orderedBy === list.cursor.trim(),
      }
    : source.kind === 'schedule' && !source.snapshot // a snapshot's cursor is no position to list from
      ? {
          connection: source.connection,
          operation: source.operation,
          params: source.params,
          body: source.body,
          records: source.records,
          cursor: source.cursor,
          initialCursor: source.initialCursor,
          pagesInCursorOrder: source.pagesInCursorOrder,
        }
      : undefined;
  const compiledGet: CompiledReadGet | undefined = get && {
    connection: get.connection,
    operation: get.operation,
    params: get.params ?? {},
    body: get.body === undefined ? undefined : expr(['read', 'get', 'body']),
    record: get.record === undefined ? undefined : expr(['read', 'get', 'record']),
  };
  return compiledList || compiledGet ? { list: compiledList, get: compiledGet } : undefined;
}

/** `steps[i].xref.match`: how `junction xref match` lists the target's records and keys both sides. */
export function compileXrefMatch(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  stepIndex: number,
  scope: ConnectionScope,
  expr: Expr,
): CompiledXrefMatch | undefined {
  const match = validated.value.steps[stepIndex].xref?.match;
  if (!match) return undefined;
  const at = ['steps', stepIndex, 'xref', 'match'];
  const operation = checkReadOperation(
    ctx,
    validated,
    [...at, 'target'],
    scope,
    'xref.match.target',
    match.target.operation,
  );
  const { target } = match;
  return {
    sourceKey: expr([...at, 'source_key'])!,
    target: {
      connection: target.connection,
      operation: target.operation,
      params: target.params ?? {},
      body: target.body === undefined ? undefined : expr([...at, 'target', 'body']),
      records: target.records === undefined ? undefined : expr([...at, 'target', 'records']),
      cursor: expr([...at, 'target', 'cursor'])!,
      initialCursor: target.initial_cursor,
      pagesInCursorOrder: operation?.paginate?.orderedBy === target.cursor.trim(),
    },
    targetKey: expr([...at, 'target', 'key'])!,
    targetId: expr([...at, 'target', 'id'])!,
  };
}

/** Junction reads records itself only with query and read operations (`read-operation`); the operation, if known. */
function checkReadOperation(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  at: JsonPath,
  scope: ConnectionScope,
  label: string,
  name: string,
): OperationDef | undefined {
  const operation = resolveOperation(ctx, validated, at, scope);
  if (operation && !READ_KINDS.has(operation.kind))
    ctx.error(
      validated.spec,
      [...at, 'operation'],
      'read-operation',
      `${name} is a ${operation.kind} operation; ${label} needs a query or read operation`,
    );
  return operation;
}

export function compileReconcile(
  r: ReconcileSchedule | undefined,
): { everyMs: number; sample: number; fix: boolean } | undefined {
  return r && { everyMs: parseDuration(r.every), sample: r.sample, fix: r.fix };
}
