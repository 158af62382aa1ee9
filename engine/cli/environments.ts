/**
 * `validate`, `test` and `plan` check a spec set in every place it runs: with its own values (`default`) and in each
 * of its environments (`kind: Environment`). A problem shared by every environment is reported once.
 */
import type { CompileResult, TestSpecFile } from '../compiler/compile-spec-set.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import { planDiff } from '../plan/diff/plan-diff.js';
import type { PlanReport, PlanSide } from '../plan/diff/plan-diff.js';
import { runSpecTests } from '../plan/spec-tests/run-spec-tests.js';
import type { CaseReport } from '../plan/spec-tests/run-spec-tests.js';
import type { Wiring } from './wiring.js';

/** The name of the spec set as written, without an environment's values. */
const DEFAULT_ENVIRONMENT = 'default';

interface EnvironmentCompile {
  /** undefined: the specs as written. */
  environment?: string;
  result: CompileResult;
}

/** `first` (the specs as written), then one compile per environment it names. */
export function compileEveryEnvironment(wiring: Wiring, tree: SpecTree, first: CompileResult): EnvironmentCompile[] {
  return [
    { result: first },
    ...first.environments.map((environment) => ({
      environment,
      result: wiring.compileTree(tree, undefined, environment),
    })),
  ];
}

/** Every diagnostic once; one that only an environment has names it. */
export function environmentDiagnostics(compiles: EnvironmentCompile[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const { environment, result } of compiles)
    for (const d of result.diagnostics) {
      const id = `${d.file}:${d.line}:${d.col}:${d.code}:${d.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(environment && compiles.length > 1 ? { ...d, message: `[env ${environment}] ${d.message}` } : d);
    }
  return out;
}

/**
 * The plan of a change in every environment: the specs' own plan, plus each integration whose planned writes differ
 * in an environment (named `<integration> [env <name>]`), and the diagnostics and security changes only an
 * environment has.
 */
export async function planEveryEnvironment(
  wiring: Wiring,
  base: PlanSide & { commit?: string },
  head: PlanSide,
): Promise<PlanReport> {
  const report = await planDiff(base, head, wiring.connectors);
  const seen = new Set([...report.diagnostics, ...report.security].map((x) => JSON.stringify(x)));
  for (const environment of head.result.environments) {
    const at = (side: PlanSide, commit?: string) => ({
      ...side,
      result: wiring.compileTree(side.tree, commit, environment),
    });
    const planned = await planDiff(at(base, base.commit), at(head), wiring.connectors);
    for (const integration of planned.integrations) {
      const own = report.integrations.find((i) => i.name === integration.name);
      if (own && JSON.stringify(own.cases) === JSON.stringify(integration.cases)) continue;
      report.integrations.push({ ...integration, name: `${integration.name} [env ${environment}]` });
    }
    for (const d of planned.diagnostics)
      if (!seen.has(JSON.stringify(d))) {
        seen.add(JSON.stringify(d));
        report.diagnostics.push({ ...d, message: `[env ${environment}] ${d.message}` });
      }
    for (const s of planned.security)
      if (!seen.has(JSON.stringify(s))) {
        seen.add(JSON.stringify(s));
        report.security.push(s);
      }
  }
  return report;
}

/**
 * Spec tests in every environment: a test file runs in each, or only in those it lists (`environments`). Case names
 * of an environment's run end in ` [env <name>]`; `own` is the run with the specs' own values.
 */
export async function testEveryEnvironment(
  wiring: Wiring,
  tree: SpecTree,
  compiles: EnvironmentCompile[],
  filter: (test: TestSpecFile) => boolean = () => true,
): Promise<{ reports: CaseReport[]; own: CaseReport[] }> {
  const reports: CaseReport[] = [];
  let own: CaseReport[] = [];
  for (const { environment, result } of compiles) {
    const name = environment ?? DEFAULT_ENVIRONMENT;
    const runsHere = (t: TestSpecFile) => !Array.isArray(t.value.environments) || t.value.environments.includes(name);
    const ran = await runSpecTests(result, tree, wiring.connectors, (t) => filter(t) && runsHere(t));
    if (!environment) own = ran;
    reports.push(...(environment ? ran.map((r) => ({ ...r, name: `${r.name} [env ${environment}]` })) : ran));
  }
  return { reports, own };
}
