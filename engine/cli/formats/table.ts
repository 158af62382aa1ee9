import { oneLine } from './workflow-command-guard.js';

/** A plain-text table for the operator commands: columns padded to their widest cell, the last one left free. */
export function formatTable(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  // A cell may quote a vendor (a check's answer, a reconcile error): its control characters are shown as escapes.
  const all = (header ? [header, ...rows] : rows).map((r) => r.map(oneLine));
  if (all.length === 0) return '';
  const widths = all[0].map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return all.map(line).join('\n') + '\n';
}
