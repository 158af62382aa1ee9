/** How an expression check reports: at a character offset in the expression source. */
import type { DiagnosticCode, Severity } from '../diagnostics.js';

export type ExpressionReport = (offset: number, severity: Severity, code: DiagnosticCode, message: string) => void;
