/**
 * `junction schema pull <connection>`: reads the live system's field metadata through the connection (the connector's
 * `schemaPull`, over the whole HTTP stack: auth, guard, rate limit) and writes one overlay per entity into the spec
 * repository, `schemas/overlays/<connection>/<entity>.json` (an M3 transaction, `CRS610MI/Add`, is a folder and a
 * file). The files are stable (keys sorted, no timestamps), so a pull that finds nothing new changes nothing, and a
 * new custom field shows in the PR as a few added lines.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { CompiledConnection } from '../../compiler/compiled-spec.js';
import { createConnectionClient } from '../../http/connection-client.js';
import type { ConnectionSecurity } from '../../http/connection-client.js';
import type { Transport } from '../../http/transport.js';
import type { ConnectorDef } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';

/** Inputs of pullSchemas. */
interface PullSchemasOptions {
  connection: CompiledConnection;
  connector: ConnectorDef;
  /** The spec directory the overlays go under. */
  dir: string;
  /** Entities to pull. @default the connector's (`schemaPull.entities`) */
  entities?: readonly string[];
  env?: NodeJS.ProcessEnv;
  security?: ConnectionSecurity;
  transport?: Transport;
}

/** What happened to one entity. */
interface PulledEntity {
  entity: string;
  /** `absent`: the system has no such entity (nothing written). */
  status: 'written' | 'unchanged' | 'absent';
  /** The overlay file, relative to the spec directory. */
  file?: string;
  /** Fields (or attribute codes) the overlay holds. */
  fields: number;
}

/** Directory of a connection's overlays inside a spec directory. */
const overlayDir = (connection: string) => join('schemas', 'overlays', connection);

/** Pulls every entity; a failure other than "no such entity" throws (with the vendor's answer). */
export async function pullSchemas(options: PullSchemasOptions): Promise<PulledEntity[]> {
  const { connection, connector } = options;
  const pull = connector.schemaPull;
  if (!pull) throw new Error(`connector ${connector.id} cannot pull schemas (it reads no field metadata)`);
  const entities = options.entities ?? pull.entities;
  // Entity names become file paths: a name or a `PROGRAM/Transaction`, never `..` or an absolute path.
  const unsafe = entities.find((e) => !/^\w[\w.-]*(\/\w[\w.-]*)?$/.test(e) || e.includes('..'));
  if (unsafe !== undefined)
    throw new Error(`${JSON.stringify(unsafe)} is not an entity name (a name such as Account, or PROGRAM/Transaction)`);
  const client = createConnectionClient({
    connection,
    connector,
    ...(options.env ? { env: options.env } : {}),
    ...(options.security ? { security: options.security } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
  });
  const read = async (operation: string, params: Record<string, unknown>, body: Record<string, unknown> = {}) =>
    (await client.call(operation, { params, body })).result;
  const out: PulledEntity[] = [];
  try {
    for (const entity of entities) {
      const overlay = await pull.pull(entity, read, connection.options).catch((error: unknown) => {
        if (error instanceof ConnectorError && error.code === 'not-found') return undefined;
        throw error;
      });
      if (!overlay) {
        out.push({ entity, status: 'absent', fields: 0 });
        continue;
      }
      const file = join(overlayDir(connection.name), `${entity}.json`);
      const content = stableJson({ connection: connection.name, connector: connector.id, entity, ...overlay });
      const path = join(options.dir, file);
      const before = await readFile(path, 'utf8').catch(() => undefined);
      if (before !== content) {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(path, content);
      }
      const fields = Object.keys(overlay.fields ?? overlay.attributes?.codes ?? {}).length;
      out.push({ entity, status: before === content ? 'unchanged' : 'written', file, fields });
    }
  } finally {
    await client.close();
  }
  return out;
}

/** JSON with every object's keys sorted, two-space indented, one trailing newline: diff-friendly and stable. */
function stableJson(value: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
          )
        : v;
  return `${JSON.stringify(sorted(value), null, 2)}\n`;
}
