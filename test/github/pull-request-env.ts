/**
 * The environment GitHub Actions gives `junction ci github` on a pull request, against the fake GitHub API: the
 * event file (the PR's number, head and the spec repo's base commit) and, unless left out, a job summary file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SpecRepo } from '../plan/spec-repo.js';

export function pullRequestEnv(
  repo: SpecRepo,
  apiUrl: string,
  pr: { number: number; headSha: string; stepSummary?: boolean },
): NodeJS.ProcessEnv {
  const event = join(repo.dir, 'event.json');
  writeFileSync(
    event,
    JSON.stringify({ pull_request: { number: pr.number, head: { sha: pr.headSha }, base: { sha: repo.base } } }),
  );
  const summary = pr.stepSummary === false ? '' : join(repo.dir, 'summary.md');
  if (summary) writeFileSync(summary, '');
  return {
    GITHUB_TOKEN: 'test-token',
    GITHUB_REPOSITORY: 'acme/specs',
    GITHUB_API_URL: apiUrl,
    GITHUB_EVENT_PATH: event,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_SHA: '',
  };
}
