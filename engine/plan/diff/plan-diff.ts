/**
 * The data-level "terraform plan" of a change: the spec set at a base ref against the working tree. For every
 * integration added, removed or changed, each test case runs as a dry run on both sides (with the same fixture,
 * the head's), and the planned requests are diffed per request and per field.
 */
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { CompileResult } from '../../compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../../compiler/compiled-spec.js';
import type { Diagnostic } from '../../compiler/diagnostics.js';
import type { SpecTree } from '../../compiler/spec-tree.js';
import { caseError, dryRun } from '../dry-run.js';
import type { DryRunResult } from '../dry-run.js';
import { loadCases } from '../spec-tests/load-cases.js';
import type { LoadedCase } from '../spec-tests/load-cases.js';
import { FieldRedaction } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import { diffPlans } from './request-diff.js';
import { securityChanges } from './security-changes.js';
import type { SecurityChange } from './security-changes.js';
import { rolloutRisks } from './rollout-risks.js';
import type { RolloutRisk } from './rollout-risks.js';
import type { PlanChange } from './request-diff.js';

/** How an integration differs between base and head. */
type IntegrationStatus = 'added' | 'removed' | 'changed';

/** The plan of a change; `junction plan --format json` prints exactly this. */
export interface PlanReport {
  integrations: { name: string; status: IntegrationStatus; cases: { name: string; changes: PlanChange[] }[] }[];
  /** Errors and warnings at head that the base does not have. */
  diagnostics: Diagnostic[];
  /** New hosts, new secret references, removed or weakened webhook verification. */
  security: SecurityChange[];
  /** Changes that need a careful rollout on a live cluster (a changed `key`: pause, drain, then merge). */
  rollout: RolloutRisk[];
}

/** One side of the comparison: a compiled tree and the files it came from (for `event_file`). */
export interface PlanSide {
  result: CompileResult;
  tree: SpecTree;
}

/** Plans every added, removed or changed integration of `head` against `base`. */
export async function planDiff(base: PlanSide, head: PlanSide, connectors: ConnectorRegistry): Promise<PlanReport> {
  const diagnostics = introducedDiagnostics(base.result.diagnostics, head.result.diagnostics);
  const headSet = head.result.specSet;
  if (!headSet) return { integrations: [], diagnostics, security: [], rollout: [] };
  const baseSet = base.result.specSet;
  const security = securityChanges(baseSet, headSet);
  const rollout = rolloutRisks(baseSet, headSet);
  const headCases = loadCases(head.result, head.tree);
  const baseCases = loadCases(base.result, base.tree);
  const names = [...new Set([...headSet.integrations.keys(), ...(baseSet?.integrations.keys() ?? [])])].sort();
  // One instant for every case on both sides: a mapping that stamps the time must not show as changed by the plan.
  const now = Date.now();
  const integrations: PlanReport['integrations'] = [];
  for (const name of names) {
    const before = baseSet?.integrations.get(name);
    const after = headSet.integrations.get(name);
    const status: IntegrationStatus = !after ? 'removed' : !before && baseSet ? 'added' : 'changed';
    const cases: PlanReport['integrations'][number]['cases'] = [];
    const headNames = new Set(headCases.filter((c) => c.integration === name).map((c) => c.name));
    const toRun = [
      ...headCases.filter((c) => c.integration === name),
      ...baseCases.filter((c) => c.integration === name && !headNames.has(c.name)),
    ];
    for (const c of toRun) {
      const from = headNames.has(c.name) ? 'head' : 'base';
      const planBefore = before && baseSet ? await planCase(baseSet, connectors, c, now) : undefined;
      const planAfter = after && from === 'head' ? await planCase(headSet, connectors, c, now) : undefined;
      const paths = [...(before?.redact ?? []), ...(after?.redact ?? [])];
      const changes = redactChanges(diffPlans(planBefore, planAfter), paths, [c.input?.event, planBefore, planAfter]);
      if (changes.length > 0) cases.push({ name: c.name, changes });
    }
    if (status !== 'changed' || before?.hash !== after?.hash || cases.length > 0)
      integrations.push({ name, status, cases });
  }
  return { integrations, diagnostics, security, rollout };
}

/**
 * The integration's `redact` paths masked in what the PR comment shows: a change to a redacted field is still listed,
 * with its values masked (the diff runs on the real values first).
 */
function redactChanges(changes: PlanChange[], paths: readonly FieldPath[], documents: unknown[]): PlanChange[] {
  if (paths.length === 0) return changes;
  const sides = documents.flatMap((d) =>
    d && typeof d === 'object' && 'requests' in d ? (d as DryRunResult).requests.map((r) => r.body) : [d],
  );
  const r = new FieldRedaction(paths, sides);
  return changes.map((change) => ({
    ...change,
    request: change.request === null ? null : r.text(change.request),
    before: r.document(change.before),
    after: r.document(change.after),
  }));
}

/** A case's plan on one side; a case that cannot run plans as a failure with its reason. */
async function planCase(
  specSet: CompiledSpecSet,
  connectors: ConnectorRegistry,
  c: LoadedCase,
  now: number,
): Promise<DryRunResult> {
  if (!c.input) return caseError(c.error ?? 'cannot run');
  return dryRun(specSet, connectors, { ...c.input, now });
}

/** Diagnostics at head with no counterpart at base (compared without line numbers, which shift with edits). */
function introducedDiagnostics(base: readonly Diagnostic[], head: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => `${d.file}\u0000${d.code}\u0000${d.message}`;
  const before = new Map<string, number>();
  for (const d of base) before.set(key(d), (before.get(key(d)) ?? 0) + 1);
  return head.filter((d) => {
    const left = before.get(key(d)) ?? 0;
    if (left > 0) before.set(key(d), left - 1);
    return left === 0;
  });
}
