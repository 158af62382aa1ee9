/**
 * Resolves what steps, sources and finds name: a connection by name, and an operation of that connection's connector,
 * with its static params checked against the operation's parameter schema. Unknown names get a did-you-mean.
 */
import type { ConnectorDef, OperationDef, StreamSourceDef } from '../sdk/connector.js';
import type { CompiledConnection } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { ValidatedSpec } from './parse-specs.js';
import { connectorSchemaValidator } from './schema-registry.js';
import { schemaDiagnostics } from './schema-diagnostics.js';
import type { JsonPath } from './source-position.js';
import { closestMatch } from './suggest.js';

/** Where a step, source, find or read names its operation. */
interface OperationSite {
  operation: string;
  params?: Record<string, unknown>;
}

/** The value at `path` inside a spec's value. */
function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown> | undefined)?.[key], value);
}

/** The connections an integration may name. */
export interface ConnectionScope {
  connections: ReadonlyMap<string, CompiledConnection>;
  /** Names of every connection spec, valid or not (so a broken connection does not also cause unknown-connection). */
  connectionNames: ReadonlySet<string>;
}

/** The connection named at `path`, reporting `unknown-connection` when no spec defines it. */
export function checkConnection(
  ctx: CompileContext,
  { spec, value }: ValidatedSpec<'Integration' | 'Lookup'>,
  path: JsonPath,
  scope: ConnectionScope,
): CompiledConnection | undefined {
  const name = valueAt(value, path);
  const connection = scope.connections.get(String(name));
  if (!connection && !scope.connectionNames.has(String(name))) {
    const hint = closestMatch(String(name), [...scope.connectionNames]);
    ctx.error(
      spec,
      path,
      'unknown-connection',
      `no connection named ${JSON.stringify(name)}${hint ? `; did you mean \`${hint}\`?` : '; define it as a Connection spec'}`,
    );
  }
  return connection;
}

/** Resolves `<at>.connection` + `<at>.operation` to the connector's operation and checks `<at>.params`. */
export function resolveOperation(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  at: JsonPath,
  scope: ConnectionScope,
): OperationDef | undefined {
  return operationOn(ctx, validated, at, checkConnection(ctx, validated, [...at, 'connection'], scope));
}

/** Resolves `<at>.operation` on a known connection and checks `<at>.params`. */
export function operationOn(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration' | 'Lookup'>,
  at: JsonPath,
  connection: CompiledConnection | undefined,
): OperationDef | undefined {
  const connector: ConnectorDef | undefined = connection && ctx.options.connectors.get(connection.type);
  if (!connector) return undefined;
  const node = valueAt(validated.value, at) as OperationSite;
  const name = node.operation;
  const operation = connector.operations[name];
  if (!operation) {
    const hint = connector.suggest?.(name) ?? closestMatch(name, Object.keys(connector.operations));
    ctx.error(
      validated.spec,
      [...at, 'operation'],
      'unknown-operation',
      `connector ${connector.id} has no operation ${JSON.stringify(name)}${hint ? `; did you mean \`${hint}\`?` : ''}`,
    );
    return undefined;
  }
  if (operation.params) {
    const validate = connectorSchemaValidator(operation.params);
    if (!validate(node.params ?? {})) {
      for (const d of schemaDiagnostics(validated.spec, validate.errors ?? [], [...at, 'params']))
        ctx.diagnostics.push({ ...d, code: 'invalid-params', message: `${d.message} (operation ${name})` });
    }
  }
  return operation;
}

/** Checks a stream source's connection, stream name and params; the stream's declaration when all are valid. */
export function resolveStream(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  scope: ConnectionScope,
): StreamSourceDef | undefined {
  const at: JsonPath = ['source', 'stream'];
  const connection = checkConnection(ctx, validated, [...at, 'connection'], scope);
  const connector: ConnectorDef | undefined = connection && ctx.options.connectors.get(connection.type);
  if (!connector) return;
  const node = validated.value.source.stream!;
  const name = node.stream;
  const stream = connector.streams?.[name];
  if (!stream) {
    const known = Object.keys(connector.streams ?? {});
    const hint = closestMatch(name, known);
    ctx.error(
      validated.spec,
      [...at, 'stream'],
      'unknown-operation',
      `connector ${connector.id} has no stream ${JSON.stringify(name)}${hint ? `; did you mean \`${hint}\`?` : known.length ? '' : ' (it offers none)'}`,
    );
    return;
  }
  if (stream.params) {
    const validate = connectorSchemaValidator(stream.params);
    if (!validate(node.params ?? {}))
      for (const d of schemaDiagnostics(validated.spec, validate.errors ?? [], [...at, 'params']))
        ctx.diagnostics.push({ ...d, code: 'invalid-params', message: `${d.message} (stream ${name})` });
  }
  return stream;
}
