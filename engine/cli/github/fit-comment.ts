/**
 * GitHub refuses comment bodies over 65,536 characters, and drops a job summary over 1 MiB whole ("$GITHUB_STEP_SUMMARY
 * upload aborted, supports content up to a size of 1024k"). A report that is too long keeps its blocks in order while
 * they fit and names the ones left out.
 */

export const MAX_COMMENT_CHARS = 65_536;
/** GitHub's limit on one step's job summary, in bytes. */
export const MAX_SUMMARY_BYTES = 1024 * 1024;

/** What a fitted report is measured against. */
interface FitLimit {
  /** The most the result may measure. */
  limit: number;
  /** How a text is measured (characters by default). */
  measure?: (text: string) => number;
  /** The limit as the note that names the left-out sections states it. */
  why?: string;
}

/** Joins `blocks`, leaving out whole blocks (and saying so) when the result would exceed the limit. */
export function fitComment(
  blocks: readonly string[],
  limit: number | FitLimit = MAX_COMMENT_CHARS,
  note = 'The full report is in the job summary of this workflow run.',
): string {
  const {
    limit: max,
    measure = (text: string) => text.length,
    why = 'a GitHub comment holds at most 65,536 characters',
  } = typeof limit === 'number' ? { limit } : limit;
  const whole = blocks.join('\n');
  if (measure(whole) <= max) return whole;
  const kept: string[] = [];
  let omitted = 0;
  const footer = (n: number) => `\n> ✂️ ${n} section${n === 1 ? '' : 's'} left out: ${why}. ${note}\n`;
  let used = measure(footer(blocks.length));
  for (const block of blocks) {
    const size = measure(block) + 1;
    if (used + size <= max) {
      kept.push(block);
      used += size;
    } else omitted++;
  }
  return kept.join('\n') + footer(omitted);
}

/** The job summary of a report: whole when it fits in 1 MiB, otherwise its blocks that fit. */
export function fitSummary(blocks: readonly string[], limit = MAX_SUMMARY_BYTES): string {
  return fitComment(
    blocks,
    { limit, measure: (text) => Buffer.byteLength(text), why: 'a job summary holds at most 1 MiB' },
    'Every problem is still annotated on the check run.',
  );
}
