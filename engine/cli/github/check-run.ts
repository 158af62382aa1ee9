/**
 * A check run with one annotation per problem. GitHub takes at most 50 annotations per request, so the run is
 * created with the first 50 and updated with 50 more at a time; the last update completes it.
 */
import type { Octokit } from 'octokit';

/** GitHub's limit of annotations per create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run's summary and text. */
const MAX_OUTPUT_CHARS = 65_535;

/** A check-run annotation, as the GitHub REST API takes it. */
export interface CheckAnnotation {
  /** Path relative to the repository root. */
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title?: string;
  message: string;
}

/** What to publish as one check run. */
export interface CheckRunInput {
  owner: string;
  repo: string;
  headSha: string;
  name: string;
  conclusion: 'success' | 'failure';
  title: string;
  summary: string;
  text?: string;
  annotations: readonly CheckAnnotation[];
}

/** Publishes the check run; returns its id and the number of API calls it took. */
export async function publishCheckRun(
  octokit: Octokit,
  input: CheckRunInput,
): Promise<{ id: number; requests: number }> {
  const { owner, repo } = input;
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < input.annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(input.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  const output = (annotations: CheckAnnotation[]) => ({
    title: input.title,
    summary: clip(input.summary),
    ...(input.text ? { text: clip(input.text) } : {}),
    annotations,
  });
  const done = (last: boolean) =>
    last
      ? { status: 'completed' as const, conclusion: input.conclusion, completed_at: new Date().toISOString() }
      : { status: 'in_progress' as const };
  const created = await octokit.rest.checks.create({
    owner,
    repo,
    name: input.name,
    head_sha: input.headSha,
    ...done(batches.length === 1),
    output: output(batches[0]),
  });
  const id = created.data.id;
  for (let i = 1; i < batches.length; i++) {
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: id,
      ...done(i === batches.length - 1),
      output: output(batches[i]),
    });
  }
  return { id, requests: batches.length };
}

function clip(text: string): string {
  return text.length <= MAX_OUTPUT_CHARS
    ? text
    : text.slice(0, MAX_OUTPUT_CHARS - 40) + '\n\n… (cut: see the job summary)';
}
