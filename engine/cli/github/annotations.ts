/** Check-run annotations: one per diagnostic at its line:col, and one per failing test case at the case's name. */
import { relative, resolve } from 'node:path';
import type { CaseReport } from '../../plan/spec-tests/run-spec-tests.js';
import type { TestSpecFile } from '../../compiler/compile-spec-set.js';
import type { Diagnostic } from '../../compiler/diagnostics.js';
import { valuePosition } from '../../compiler/source-position.js';
import type { CheckAnnotation } from './check-run.js';

/** Turns a path as the CLI prints it (relative to the working directory) into one relative to the repository root. */
export function repoPathMapper(repoRoot: string, cwd = process.cwd()): (file: string) => string {
  return (file) => relative(repoRoot, resolve(cwd, file)).split('\\').join('/');
}

/** One annotation per diagnostic, at its line:col. */
export function diagnosticAnnotations(
  diagnostics: readonly Diagnostic[],
  toRepoPath: (file: string) => string,
): CheckAnnotation[] {
  return diagnostics.map((d) => ({
    path: toRepoPath(d.file),
    start_line: d.line,
    end_line: d.line,
    start_column: d.col,
    end_column: d.col,
    annotation_level: d.severity === 'error' ? 'failure' : 'warning',
    title: d.code,
    message: d.message,
  }));
}

/** One annotation per failing test case, at its `name` in the test file, with its first differences. */
export function testAnnotations(
  reports: readonly CaseReport[],
  tests: readonly TestSpecFile[],
  toRepoPath: (file: string) => string,
): CheckAnnotation[] {
  const out: CheckAnnotation[] = [];
  for (const r of reports.filter((x) => !x.passed)) {
    const test = tests.find((t) => t.file === r.file);
    const { line, col } = test ? valuePosition(test.validated.spec, ['cases', r.index, 'name']) : { line: 1, col: 1 };
    const details = r.error
      ? [r.error]
      : [...r.differences, ...r.fieldProblems]
          .slice(0, 20)
          .map((d) => `${d.path}: expected ${show(d.expected)}, actual ${show(d.actual)}`);
    out.push({
      path: toRepoPath(r.file),
      start_line: line,
      end_line: line,
      start_column: col,
      end_column: col,
      annotation_level: 'failure',
      title: 'test-failed',
      message: `test case "${r.name}" failed\n${details.join('\n')}`,
    });
  }
  return out;
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
