/** Reads the cases of compiled test files into dry-run inputs, resolving `event_file` inside the spec tree. */
import { eventFileTooLarge } from '../../compiler/checks/check-test-references.js';
import type { CompileResult } from '../../compiler/compile-spec-set.js';
import { dataLimit, relativeTreePath } from '../../compiler/spec-tree.js';
import type { SpecTree } from '../../compiler/spec-tree.js';
import type { Expectation } from '../../compiler/generated/spec-types.js';
import type { DryRunInput } from '../dry-run.js';

/** One test case, ready to run (or the reason it cannot run). */
export interface LoadedCase {
  file: string;
  integration: string;
  name: string;
  /** Position of the case in its file's `cases` list. */
  index: number;
  expect: Expectation;
  input?: DryRunInput;
  error?: string;
}

/**
 * Every case of every test file, in file order; a case whose event file is missing carries `error` instead of `input`.
 */
export function loadCases(compiled: Pick<CompileResult, 'tests'>, tree: SpecTree): LoadedCase[] {
  const out: LoadedCase[] = [];
  for (const test of compiled.tests) {
    for (const [index, c] of test.value.cases.entries()) {
      const base = { file: test.file, integration: test.integration, name: c.name, index, expect: c.expect };
      try {
        const event = c.event_file === undefined ? c.event : readEventFile(tree, test.treePath, c.event_file);
        out.push({
          ...base,
          input: {
            integration: test.integration,
            event,
            responses: c.responses,
            xref: c.xref,
            echo: c.echo,
            created: c.created,
            lookups: c.lookups,
            outcomeUnknown: c.outcome_unknown,
          },
        });
      } catch (error) {
        out.push({ ...base, error: (error as Error).message });
      }
    }
  }
  return out;
}

function readEventFile(tree: SpecTree, testPath: string, file: string): unknown {
  const path = relativeTreePath(testPath, file);
  const found = tree.files.find((f) => f.path === path);
  if (!found) throw new Error(`event_file ${JSON.stringify(file)} not found (looked for ${path})`);
  if (found.oversize !== undefined) throw new Error(eventFileTooLarge(file, found.oversize, dataLimit(tree)));
  try {
    return JSON.parse(found.bytes.toString('utf8'));
  } catch (error) {
    throw new Error(`event_file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
