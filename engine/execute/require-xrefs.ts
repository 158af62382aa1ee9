/**
 * `requires`: before an integration's steps (or one step, per `for_each` element) run, each required
 * cross-reference must exist. A missing one is not the event's fault: it is a dependency (the customer's account
 * before the order's invoice), so the failure says which one, and the runtime waits for it instead of spending the
 * retry budget (engine/runtime/worker/dependency-wait.ts).
 */
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledRequirement } from '../compiler/compiled-spec.js';
import type { ExecutionState } from './execution-types.js';

/** The failure code of a missing required cross-reference. */
export const DEPENDENCY_MISSING = 'dependency-missing';

/** Which cross-reference an event waits for. */
interface Dependency {
  map: string;
  key: string;
  /** Ask the map's writer to fetch the record (the requirement's `fetch`). */
  fetch: boolean;
}

export class DependencyMissingError extends ConnectorError {
  constructor(readonly dependency: Dependency) {
    super(
      DEPENDENCY_MISSING,
      `waiting for cross-reference ${dependency.map} ${JSON.stringify(dependency.key)}: the record it needs has not been synced yet`,
      'retryable',
    );
  }
}

/** Throws DependencyMissingError for the first required cross-reference that does not exist. */
export async function requireXrefs(
  requirements: readonly CompiledRequirement[] | undefined,
  xref: ExecutionState['xref'],
  keyOf: (requirement: CompiledRequirement) => Promise<unknown>,
): Promise<void> {
  for (const requirement of requirements ?? []) {
    const key = await keyOf(requirement);
    // No key (a guest order has no customer id): nothing to wait for.
    if (key === undefined || key === null || key === '') continue;
    if (xref.get(requirement.map, String(key)) === undefined)
      throw new DependencyMissingError({ map: requirement.map, key: String(key), fetch: requirement.fetch });
  }
}
