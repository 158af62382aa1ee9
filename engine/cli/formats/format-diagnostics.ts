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
      return diagnostics.map(githubAnnotation).join('');
    default:
      return guardWorkflowCommands(
        diagnostics
          .map((d) => `${oneLine(d.file)}:${d.line}:${d.col}  ${d.severity}  ${d.code}  ${oneLine(d.message)}\n`)
          .join(''),
      );
  }
}

/** `::error file=…,line=…,col=…,title=<code>::<message>`, escaped as the workflow-command syntax requires. */
function githubAnnotation(d: Diagnostic): string {
  const property = (v: string) =>
    v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const data = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const level = d.severity === 'error' ? 'error' : 'warning';
  return `::${level} file=${property(d.file)},line=${d.line},col=${d.col},title=${property(d.code)}::${data(d.message)}\n`;
}
