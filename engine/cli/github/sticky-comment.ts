/**
 * One sticky PR comment per pull request: found by a hidden marker and updated in place on every run, so a PR
 * never collects a pile of plan comments.
 */
import type { Octokit } from 'octokit';

/** The hidden marker that identifies Junction's comment on a PR (that of the default check run name). */
export const PLAN_MARKER = '<!-- junction-plan -->';
/** The check run's default name (`junction ci github --name`). */
export const DEFAULT_CHECK_NAME = 'Junction';

/**
 * The marker of the comment of check run `name`: two jobs of one PR (two spec directories, two clusters) that report
 * under different names keep a comment each instead of overwriting one another's. The name is percent-encoded, so
 * it cannot end the HTML comment.
 */
export function stickyMarker(name: string): string {
  return name === DEFAULT_CHECK_NAME
    ? PLAN_MARKER
    : `<!-- junction-plan ${encodeURIComponent(name).replace(/-/g, '%2D')} -->`;
}

/** The issue or pull request to comment on. */
interface StickyCommentTarget {
  owner: string;
  repo: string;
  issueNumber: number;
}

/** Creates the comment, or updates the one that starts with `marker`. */
export async function upsertStickyComment(
  octokit: Octokit,
  target: StickyCommentTarget,
  body: string,
  marker = PLAN_MARKER,
): Promise<{ action: 'created' | 'updated'; id: number }> {
  const { owner, repo, issueNumber } = target;
  const text = body.startsWith(marker) ? body : `${marker}\n${body}`;
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  // Ours starts with the marker; a comment that only mentions it (a question about the bot) is someone else's.
  const existing = comments.find((c) => c.body?.startsWith(marker));
  if (existing) {
    await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body: text });
    return { action: 'updated', id: existing.id };
  }
  const created = await octokit.rest.issues.createComment({ owner, repo, issue_number: issueNumber, body: text });
  return { action: 'created', id: created.data.id };
}
