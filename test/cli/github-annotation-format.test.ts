/**
 * `junction validate --format github`: one workflow command per problem, escaped, and a notice when there are more
 * problems than GitHub shows as annotations of one step (10 errors and 10 warnings; github.com/orgs/community
 * discussions 68471), so the ones it hides are not lost without a word.
 */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../engine/compiler/diagnostics.js';
import { formatDiagnostics } from '../../engine/cli/formats/format-diagnostics.js';

const problem = (line: number, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
  file: 'specs/orders.yaml',
  line,
  col: 3,
  severity,
  code: 'unknown-property',
  message: `unknown property \`x${line}\`, 100% a typo`,
});

describe('github annotation format', () => {
  it('writes one escaped command per problem and no notice while GitHub shows them all', () => {
    const out = formatDiagnostics([problem(1), problem(2, 'warning')], 'github');
    expect(out).toBe(
      '::error file=specs/orders.yaml,line=1,col=3,title=unknown-property::unknown property `x1`, 100%25 a typo\n' +
        '::warning file=specs/orders.yaml,line=2,col=3,title=unknown-property::unknown property `x2`, 100%25 a typo\n',
    );
    const ten = Array.from({ length: 10 }, (_, i) => problem(i + 1));
    expect(formatDiagnostics(ten, 'github')).not.toContain('::notice');
  });

  it('counts what GitHub will not show as annotations: errors and warnings over 10 each', () => {
    const many = [...Array.from({ length: 13 }, (_, i) => problem(i + 1)), problem(20, 'warning')];
    const lines = formatDiagnostics(many, 'github').trimEnd().split('\n');
    expect(lines).toHaveLength(15);
    expect(lines[14]).toBe(
      "::notice title=more problems::13 errors and 1 warning: GitHub shows 10 of each per step, so 3 are only in this step's log (junction ci github annotates every one on its check run)",
    );
  });
});
