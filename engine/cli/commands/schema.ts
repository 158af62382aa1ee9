/**
 * `junction schema pull <connection> [dir]`: the live system's field metadata (custom fields, picklists, external ids,
 * read-only flags) into `schemas/overlays/<connection>/<entity>.json` of the spec directory, which validate, test,
 * plan and the engine then read over the connector's built-in schemas. Commit the files and review them like specs.
 */
import type { Command } from 'commander';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { SchemaPullDef } from '../../sdk/connector.js';
import { addSecurityOptions, engineSecurity } from '../security-options.js';
import type { SecurityFlags } from '../security-options.js';
import { UsageError } from '../usage-error.js';

interface PullOptions extends SecurityFlags {
  entity?: string[];
}

export function registerSchemaCommand(program: Command): void {
  const schema = program.command('schema').description("a live system's field metadata as data in the spec repository");
  const pull = schema
    .command('pull')
    .description('read the field metadata of a connection (custom fields included) into schemas/overlays/')
    .argument('<connection>', 'connection name (its spec gives the URL and credentials)')
    .argument('[dir]', 'spec directory', 'specs')
    .option(
      '--entity <name...>',
      'entities to pull (e.g. Account, product, CRS610MI/Add); default: those the connector describes (M3: the transactions the specs call)',
    );
  addSecurityOptions(pull).action(async (name: string, dir: string, opts: PullOptions) => {
    // Loaded when the command runs, so `junction --help` does not pay for the compiler and the HTTP stack.
    const { compileDirectory, compileFailure, createWiring } = await import('../wiring.js');
    const { pullSchemas } = await import('../../ops/schema/pull-schemas.js');
    // The pull sends the connection's resolved secrets to its base_url, so it takes `junction run`'s allowlist: a
    // reference run would refuse stops the pull at line:col (secret-not-allowed), before anything is resolved or sent.
    // Other errors do not (the pulled fields may be what fixes them).
    const wiring = createWiring({ security: engineSecurity(process.env, opts, true) });
    const { result } = await compileDirectory(wiring, dir);
    if (result.diagnostics.some((d) => d.code === 'secret-not-allowed')) throw compileFailure(result, dir);
    const connection = result.connections.get(name);
    if (!connection) {
      const known = [...result.connections.keys()].join(', ') || 'none';
      const missing = `no connection named ${JSON.stringify(name)} compiles in ${dir} (connections: ${known})`;
      // Its spec may be there with an error: a problem in the specs (exit 1, each error at line:col), or a wrong name.
      if (result.diagnostics.some((d) => d.severity === 'error')) throw compileFailure(result, dir, missing);
      throw new UsageError(missing);
    }
    const connector = wiring.connectors.get(connection.type)!;
    if (!connector.schemaPull)
      throw new UsageError(`connector ${connector.id} has no field metadata to pull (${name} is a ${connector.id})`);
    const entities = opts.entity ?? usedEntities(connector.schemaPull, name, result.integrations);
    const pulled = await pullSchemas({
      connection,
      connector,
      dir,
      ...(entities ? { entities } : {}),
      security: wiring.security,
    }).catch((error: Error) => {
      process.stderr.write(`junction: pulling the field metadata of ${name} failed: ${error.message}\n`);
      return undefined;
    });
    if (!pulled) {
      process.exitCode = 1;
      return;
    }
    for (const p of pulled)
      process.stdout.write(
        p.status === 'absent'
          ? `-  ${p.entity}: ${name} has no such entity (skipped)\n`
          : `${p.status === 'written' ? '✓' : '='}  ${p.entity}: ${p.fields} fields -> ${dir}/${p.file}${p.status === 'unchanged' ? ' (unchanged)' : ''}\n`,
      );
    process.stderr.write(`pulled from ${connector.schemaPull.description}; commit the files with your specs\n`);
  });
}

/** For a connector whose entities are operations: those the integrations call on the connection (undefined: none). */
function usedEntities(
  pull: SchemaPullDef,
  connection: string,
  integrations: ReadonlyMap<string, CompiledIntegration>,
): string[] | undefined {
  if (!pull.entitiesUsed) return undefined;
  const operations = [...integrations.values()].flatMap((i) =>
    i.steps
      .filter((s) => s.connection === connection)
      .flatMap((s) => [s.operation, s.find?.operation, s.abandon?.operation]),
  );
  const used = pull.entitiesUsed([...new Set(operations.filter((o): o is string => o !== undefined))].sort());
  return used.length ? used : undefined;
}
