/**
 * Defaults that live in other parts of the engine: the connector registry, the real StepInvoker over the HTTP stack,
 * and compiling a spec directory. Loaded lazily so the runtime also works (and is tested) with injected ones.
 */
import type { ConnectorRegistry } from '../sdk/connector.js';
import type { CompiledSpecSet } from '../spec/compiled-spec.js';
import { compileSpecTree } from '../spec/compile-spec-set.js';
import { readSpecTree } from '../spec/spec-tree.js';
import { transformEngine } from '../transform/select-engine.js';
import type { InvokerFactory } from './spec-registry.js';

// Module paths held in variables: these modules are built by other stages and resolved at run time.
const CONNECTORS_MODULE = '../../connectors/index.js';
const INVOKER_MODULE = '../plan/connection-invoker.js';

/** The built-in connectors (connectors/index.ts). */
export async function defaultConnectors(): Promise<ConnectorRegistry> {
  const mod = (await import(CONNECTORS_MODULE)) as { createConnectorRegistry(): ConnectorRegistry };
  return mod.createConnectorRegistry();
}

/** The real invoker: each step goes through its connector and the shared HTTP stack. */
export async function defaultInvokerFactory(connectors: ConnectorRegistry, env: NodeJS.ProcessEnv = process.env): Promise<InvokerFactory> {
  let mod: { createStepInvoker(options: { specSet: CompiledSpecSet; connectors: ConnectorRegistry; env?: NodeJS.ProcessEnv }): ReturnType<InvokerFactory> };
  try {
    mod = await import(INVOKER_MODULE);
  } catch (error) {
    throw new Error(`no StepInvoker available (engine/plan/connection-invoker.ts did not load: ${(error as Error).message}); pass \`invoker\` to startEngine`);
  }
  return (specSet) => mod.createStepInvoker({ specSet, connectors, env });
}

/** Compiles a spec directory; throws with every error diagnostic when it does not compile. */
export async function compileSpecDir(dir: string, connectors: ConnectorRegistry): Promise<CompiledSpecSet> {
  const result = compileSpecTree(await readSpecTree(dir), { connectors, engine: transformEngine() });
  if (!result.specSet) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}:${d.line}:${d.col}  ${d.code}  ${d.message}`);
    throw new Error(`specs in ${dir} do not compile:\n${errors.join('\n')}`);
  }
  return result.specSet;
}
