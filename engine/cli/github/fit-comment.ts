/**
 * GitHub refuses comment bodies over 65,536 characters. A report that is too long keeps its blocks in order while
 * they fit and names the ones left out; the full report is in the job summary.
 */

export const MAX_COMMENT_CHARS = 65_536;

/** Joins `blocks`, leaving out whole blocks (and saying so) when the result would exceed `limit`. */
export function fitComment(
  blocks: readonly string[],
  limit = MAX_COMMENT_CHARS,
  note = 'The full report is in the job summary of this workflow run.',
): string {
  const whole = blocks.join('\n');
  if (whole.length <= limit) return whole;
  const kept: string[] = [];
  let omitted = 0;
  const footer = (n: number) =>
    `\n> ✂️ ${n} section${n === 1 ? '' : 's'} left out: a GitHub comment holds at most 65,536 characters. ${note}\n`;
  let used = footer(blocks.length).length;
  for (const block of blocks) {
    if (used + block.length + 1 <= limit) {
      kept.push(block);
      used += block.length + 1;
    } else omitted++;
  }
  return kept.join('\n') + footer(omitted);
}
