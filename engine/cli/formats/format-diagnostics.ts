/** Output formats for diagnostics: stylish for people, json for tools, github for workflow annotations. */
import type { Diagnostic } from '../../compiler/diagnostics.js';
import { guardWorkflowCommands, oneLine } from './workflow-command-guard.js';

export const DIAGNOSTIC_FORMATS = ['stylish', 'json', 'github'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat): string {
  switch (format) {
    case 'json':
      return (
        JSON.stringify(
          diagnostics.map(({ file, line, col, severity, code, message }) => ({
            file,
            line,
            col,
            severity,
            code,
            message,
          })),
        ) + '\n'
      );
    case 'github':
      return diagnostics.map(githubAnnotation).join('') + hiddenAnnotationsNotice(diagnostics);
    default:
      return guardWorkflowCommands(
        diagnostics
          .map((d) => `${oneLine(d.file)}:${d.line}:${d.col}  ${d.severity}  ${d.code}  ${oneLine(d.message)}\n`)
          .join(''),
      );
  }
}

/** GitHub shows at most this many error and this many warning annotations of one step; it drops the rest silently. */
const ANNOTATIONS_SHOWN_PER_STEP = 10;

/** A notice that says how many problems GitHub will not show as annotations, when there are more than it shows. */
function hiddenAnnotationsNotice(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const hidden = Math.max(0, errors - ANNOTATIONS_SHOWN_PER_STEP) + Math.max(0, warnings - ANNOTATIONS_SHOWN_PER_STEP);
  if (hidden === 0) return '';
  return (
    `::notice title=more problems::${count(errors, 'error')} and ${count(warnings, 'warning')}: GitHub shows ${ANNOTATIONS_SHOWN_PER_STEP} ` +
    `of each per step, so ${hidden} are only in this step's log (junction ci github annotates every one on its check run)\n`
  );
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `::error file=…,line=…,col=…,title=<code>::<message>`, escaped as the workflow-command syntax requires. */
function githubAnnotation(d: Diagnostic): string {
  const property = (v: string) =>
    v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const data = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const level = d.severity === 'error' ? 'error' : 'warning';
  return `::${level} file=${property(d.file)},line=${d.line},col=${d.col},title=${property(d.code)}::${data(d.message)}\n`;
}
