/**
 * Stage 3 for Lookup specs: build the table from inline entries or a CSV file next to the spec, or compile how its
 * values are asked of a connection at run time (`resolve`).
 */
import type { CompiledLookup, CompiledResolve } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import { compileExpression } from './compile-expression.js';
import { parseCsv } from './csv.js';
import { parseDuration } from './duration.js';
import type { ValidatedSpec } from './parse-specs.js';
import { checkConnection, operationOn } from './resolve-operation.js';
import type { ConnectionScope } from './resolve-operation.js';
import { dataLimit, relativeTreePath, tooLargeData } from './spec-tree.js';

export function compileLookup(
  ctx: CompileContext,
  validated: ValidatedSpec<'Lookup'>,
  treePath: string,
  scope: ConnectionScope,
): CompiledLookup | undefined {
  const { spec, value } = validated;
  const sources = [value.entries, value.csv, value.resolve].filter((source) => source !== undefined);
  if (sources.length !== 1) {
    ctx.error(
      spec,
      [],
      'lookup-source',
      'a lookup needs exactly one of `entries` (an inline table), `csv` (a file) or `resolve` (asked of a system)',
    );
    return undefined;
  }
  const base = { name: value.name, defaultValue: value.default, file: spec.file };
  if (value.resolve !== undefined) {
    const resolve = compileResolve(ctx, validated, scope);
    return resolve && { ...base, entries: new Map(), resolve };
  }
  const csv = value.csv;
  let entries: Map<string, unknown>;
  if (csv) {
    const csvPath = relativeTreePath(treePath, csv.file);
    const file = ctx.tree.files.find((f) => f.path === csvPath);
    if (!file) {
      ctx.error(
        spec,
        ['csv', 'file'],
        'lookup-source',
        `CSV file ${JSON.stringify(csv.file)} not found next to the spec (looked for ${csvPath})`,
      );
      return undefined;
    }
    if (file.oversize !== undefined) {
      const fix = 'split the table into several lookups, or look its values up at run time with `resolve`';
      ctx.error(
        spec,
        ['csv', 'file'],
        'file-too-large',
        tooLargeData(`CSV file ${JSON.stringify(csv.file)}`, file.oversize, fix, dataLimit(ctx.tree)),
      );
      return undefined;
    }
    const rows = parseCsv(file.bytes.toString('utf8'));
    const header = rows[0] ?? [];
    const keyIndex = header.indexOf(csv.key_column);
    const valueIndex = header.indexOf(csv.value_column);
    if (keyIndex < 0 || valueIndex < 0) {
      const missing = keyIndex < 0 ? csv.key_column : csv.value_column;
      ctx.error(
        spec,
        ['csv', keyIndex < 0 ? 'key_column' : 'value_column'],
        'lookup-source',
        `column ${JSON.stringify(missing)} is not in the CSV header (${header.join(', ')})`,
      );
      return undefined;
    }
    entries = new Map(
      rows
        .slice(1)
        .filter((r) => r.length > keyIndex)
        .map((r) => [r[keyIndex], r[valueIndex]]),
    );
  } else {
    entries = new Map(Object.entries(value.entries ?? {}));
  }
  return { ...base, entries };
}

/** `resolve`: a read or query of a known connection, and its expressions. */
function compileResolve(
  ctx: CompileContext,
  validated: ValidatedSpec<'Lookup'>,
  scope: ConnectionScope,
): CompiledResolve | undefined {
  const raw = validated.value.resolve!;
  const connection = checkConnection(ctx, validated, ['resolve', 'connection'], scope);
  const operation = operationOn(ctx, validated, ['resolve'], connection);
  if (operation && operation.kind !== 'read' && operation.kind !== 'query')
    ctx.error(
      validated.spec,
      ['resolve', 'operation'],
      'lookup-source',
      `resolve operation ${raw.operation} is a ${operation.kind}; a lookup may only read (a read or query operation)`,
    );
  const expr = (key: 'value' | 'body' | 'records') =>
    raw[key] === undefined
      ? undefined
      : ctx.timed('jsonata', () =>
          compileExpression(ctx.options.engine, { spec: validated.spec, path: ['resolve', key] }, ctx.diagnostics),
        );
  const value = expr('value');
  if (!connection || !operation || !value) return undefined;
  return {
    connection: connection.name,
    operation: raw.operation,
    kind: operation.kind,
    params: raw.params ?? {},
    body: expr('body'),
    records: expr('records'),
    value,
    ttlMs: parseDuration(raw.ttl), // the schema's default (10m) is filled in
  };
}
