/** Spec sets for the operator-command tests, compiled from YAML text with the real connectors, as the CLI would. */
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { transformEngine } from '../../engine/transform/select-engine.js';

/** Compiles `files` (path -> YAML text); throws with every diagnostic when they do not compile. */
export function compileOpsSpecs(files: Record<string, string>): CompiledSpecSet {
  const tree = {
    displayRoot: '.',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })),
  };
  const result = compileSpecTree(tree, { connectors: createConnectorRegistry(), engine: transformEngine('junction') });
  if (!result.specSet)
    throw new Error(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`).join('\n'));
  return result.specSet;
}

/** A Connection spec. */
export function connectionYaml(name: string, type: string, baseUrl: string, extra = ''): string {
  return `apiVersion: junction/v1
kind: Connection
name: ${name}
type: ${type}
base_url: ${baseUrl}
timeout: 2s
${extra}`;
}
