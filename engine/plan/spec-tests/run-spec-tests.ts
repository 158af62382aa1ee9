/**
 * Runs every case of every `<integration>.test.yaml` in a compiled tree as a dry run, and checks it: against the
 * case's `expect`, and the records sent against the operations' schemas and `owns`.
 */
import type { ConnectorRegistry } from '../../sdk/connector.js';
import type { CompileResult, TestSpecFile } from '../../compiler/compile-spec-set.js';
import type { SpecTree } from '../../compiler/spec-tree.js';
import { checkExpectations } from './check-expectations.js';
import { checkPlanFields } from './check-plan-fields.js';
import { dryRun } from '../dry-run.js';
import type { DryRunResult } from '../dry-run.js';
import type { JsonDifference } from '../diff/json-diff.js';
import { loadCases } from './load-cases.js';

/** The outcome of one test case. */
export interface CaseReport {
  file: string;
  integration: string;
  name: string;
  index: number;
  passed: boolean;
  /** Where the plan differs from the case's `expect`. */
  differences: JsonDifference[];
  /** Records sent with fields outside the operation's schema or `owns` (see check-plan-fields.ts). */
  fieldProblems: JsonDifference[];
  result?: DryRunResult;
  /** Set when the case could not run at all (bad event file, unknown integration). */
  error?: string;
}

/** Runs the cases of the tests that pass `filter` (all by default); empty when the set did not compile. */
export async function runSpecTests(
  compiled: CompileResult,
  tree: SpecTree,
  connectors: ConnectorRegistry,
  filter?: (test: TestSpecFile) => boolean,
): Promise<CaseReport[]> {
  const specSet = compiled.specSet;
  if (!specSet) return [];
  const reports: CaseReport[] = [];
  for (const c of loadCases({ tests: compiled.tests.filter((t) => !filter || filter(t)) }, tree)) {
    const base = { file: c.file, integration: c.integration, name: c.name, index: c.index };
    if (!c.input) {
      reports.push({ ...base, passed: false, differences: [], fieldProblems: [], error: c.error });
      continue;
    }
    const result = await dryRun(specSet, connectors, c.input);
    const integration = specSet.integrations.get(c.integration);
    const differences = checkExpectations(c.expect, result);
    const fieldProblems = integration ? checkPlanFields(result, integration, specSet, connectors) : [];
    reports.push({
      ...base,
      passed: differences.length === 0 && fieldProblems.length === 0,
      differences,
      fieldProblems,
      result,
    });
  }
  return reports;
}
