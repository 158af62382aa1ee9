/**
 * The GitHub reporting pieces against a local fake of the REST API: annotations go in batches of at most 50, the
 * sticky comment is created once and then updated, and an oversized report still fits in one comment.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from 'octokit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishCheckRun } from '../../engine/cli/github/check-run.js';
import type { CheckAnnotation } from '../../engine/cli/github/check-run.js';
import { MAX_COMMENT_CHARS, MAX_SUMMARY_BYTES, fitComment } from '../../engine/cli/github/fit-comment.js';
import { publishReport } from '../../engine/cli/github/publish-report.js';
import { PLAN_MARKER, upsertStickyComment } from '../../engine/cli/github/sticky-comment.js';
import { startFakeGitHub } from './fake-github.js';
import type { FakeGitHub } from './fake-github.js';

let github: FakeGitHub;
let octokit: Octokit;
beforeEach(async () => {
  github = await startFakeGitHub();
  // The real CLI keeps octokit's throttling (1 s between writes); these unit tests need not wait for it.
  octokit = new Octokit({
    auth: 'test-token',
    baseUrl: github.url,
    throttle: { enabled: false },
    retry: { enabled: false },
  });
});
afterEach(() => github.close());

const annotation = (i: number): CheckAnnotation => ({
  path: 'specs/a.yaml',
  start_line: i + 1,
  end_line: i + 1,
  start_column: 3,
  end_column: 3,
  annotation_level: 'failure',
  title: 'unknown-target-field',
  message: `problem ${i}`,
});

describe('check run', () => {
  it('sends 120 annotations in batches of 50, 50 and 20, completing on the last', async () => {
    const annotations = Array.from({ length: 120 }, (_, i) => annotation(i));
    const result = await publishCheckRun(octokit, {
      owner: 'acme',
      repo: 'specs',
      headSha: 'abc123',
      name: 'Junction',
      conclusion: 'failure',
      title: '120 validation errors',
      summary: 'summary',
      annotations,
    });
    expect(result.requests).toBe(3);
    expect(
      github.requests.map((r) => [
        r.method,
        r.path,
        (r.body?.output as { annotations: unknown[] }).annotations.length,
        r.body?.status,
        r.body?.conclusion,
      ]),
    ).toEqual([
      ['POST', '/repos/acme/specs/check-runs', 50, 'in_progress', undefined],
      ['PATCH', `/repos/acme/specs/check-runs/${result.id}`, 50, 'in_progress', undefined],
      ['PATCH', `/repos/acme/specs/check-runs/${result.id}`, 20, 'completed', 'failure'],
    ]);
    const [run] = github.checkRuns;
    expect(run).toMatchObject({ name: 'Junction', head_sha: 'abc123', status: 'completed', conclusion: 'failure' });
    expect(run.annotations.map((a) => a.message)).toEqual(annotations.map((a) => a.message));
  });

  it('cuts an annotation message over 64 KB and a title over 255 characters instead of failing the run', async () => {
    // A failing case whose missing request carried a large body: the differences quote it whole.
    const huge = { ...annotation(0), title: 'x'.repeat(300), message: `test case failed\n${'é'.repeat(100_000)}` };
    const { id } = await publishCheckRun(octokit, {
      owner: 'acme',
      repo: 'specs',
      headSha: 'abc123',
      name: 'Junction',
      conclusion: 'failure',
      title: 'a big diff',
      summary: 'summary',
      annotations: [huge, annotation(1)],
    });
    const run = github.checkRuns.find((r) => r.id === id)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    const [cut, kept] = run.annotations as unknown as CheckAnnotation[];
    expect(Buffer.byteLength(cut.message)).toBeLessThanOrEqual(64 * 1024);
    expect(cut.message.startsWith('test case failed\néé')).toBe(true);
    expect(cut.message.endsWith('é\n… (cut: see the job summary)')).toBe(true);
    expect(cut.title).toBe('x'.repeat(254) + '…');
    expect(kept).toEqual(annotation(1));
  });

  it('creates a completed run in one request when there is nothing to annotate', async () => {
    await publishCheckRun(octokit, {
      owner: 'acme',
      repo: 'specs',
      headSha: 'abc123',
      name: 'Junction',
      conclusion: 'success',
      title: 'ok',
      summary: 'ok',
      annotations: [],
    });
    expect(github.requests).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'success', annotations: [] });
  });
});

const HUMAN = { login: 'reviewer', type: 'User' };
const BOT = { login: 'github-actions[bot]', type: 'Bot' };

describe('sticky comment', () => {
  it('is created once, then updated in place; other comments stay untouched', async () => {
    github.comments.set(7, [{ id: 1, body: 'LGTM', user: { login: 'reviewer', type: 'User' } }]);
    const first = await upsertStickyComment(octokit, { owner: 'acme', repo: 'specs', issueNumber: 7 }, 'plan v1');
    const second = await upsertStickyComment(octokit, { owner: 'acme', repo: 'specs', issueNumber: 7 }, 'plan v2');
    expect(first.action).toBe('created');
    expect(second).toEqual({ action: 'updated', id: first.id });
    expect(github.comments.get(7)).toEqual([
      { id: 1, body: 'LGTM', user: { login: 'reviewer', type: 'User' } },
      { id: first.id, body: `${PLAN_MARKER}\nplan v2`, user: { login: 'github-actions[bot]', type: 'Bot' } },
    ]);
    expect(github.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /repos/acme/specs/issues/7/comments?per_page=100',
      'POST /repos/acme/specs/issues/7/comments',
      'GET /repos/acme/specs/issues/7/comments?per_page=100',
      `PATCH /repos/acme/specs/issues/comments/${first.id}`,
    ]);
  });

  it('finds its comment beyond the first page', async () => {
    github.comments.set(
      9,
      Array.from({ length: 150 }, (_, i) => ({
        id: i + 1,
        body: i === 130 ? `${PLAN_MARKER}\nold` : `chat ${i}`,
        user: { login: 'someone', type: 'User' },
      })),
    );
    expect(await upsertStickyComment(octokit, { owner: 'acme', repo: 'specs', issueNumber: 9 }, 'new')).toEqual({
      action: 'updated',
      id: 131,
    });
    expect(github.comments.get(9)).toHaveLength(150);
  });

  it('leaves alone a comment that only mentions the marker', async () => {
    const question = { id: 1, body: 'Why does the bot start with `<!-- junction-plan -->`?', user: HUMAN };
    github.comments.set(5, [question]);
    const posted = await upsertStickyComment(octokit, { owner: 'acme', repo: 'specs', issueNumber: 5 }, 'plan');
    expect(posted.action).toBe('created');
    expect(github.comments.get(5)).toEqual([question, { id: posted.id, body: `${PLAN_MARKER}\nplan`, user: BOT }]);
  });

  it('keeps one comment per check run name, each updated in place', async () => {
    const context = {
      apiUrl: github.url,
      token: 'test-token',
      owner: 'acme',
      repo: 'specs',
      headSha: 'abc',
      pullNumber: 4,
    };
    const report = (name: string, text: string) => ({
      name,
      conclusion: 'success' as const,
      title: text,
      blocks: [`# ${name}: ${text}`],
      annotations: [],
    });
    for (const round of ['v1', 'v2']) {
      await publishReport(octokit, context, report('Junction', round));
      await publishReport(octokit, context, report('staging specs', round));
    }
    expect(github.comments.get(4)!.map((c) => c.body)).toEqual([
      `${PLAN_MARKER}\n# Junction: v2`,
      '<!-- junction-plan staging%20specs -->\n# staging specs: v2',
    ]);
  });

  it('keeps an oversized report under GitHub’s 65,536-character limit, naming what it left out', async () => {
    const blocks = [
      '# header\n',
      ...Array.from({ length: 5 }, (_, i) => `### integration ${i}\n` + 'x'.repeat(20_000)),
    ];
    const body = fitComment(blocks, MAX_COMMENT_CHARS - PLAN_MARKER.length - 1);
    const { action } = await upsertStickyComment(octokit, { owner: 'acme', repo: 'specs', issueNumber: 3 }, body);
    expect(action).toBe('created');
    const posted = github.comments.get(3)![0].body;
    expect(posted.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(posted).toContain('### integration 2');
    expect(posted).not.toContain('### integration 3');
    expect(
      posted.endsWith(
        '> ✂️ 2 sections left out: a GitHub comment holds at most 65,536 characters. The full report is in the job summary of this workflow run.\n',
      ),
    ).toBe(true);
  });

  it('keeps the job summary under GitHub’s 1 MiB limit in bytes, after what the step wrote, naming what it left out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-summary-'));
    try {
      const stepSummary = join(dir, 'summary.md');
      writeFileSync(stepSummary, '## validate\n');
      const context = {
        apiUrl: github.url,
        token: 'test-token',
        owner: 'acme',
        repo: 'specs',
        headSha: 'abc',
        stepSummary,
      };
      // 300,000 characters of 3-byte text per section: four fit by characters, only one by bytes.
      const blocks = [
        '# header',
        ...Array.from({ length: 4 }, (_, i) => `### integration ${i}\n` + '€'.repeat(300_000)),
      ];
      const log = await publishReport(octokit, context, {
        name: 'Junction',
        conclusion: 'success',
        title: 'plan',
        blocks,
        annotations: [],
      });
      expect(log).toContain('job summary appended');
      const summary = readFileSync(stepSummary, 'utf8');
      expect(statSync(stepSummary).size).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
      expect(summary.startsWith('## validate\n# header\n### integration 0\n')).toBe(true);
      expect(summary).not.toContain('### integration 1');
      expect(
        summary.endsWith(
          '> ✂️ 3 sections left out: a job summary holds at most 1 MiB. Every problem is still annotated on the check run.\n\n',
        ),
      ).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
