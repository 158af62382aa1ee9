/** Output of `junction test`: a readable list with diffs by JSON path, or JSON for tools. */
import type { CaseReport } from '../../plan/spec-tests/run-spec-tests.js';
import { guardWorkflowCommands, oneLine } from './workflow-command-guard.js';

/** The test report: stylish (✓/✗ lines with diffs, then `- <name>: no tests` per untested integration) or JSON. */
export function formatTestReport(
  reports: readonly CaseReport[],
  untested: readonly string[],
  format: 'stylish' | 'json',
): string {
  if (format === 'json') {
    return (
      JSON.stringify({
        passed: reports.filter((r) => r.passed).length,
        failed: reports.filter((r) => !r.passed).length,
        cases: reports.map((r) => ({
          file: r.file,
          integration: r.integration,
          name: r.name,
          passed: r.passed,
          error: r.error,
          differences: r.differences,
          field_problems: r.fieldProblems,
          outcome: r.result?.outcome,
          requests: r.result?.requests,
        })),
        untested,
      }) + '\n'
    );
  }
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.passed ? '✓' : '✗'} ${oneLine(r.integration)} › ${oneLine(r.name)}`);
    if (r.error) lines.push(`    ${oneLine(r.error)}  (${oneLine(r.file)})`);
    for (const d of [...r.differences, ...r.fieldProblems]) {
      lines.push(`    ${oneLine(d.path)}`);
      lines.push(`      expected: ${show(d.expected)}`);
      lines.push(`      actual:   ${show(d.actual)}`);
    }
  }
  for (const name of untested) lines.push(`- ${name}: no tests`);
  const failed = reports.filter((r) => !r.passed).length;
  const summary = `${reports.length - failed} passed, ${failed} failed`;
  lines.push('', untested.length > 0 ? `${summary}, ${untested.length} untested` : summary);
  return guardWorkflowCommands(lines.join('\n') + '\n');
}

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
