/**
 * `junction ci github` end to end: the real CLI in a real Git repository, reporting to a local fake of the GitHub
 * REST API. One sticky comment is created, then updated on the next run; a broken PR gets a failing check run with
 * annotations at the right line:col; the job summary is appended.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { pullRequestEnv } from './pull-request-env.js';
import { startFakeGitHub } from './fake-github.js';
import type { FakeGitHub } from './fake-github.js';

let github: FakeGitHub;
let repo: SpecRepo;
beforeEach(async () => {
  github = await startFakeGitHub();
  repo = createSpecRepo();
});
afterEach(async () => {
  await github.close();
  repo.remove();
});

const HEAD_SHA = 'c0ffee0000000000000000000000000000000001';

const ciEnv = () => pullRequestEnv(repo, github.url, { number: 7, headSha: HEAD_SHA });

describe('junction ci github', () => {
  it('posts one sticky comment with the plan, and updates it on the next run', async () => {
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    repo.edit('prices-to-shop.test.yaml', (t) => t.replace('quantity: 40 }', 'quantity: 80 }'));
    const env = ciEnv();
    const first = await junctionInProcess(['ci', 'github', 'specs'], env, { cwd: repo.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const [run] = github.checkRuns;
    const [comment] = github.comments.get(7)!;
    expect(first.stdout).toBe(
      `check run ${run.id}: success, 0 annotations in 1 request\nPR #7 comment ${comment.id} created\njob summary appended\n`,
    );
    expect(run).toMatchObject({
      name: 'Junction',
      head_sha: HEAD_SHA,
      status: 'completed',
      conclusion: 'success',
      output: { title: 'specs valid, 3 tests passed, 1 integration changes' },
    });
    expect(
      comment.body.startsWith(
        '<!-- junction-plan -->\n# ✅ Junction: specs valid, 3 tests passed, 1 integration changes\n',
      ),
    ).toBe(true);
    expect(comment.body).toContain(
      '| <code>stock[0] POST /rest/default/V1/inventory/source-items</code> | <code>body.sourceItems[0].quantity</code> | <code>40</code> | <code>80</code> |',
    );

    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty * 2,', '"quantity": qty * 3,'));
    repo.edit('prices-to-shop.test.yaml', (t) => t.replace('quantity: 80 }', 'quantity: 120 }'));
    const second = await junctionInProcess(['ci', 'github', 'specs'], env, { cwd: repo.dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`PR #7 comment ${comment.id} updated\n`);
    expect(github.comments.get(7)).toHaveLength(1);
    expect(github.comments.get(7)![0].body).toContain('| <code>40</code> | <code>120</code> |');
    expect(github.requests.map((r) => `${r.method} ${r.path.replace(/\/\d+$/, '/:id')}`)).toEqual([
      'POST /repos/acme/specs/check-runs',
      'GET /repos/acme/specs/issues/7/comments?per_page=100',
      'POST /repos/acme/specs/issues/7/comments',
      'POST /repos/acme/specs/check-runs',
      'GET /repos/acme/specs/issues/7/comments?per_page=100',
      'PATCH /repos/acme/specs/issues/comments/:id',
    ]);
    const summary = readFileSync(join(repo.dir, 'summary.md'), 'utf8');
    expect(summary.match(/# ✅ Junction/g)).toHaveLength(2);
  });

  it('fails a broken PR with annotations at the right line and column', async () => {
    repo.edit('contacts-to-crm.yaml', (t) => t.replace('"LastName": lastname,', '"LastName": lastname lastname,'));
    repo.edit('prices-to-shop.yaml', (t) =>
      t.replace(
        '"price": $round(price, 2)\n',
        '"price": $round(price, 2),\n        "name": name,\n        "special_price": price * 0.9\n',
      ),
    );
    const result = await junctionInProcess(['ci', 'github', 'specs'], ciEnv(), { cwd: repo.dir });
    expect(result.code).toBe(1);
    const [run] = github.checkRuns;
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: '3 validation errors, 0 tests passed, 0 integrations change' },
    });
    expect(run.annotations.map((a) => [a.path, a.start_line, a.start_column, a.annotation_level, a.title])).toEqual([
      ['specs/contacts-to-crm.yaml', 11, 98, 'failure', 'jsonata-syntax'],
      ['specs/prices-to-shop.yaml', 15, 9, 'failure', 'unowned-field-write'],
      ['specs/prices-to-shop.yaml', 16, 9, 'failure', 'unknown-target-field'],
    ]);
    const [comment] = github.comments.get(7)!;
    expect(comment.body).toContain('# ❌ Junction: 3 validation errors');
    expect(comment.body).toContain('**The specs do not validate, so nothing could be planned.**');
  });

  it('annotates a failing test case at its name in the test file', async () => {
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const result = await junctionInProcess(['ci', 'github', 'specs'], ciEnv(), { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(github.checkRuns[0].annotations).toEqual([
      {
        path: 'specs/prices-to-shop.test.yaml',
        start_line: 6,
        end_line: 6,
        start_column: 11,
        end_column: 11,
        annotation_level: 'failure',
        title: 'test-failed',
        message:
          'test case "price and stock reach the shop" failed\nrequests[1].body.sourceItems[0].quantity: expected 40, actual 80',
      },
    ]);
  });

  it('still reports validation and tests when the base commit is not in the clone, and says why nothing was planned', async () => {
    // A shallow checkout, or a base branch rewritten since the event: the PR's base commit cannot be read.
    const missing = 'badbadbadbadbadbadbadbadbadbadbadbadbad0';
    const env = ciEnv();
    writeFileSync(
      env.GITHUB_EVENT_PATH!,
      JSON.stringify({ pull_request: { number: 7, head: { sha: HEAD_SHA }, base: { sha: missing } } }),
    );
    const result = await junctionInProcess(['ci', 'github', 'specs'], env, { cwd: repo.dir });
    const why = `cannot read specs at ${missing}: git ref "${missing}" does not name a commit in ${repo.dir} (a shallow checkout needs fetch-depth: 0; a base rewritten since needs the branch updated)`;
    expect(result).toMatchObject({ code: 2, stderr: `junction: ${why}\n` });
    const [run] = github.checkRuns;
    expect(run).toMatchObject({
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'specs valid, 3 tests passed, not planned' },
    });
    const [comment] = github.comments.get(7)!;
    expect(comment.body).toContain(`## Plan\n\n⚠️ Not planned: ${why}\n`);
  });

  it('exits 2 without a token', async () => {
    const result = await junctionInProcess(
      ['ci', 'github', 'specs'],
      { ...ciEnv(), GITHUB_TOKEN: '' },
      { cwd: repo.dir },
    );
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'junction: GITHUB_TOKEN is not set; pass `secrets.GITHUB_TOKEN` to the step as an env variable\n',
    });
    expect(github.requests).toEqual([]);
  });
});
