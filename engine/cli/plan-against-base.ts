/** Both sides of a plan: the spec directory compiled at a Git ref and in the working tree. */
import { readSpecTreeAtRef } from '../gitops/read-tree-at-ref.js';
import type { PlanSide } from '../plan/diff/plan-diff.js';
import { compileDirectory } from './wiring.js';
import type { Wiring } from './wiring.js';
import { UsageError } from './usage-error.js';

/** @param head the working tree, when the caller compiled it already */
export async function planAgainstBase(
  wiring: Wiring,
  dir: string,
  ref: string,
  head?: PlanSide,
): Promise<{ base: PlanSide & { commit: string }; head: PlanSide }> {
  head ??= await compileDirectory(wiring, dir);
  let atRef;
  try {
    atRef = await readSpecTreeAtRef(dir, ref, head.tree.displayRoot, wiring.maxDataBytes);
  } catch (error) {
    throw new UsageError(`cannot read ${dir} at ${ref}: ${(error as Error).message.split('\n')[0]}`);
  }
  const result = wiring.compileTree(atRef.tree, atRef.commit);
  return { base: { result, tree: atRef.tree, commit: atRef.commit }, head };
}
