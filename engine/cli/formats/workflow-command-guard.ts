/**
 * GitHub Actions reads workflow commands from a job's log: a line that starts, after spaces, with `::` (`::error::`,
 * `::add-mask::`, `::stop-commands::`), and a line holding `##[` anywhere (the legacy form the runner still parses).
 * Spec content (names, keys, messages, test case names) reaches the human output formats, which CI prints, so a PR
 * could forge annotations or pause command processing. Every human format therefore keeps spec text on one line
 * (`oneLine`) and passes its whole output through `guardWorkflowCommands`. The `github` format writes commands on
 * purpose and escapes its data as the runner requires.
 */

/** Spec text as one line: CR, LF and other control characters written as escapes (`\n`, `\u001b`). */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\r'
        ? '\\r'
        : c === '\t'
          ? '\\t'
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `output` with no line the runner would read as a workflow command: `##[` -> `##\[`, a leading `::` -> `\::`. */
export function guardWorkflowCommands(output: string): string {
  return output
    .split('\n')
    .map((line) => line.replaceAll('##[', '##\\[').replace(/^(\s*)::/, '$1\\::'))
    .join('\n');
}
