/**
 * A check run with one annotation per problem. GitHub takes at most 50 annotations per request, so the run is
 * created with the first 50 and updated with 50 more at a time; the last update completes it. At most
 * MAX_ANNOTATIONS are sent: a PR with thousands of problems would otherwise take hundreds of requests, past GitHub's
 * secondary limit of 80 content-generating requests a minute (the run then stops half-published, with no comment),
 * and through the repository's GITHUB_TOKEN budget of 1,000 requests an hour that every workflow shares.
 */
import type { Octokit } from 'octokit';

/** GitHub's limit of annotations per create/update request. */
const ANNOTATIONS_PER_REQUEST = 50;
/** The most annotations one check run gets: ten requests. Failures go first; the summary counts the rest. */
export const MAX_ANNOTATIONS = 10 * ANNOTATIONS_PER_REQUEST;
/** GitHub's limit on a check run's summary and text. */
const MAX_OUTPUT_CHARS = 65_535;
/** GitHub's limits on an annotation: its message 64 KB (taken as UTF-8 bytes, the stricter reading), its title. */
const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_TITLE_CHARS = 255;
const CUT = '\n… (cut: see the job summary)';

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
interface CheckRunInput {
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

/** Publishes the check run; returns its id, the number of API calls it took and of annotations it sent. */
export async function publishCheckRun(
  octokit: Octokit,
  input: CheckRunInput,
): Promise<{ id: number; requests: number; annotated: number }> {
  const { owner, repo } = input;
  const batches: CheckAnnotation[][] = [];
  // One annotation over GitHub's limits would fail the whole request, and with it the check run and the comment.
  const ranked = [...input.annotations].sort((a, b) => rank(a) - rank(b));
  const annotations = ranked.slice(0, MAX_ANNOTATIONS).map(withinLimits);
  const left = ranked.length - annotations.length;
  const summary =
    left === 0
      ? input.summary
      : `${input.summary}\n> ✂️ ${left} more problem${left === 1 ? ' is' : 's are'} not annotated: a check run ` +
        `gets at most ${MAX_ANNOTATIONS} annotations (failures first). \`junction validate\` and \`junction test\` ` +
        'list them all.\n';
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST)
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  const output = (annotations: CheckAnnotation[]) => ({
    title: input.title,
    summary: clip(summary),
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
  return { id, requests: batches.length, annotated: annotations.length };
}

/** Failures before warnings before notices; the sort is stable, so each keeps its file order. */
const rank = (a: CheckAnnotation) => ['failure', 'warning', 'notice'].indexOf(a.annotation_level);

function clip(text: string): string {
  return text.length <= MAX_OUTPUT_CHARS ? text : text.slice(0, MAX_OUTPUT_CHARS - 40) + `\n${CUT}`;
}

function withinLimits(annotation: CheckAnnotation): CheckAnnotation {
  const { message, title } = annotation;
  const long = title !== undefined && title.length > MAX_TITLE_CHARS;
  if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES && !long) return annotation;
  return {
    ...annotation,
    message: clipBytes(message, MAX_MESSAGE_BYTES),
    ...(long ? { title: title.slice(0, MAX_TITLE_CHARS - 1) + '…' } : {}),
  };
}

/** `text` cut at a character boundary so that it and the cut note take at most `max` UTF-8 bytes. */
function clipBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const room = max - Buffer.byteLength(CUT);
  // Decoding a prefix that ends inside a character yields U+FFFD for the broken tail: drop it.
  const head = Buffer.from(text)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return head + CUT;
}
