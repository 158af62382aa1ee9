/**
 * What `junction ci github` learns from the Actions environment: the API endpoint and token, the repository, and
 * for pull requests the PR number, head commit and base commit (from the event payload).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../usage-error.js';

/** The GitHub Actions run, as `junction ci github` needs it. */
export interface GitHubContext {
  apiUrl: string;
  token: string;
  owner: string;
  repo: string;
  /** The commit the check run is attached to: the PR head, else GITHUB_SHA. */
  headSha: string;
  pullNumber?: number;
  /** The PR base commit, the default `--base` of the plan. */
  baseSha?: string;
  /** File the job summary is appended to. */
  stepSummary?: string;
}

interface EventPayload {
  pull_request?: { number?: number; head?: { sha?: string }; base?: { sha?: string } };
}

/** Reads the context from the Actions environment; UsageError when the token or repository is missing. */
export async function readGitHubContext(env: NodeJS.ProcessEnv): Promise<GitHubContext> {
  const token = env.GITHUB_TOKEN;
  if (!token)
    throw new UsageError('GITHUB_TOKEN is not set; pass `secrets.GITHUB_TOKEN` to the step as an env variable');
  const [owner, repo, extra] = (env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || extra !== undefined)
    throw new UsageError(`GITHUB_REPOSITORY must be owner/name (got ${JSON.stringify(env.GITHUB_REPOSITORY ?? '')})`);
  let event: EventPayload = {};
  if (env.GITHUB_EVENT_PATH) {
    try {
      event = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as EventPayload;
    } catch (error) {
      throw new UsageError(`cannot read the event payload at GITHUB_EVENT_PATH: ${(error as Error).message}`);
    }
  }
  const pr = event.pull_request;
  const headSha = pr?.head?.sha ?? env.GITHUB_SHA;
  if (!headSha) throw new UsageError('no head commit: neither a pull_request event payload nor GITHUB_SHA');
  return {
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/$/, ''),
    token,
    owner,
    repo,
    headSha,
    pullNumber: typeof pr?.number === 'number' ? pr.number : undefined,
    baseSha: pr?.base?.sha,
    stepSummary: env.GITHUB_STEP_SUMMARY || undefined,
  };
}
