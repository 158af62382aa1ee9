/**
 * A stream source's params against the objects they name (Salesforce `enrich_fields` and `gap_fields`): the
 * connector's check, given the connection's objects as the compiler knows them (the connector's own schemas, with
 * the overlays `junction schema pull` wrote laid over them). Each problem is reported at its value's line and column
 * (the unknown part of a dotted path or subquery when the connector says where it starts).
 */
import { isScalar } from 'yaml';
import type { EntityOverlay, JsonSchema, KnownObjects } from '../sdk/connector.js';
import type { CompiledConnection, CompiledIntegration } from './compiled-spec.js';
import type { CompileContext } from './compile-context.js';
import type { ValidatedSpec } from './parse-specs.js';
import { scalarOffsetMap } from './scalar-offsets.js';
import { overlaid } from './schema-overlays.js';
import type { SchemaOverlays } from './schema-overlays.js';
import { nodeAt, toPosition, valuePosition } from './source-position.js';

export function checkStreamParams(
  ctx: CompileContext,
  integrations: readonly { compiled: CompiledIntegration; validated: ValidatedSpec<'Integration'> }[],
  connections: ReadonlyMap<string, CompiledConnection>,
  overlays: SchemaOverlays,
): void {
  for (const { compiled, validated } of integrations) {
    const source = compiled.source;
    if (source.kind !== 'stream') continue;
    const connection = connections.get(source.connection);
    const connector = connection && ctx.options.connectors.get(connection.type);
    const check = connector?.streams?.[source.stream]?.checkParams;
    if (!check) continue;
    const objects = knownObjects(source.connection, connector.entitySchemas ?? {}, overlays.get(source.connection));
    for (const problem of check(source.params, objects)) {
      const path = ['source', 'stream', 'params', ...problem.path];
      const node = nodeAt(validated.spec, path);
      const at =
        problem.offset !== undefined && isScalar(node)
          ? toPosition(validated.spec, scalarOffsetMap(node, validated.spec.text)(problem.offset))
          : valuePosition(validated.spec, path);
      ctx.diagnostics.push({
        file: validated.spec.file,
        ...at,
        severity: problem.severity,
        code: 'unknown-read-field',
        message: problem.message,
      });
    }
  }
}

/** The connection's objects: an overlay replaces the built-in fields of its object, or describes a new object. */
function knownObjects(
  connection: string,
  builtIn: Readonly<Record<string, JsonSchema>>,
  pulled: ReadonlyMap<string, EntityOverlay> | undefined,
): KnownObjects {
  const names = [...new Set([...Object.keys(builtIn), ...(pulled?.keys() ?? [])])];
  const byLowerName = new Map(names.map((n) => [n.toLowerCase(), n]));
  return {
    connection,
    names: () => names,
    get(name) {
      // Object names too are matched whatever their case, as Salesforce does.
      const found = byLowerName.get(name.toLowerCase());
      if (!found) return undefined;
      const overlay = pulled?.get(found);
      if (overlay?.fields)
        return {
          schema: overlaid(builtIn[found], overlay, found),
          from: `schemas/overlays/${connection}/${found}.json`,
        };
      return builtIn[found] && { schema: builtIn[found], from: `the connector's ${found} schema` };
    },
  };
}
