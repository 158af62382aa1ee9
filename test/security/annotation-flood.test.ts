/**
 * Attack: a pull request with thousands of problems (one generated file of unknown keys) made `junction ci github`
 * send one annotation request per 50 problems: 2,000 problems were 40 requests, 20,000 were 400, past GitHub's
 * secondary limit of 80 content-generating requests a minute and through much of the repository's GITHUB_TOKEN budget
 * of 1,000 requests an hour, which every workflow of the repository shares. A check run now gets at most 500
 * annotations in 10 requests, failures first, and its summary says how many were left out.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ANNOTATIONS } from '../../engine/cli/github/check-run.js';
import { runCli } from '../cli/run-cli.js';
import { startFakeGitHub } from '../github/fake-github.js';
import type { FakeGitHub } from '../github/fake-github.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { pullRequestEnv } from '../github/pull-request-env.js';

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

describe('a pull request with thousands of problems', () => {
  it('gets at most 500 annotations in 10 requests, and a summary that counts the rest', async () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => `x${i}: 1`).join('\n');
    writeFileSync(
      join(repo.dir, 'specs', 'flood.yaml'),
      `apiVersion: junction/v1\nkind: Lookup\nname: flood\n${keys}\n`,
    );
    const ci = await runCli(['ci', 'github', 'specs'], {
      cwd: repo.dir,
      env: pullRequestEnv(repo, github.url, { number: 4, headSha: 'd'.repeat(40), stepSummary: false }),
    });
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(1);
    const [run] = github.checkRuns;
    expect(ci.stdout).toBe(
      `check run ${run.id}: failure, 500 annotations in 10 requests (1500 more not annotated)\n` +
        `PR #4 comment ${github.comments.get(4)![0].id} created\n`,
    );
    const checkRequests = github.requests.filter((r) => r.path.includes('/check-runs'));
    expect(checkRequests.map((r) => r.method)).toEqual(['POST', ...Array(9).fill('PATCH')]);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.annotations).toHaveLength(MAX_ANNOTATIONS);
    // The first 500 unknown keys, in file order (x0 is on line 4).
    expect([run.annotations[0], run.annotations[499]].map((a) => [a.start_line, a.title])).toEqual([
      [4, 'unknown-property'],
      [503, 'unknown-property'],
    ]);
    expect(run.output.summary).toContain(
      '> ✂️ 1500 more problems are not annotated: a check run gets at most 500 annotations (failures first). ' +
        '`junction validate` and `junction test` list them all.',
    );
    // The sticky comment still went out after the check run.
    expect(github.comments.get(4)).toHaveLength(1);
  });
});
