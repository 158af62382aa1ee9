/** Both sides of a plan: the spec directory compiled at a Git ref and in the working tree. */
import { createConnectorRegistry } from '../../connectors/index.js';
import { readSpecTreeAtRef } from '../gitops/read-tree-at-ref.js';
import type { PlanSide } from '../plan/plan-diff.js';
import { compileSpecTree } from '../spec/compile-spec-set.js';
import { transformEngine } from '../transform/select-engine.js';
import type { TransformEngineName } from '../transform/select-engine.js';
import { compileDirectoryWithTree } from './spec-loader.js';
import { UsageError } from './usage-error.js';

/** @param head the working tree, when the caller compiled it already */
export async function planAgainstBase(dir: string, ref: string, engineName: TransformEngineName, head?: PlanSide): Promise<{ base: PlanSide & { commit: string }; head: PlanSide }> {
  head ??= await compileDirectoryWithTree(dir, engineName);
  let atRef;
  try {
    atRef = await readSpecTreeAtRef(dir, ref, head.tree.displayRoot);
  } catch (error) {
    throw new UsageError(`cannot read ${dir} at ${ref}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = compileSpecTree(atRef.tree, { connectors: createConnectorRegistry(), engine: transformEngine(engineName), commit: atRef.commit });
  return { base: { result, tree: atRef.tree, commit: atRef.commit }, head };
}
