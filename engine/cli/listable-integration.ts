/**
 * The integration a command that lists source records (`junction backfill`, `junction reconcile`) works on: compiled
 * from its spec directory, and refused with a usage error when it is not there or cannot list its records.
 */
import type { CompiledIntegration, CompiledSpecSet } from '../compiler/compiled-spec.js';
import { didYouMean } from '../compiler/suggest.js';
import { UsageError } from './usage-error.js';
import { compiledSpecSet } from './wiring.js';
import type { Wiring } from './wiring.js';

export async function listableIntegration(
  wiring: Wiring,
  dir: string,
  name: string,
): Promise<{ specSet: CompiledSpecSet; integration: CompiledIntegration }> {
  const specSet = await compiledSpecSet(wiring, dir);
  const integration = specSet.integrations.get(name);
  if (!integration) throw new UsageError(unknownIntegration(specSet, name, dir));
  if (!integration.read?.list)
    throw new UsageError(`${name} has no read.list (and no schedule source): add one to say how to list its records`);
  return { specSet, integration };
}

/** `no integration named "x" in <dir>`, with the closest name there is. */
export function unknownIntegration(specSet: CompiledSpecSet, name: string, dir: string): string {
  return `no integration named ${JSON.stringify(name)} in ${dir}${didYouMean(name, [...specSet.integrations.keys()])}`;
}
