/**
 * A stored reconcile report as a role may see it, like a dead letter (dead-letter-views.ts): the differing fields'
 * expected and actual values with the integration's `redact` paths masked for everyone (a path names a field of the
 * request body, as the differences do); a viewer sees which records and fields differ, with every value masked.
 */
import { redactPaths } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import type { FieldDifference } from '../../ops/reconcile/compare-record.js';
import type { StoredReconcileReport } from '../control/reconcile-reports.js';
import { maskValues } from './dead-letter-views.js';
import type { Role } from './principal.js';

export function reconcileView(
  report: StoredReconcileReport,
  role: Role,
  paths: readonly FieldPath[],
): StoredReconcileReport {
  const shown = (field: string, value: unknown) =>
    role === 'viewer' ? maskValues(value) : redactPaths({ [field]: value }, paths)[field];
  const difference = ({ field, expected, actual }: FieldDifference): FieldDifference => ({
    field,
    expected: shown(field, expected),
    actual: shown(field, actual),
  });
  return {
    ...report,
    problems: report.problems.map((problem) => ({
      ...problem,
      steps: problem.steps.map((step) =>
        step.differences ? { ...step, differences: step.differences.map(difference) } : step,
      ),
    })),
  };
}
