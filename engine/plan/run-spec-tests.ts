/** Runs every case of every `<integration>.test.yaml` in a compiled tree as a dry run, and checks it. */
import type { ConnectorRegistry } from '../sdk/connector.js';
import type { CompileResult, TestSpecFile } from '../spec/compile-spec-set.js';
import type { SpecTree } from '../spec/spec-tree.js';
import { checkExpectations } from './check-expectations.js';
import type { Expectation } from './check-expectations.js';
import { dryRun } from './dry-run.js';
import type { DryRunInput } from './dry-run.js';
import type { ExecutionResult } from './execution-types.js';
import type { JsonDifference } from './json-diff.js';

export interface CaseReport {
  file: string;
  integration: string;
  name: string;
  index: number;
  passed: boolean;
  differences: JsonDifference[];
  result?: ExecutionResult;
  /** Set when the case could not run at all (bad event file, unknown integration). */
  error?: string;
}

interface RawCase {
  name: string;
  event?: unknown;
  event_file?: string;
  xref?: DryRunInput['xref'];
  echo?: DryRunInput['echo'];
  lookups?: DryRunInput['lookups'];
  responses?: DryRunInput['responses'];
  expect: Expectation;
}

export async function runSpecTests(compiled: CompileResult, tree: SpecTree, connectors: ConnectorRegistry, filter?: (test: TestSpecFile) => boolean): Promise<CaseReport[]> {
  if (!compiled.specSet) return [];
  const reports: CaseReport[] = [];
  for (const test of compiled.tests.filter((t) => !filter || filter(t))) {
    const cases = test.value.cases as RawCase[];
    for (const [index, c] of cases.entries()) {
      const base = { file: test.file, integration: test.integration, name: c.name, index };
      let event: unknown;
      try {
        event = c.event_file === undefined ? c.event : readEventFile(tree, test.treePath, c.event_file);
      } catch (error) {
        reports.push({ ...base, passed: false, differences: [], error: (error as Error).message });
        continue;
      }
      const result = await dryRun(compiled.specSet, connectors, { integration: test.integration, event, responses: c.responses, xref: c.xref, echo: c.echo, lookups: c.lookups });
      const differences = checkExpectations(c.expect ?? {}, result);
      reports.push({ ...base, passed: differences.length === 0, differences, result });
    }
  }
  return reports;
}

function readEventFile(tree: SpecTree, testPath: string, file: string): unknown {
  const dir = testPath.split('/').slice(0, -1);
  for (const part of file.split('/')) {
    if (part === '..') dir.pop();
    else if (part !== '.') dir.push(part);
  }
  const path = dir.join('/');
  const found = tree.files.find((f) => f.path === path);
  if (!found) throw new Error(`event_file ${JSON.stringify(file)} not found (looked for ${path})`);
  try {
    return JSON.parse(found.bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`event_file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
