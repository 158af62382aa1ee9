/**
 * The reason an operator gives for resolving, discarding or purging dead letters is kept in the audit trail and in a
 * resolved entry, so it is bounded: a reason of any length made the resolve fail on the store's value size (after
 * the operator was told nothing useful) and filled the audit trail and the dashboard's audit table.
 */

/** The most characters a reason may have: a sentence and a ticket link. */
export const MAX_REASON_CHARS = 500;

/** Why a reason is too long and how to fix it, or undefined when it is not. */
export function reasonTooLong(reason: string): string | undefined {
  if (reason.length <= MAX_REASON_CHARS) return undefined;
  return (
    `the reason is ${reason.length} characters, more than ${MAX_REASON_CHARS}: shorten it ` +
    '(put the details in a ticket and give its link)'
  );
}
