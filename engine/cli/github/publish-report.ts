/**
 * Publishes one CI report to GitHub: the check run with its annotations, the sticky PR comment (pull requests
 * only), and the job summary. Returns one log line per thing published.
 */
import { appendFile, stat } from 'node:fs/promises';
import type { Octokit } from 'octokit';
import type { CheckAnnotation } from './check-run.js';
import { publishCheckRun } from './check-run.js';
import { MAX_COMMENT_CHARS, MAX_SUMMARY_BYTES, fitComment, fitSummary } from './fit-comment.js';
import type { GitHubContext } from './github-context.js';
import { stickyMarker, upsertStickyComment } from './sticky-comment.js';

/** One CI run's report, ready to publish. */
interface CiReport {
  /** The check run's name. */
  name: string;
  conclusion: 'success' | 'failure';
  /** One line: the check run's title. */
  title: string;
  /** Markdown blocks of the full report (comment, check text, job summary). */
  blocks: string[];
  annotations: CheckAnnotation[];
}

/** Publishes check run, comment and summary, in that order. */
export async function publishReport(octokit: Octokit, context: GitHubContext, report: CiReport): Promise<string[]> {
  const log: string[] = [];
  const check = await publishCheckRun(octokit, {
    owner: context.owner,
    repo: context.repo,
    headSha: context.headSha,
    name: report.name,
    conclusion: report.conclusion,
    title: report.title,
    summary: report.blocks[0] ?? report.title,
    text: report.blocks.slice(1).join('\n'),
    annotations: report.annotations,
  });
  const left = report.annotations.length - check.annotated;
  log.push(
    `check run ${check.id}: ${report.conclusion}, ${check.annotated} annotation${check.annotated === 1 ? '' : 's'} in ${check.requests} request${check.requests === 1 ? '' : 's'}` +
      (left > 0 ? ` (${left} more not annotated)` : ''),
  );
  if (context.pullNumber !== undefined) {
    const marker = stickyMarker(report.name);
    const comment = await upsertStickyComment(
      octokit,
      { owner: context.owner, repo: context.repo, issueNumber: context.pullNumber },
      fitComment(report.blocks, MAX_COMMENT_CHARS - marker.length - 1),
      marker,
    );
    log.push(`PR #${context.pullNumber} comment ${comment.id} ${comment.action}`);
  }
  if (context.stepSummary) {
    // The summary file may hold what earlier commands of the step wrote: the report fits in what they left.
    const written = await stat(context.stepSummary).then(
      (s) => s.size,
      () => 0,
    );
    await appendFile(context.stepSummary, fitSummary(report.blocks, MAX_SUMMARY_BYTES - written - 1) + '\n');
    log.push('job summary appended');
  }
  return log;
}
