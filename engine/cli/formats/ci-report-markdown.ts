/**
 * The CI report as Markdown blocks: a status header, every validation problem, the failing test cases with their
 * diffs, then the plan. The sticky PR comment, the check run and the job summary all show it.
 */
import type { PlanReport } from '../../plan/diff/plan-diff.js';
import type { CaseReport } from '../../plan/spec-tests/run-spec-tests.js';
import type { Diagnostic } from '../../compiler/diagnostics.js';
import { escape, planMarkdownBlocks } from './plan-markdown.js';
import type { PlanMarkdownOptions } from './plan-markdown.js';

/** Everything one CI run found. */
export interface CiReportInput {
  diagnostics: readonly Diagnostic[];
  tests: readonly CaseReport[];
  plan?: { report: PlanReport; options: PlanMarkdownOptions };
  /** Why there is no plan although one was asked for (the base commit could not be read). */
  unplanned?: string;
}

const MAX_ROWS = 100;

/** The check run's title: one line of counts. */
export function ciTitle(input: CiReportInput): string {
  const errors = input.diagnostics.filter((d) => d.severity === 'error').length;
  const failed = input.tests.filter((t) => !t.passed).length;
  const parts = [
    errors > 0 ? `${errors} validation error${errors === 1 ? '' : 's'}` : 'specs valid',
    `${input.tests.length - failed} test${input.tests.length - failed === 1 ? '' : 's'} passed`,
  ];
  if (failed > 0) parts.push(`${failed} failed`);
  if (input.unplanned) parts.push('not planned');
  if (input.plan)
    parts.push(
      `${input.plan.report.integrations.length} integration${input.plan.report.integrations.length === 1 ? '' : 's'} change${input.plan.report.integrations.length === 1 ? 's' : ''}`,
    );
  return parts.join(', ');
}

/** The report as blocks: header, validation, failing tests, then the plan's blocks. */
export function ciReportBlocks(input: CiReportInput): string[] {
  const errors = input.diagnostics.filter((d) => d.severity === 'error').length;
  const failed = input.tests.filter((t) => !t.passed);
  const ok = errors === 0 && failed.length === 0 && !input.unplanned;
  const blocks = [`# ${ok ? '✅' : '❌'} Junction: ${ciTitle(input)}\n`];
  if (input.diagnostics.length > 0) {
    const lines = ['## Validation', '', '| location | code | message |', '|---|---|---|'];
    for (const d of input.diagnostics.slice(0, MAX_ROWS))
      lines.push(
        `| <code>${escape(`${d.file}:${d.line}:${d.col}`)}</code> | ${d.severity} <code>${d.code}</code> | ${escape(d.message)} |`,
      );
    if (input.diagnostics.length > MAX_ROWS)
      lines.push(`| … | | ${input.diagnostics.length - MAX_ROWS} more (see the annotations) |`);
    blocks.push(lines.join('\n') + '\n');
  }
  if (failed.length > 0) {
    const lines = ['## Failing tests', ''];
    for (const r of failed) {
      lines.push(`**${escape(r.integration)} › ${escape(r.name)}** (<code>${escape(r.file)}</code>)`, '');
      if (r.error) lines.push(`> ${escape(r.error)}`, '');
      else {
        lines.push('| path | expected | actual |', '|---|---|---|');
        for (const d of [...r.differences, ...r.fieldProblems].slice(0, 20))
          lines.push(`| <code>${escape(d.path)}</code> | ${cell(d.expected)} | ${cell(d.actual)} |`);
        lines.push('');
      }
    }
    blocks.push(lines.join('\n'));
  }
  if (input.unplanned) blocks.push(`## Plan\n\n⚠️ Not planned: ${escape(input.unplanned)}\n`);
  // Validation problems are listed above already; the plan keeps only its diffs.
  if (input.plan) blocks.push(...planMarkdownBlocks({ ...input.plan.report, diagnostics: [] }, input.plan.options));
  return blocks;
}

function cell(value: unknown): string {
  return value === undefined ? '(absent)' : `<code>${escape(JSON.stringify(value).slice(0, 300))}</code>`;
}
