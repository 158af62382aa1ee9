/**
 * Security item: YAML tags that do not map to JSON (`!!binary`, `!!set`, `!!timestamp`, custom tags) are a
 * `yaml-tag` diagnostic at the tag's line:col in validate, test, plan and ci github, never a crash; in GitOps such a
 * commit is recorded as rejected once, not recompiled on every poll.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { startFakeGitHub } from '../github/fake-github.js';
import { pullRequestEnv } from '../github/pull-request-env.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { goodCommitLive, startGitopsWorld, statusOf } from '../gitops/gitops-harness.js';
import type { GitopsWorld } from '../gitops/gitops-harness.js';

let repo: SpecRepo | undefined;
let world: GitopsWorld | undefined;
afterEach(async () => {
  repo?.remove();
  repo = undefined;
  await world?.dispose();
  world = undefined;
});

const TAGGED_LOOKUP = [
  'apiVersion: junction/v1',
  'kind: Lookup',
  'name: sources',
  'entries: { WH-1: !!binary bWFpbg==, WH-2: !city city_store }',
  '',
].join('\n');

const EXPECTED = [
  'specs/lookups/sources.yaml:4:18  error  yaml-tag  the YAML tag `!!binary` has no JSON equivalent; a spec holds only strings, numbers, booleans, null, lists and mappings: remove the tag (quote the value if it must stay text)',
  'specs/lookups/sources.yaml:4:43  error  yaml-tag  the YAML tag `!city` has no JSON equivalent; a spec holds only strings, numbers, booleans, null, lists and mappings: remove the tag (quote the value if it must stay text)',
  // The lookup does not load, but its name still counts: its user reports nothing.
];

function taggedRepo(): SpecRepo {
  repo = createSpecRepo();
  repo.edit('lookups/sources.yaml', () => TAGGED_LOOKUP);
  return repo;
}

describe('YAML tags without a JSON equivalent', () => {
  it('are diagnostics at line:col in validate and test, with no stack trace', async () => {
    const { dir } = taggedRepo();
    const validate = await runCli(['validate', 'specs'], { cwd: dir });
    expect(validate).toEqual({ code: 1, stdout: EXPECTED.map((l) => l + '\n').join(''), stderr: expect.any(String) });
    expect(validate.stderr).not.toMatch(/TypeError|at .*\.ts:/);
    const test = await runCli(['test', 'specs'], { cwd: dir });
    expect(test.code).toBe(1);
    expect(test.stdout).toBe(EXPECTED.map((l) => l + '\n').join(''));
    expect(test.stderr).not.toMatch(/TypeError|at .*\.ts:/);
  });

  it('are reported by plan and by ci github (an annotation at the tag)', async () => {
    const specs = taggedRepo();
    const { dir, base } = specs;
    const plan = await runCli(['plan', '--base', base, 'specs'], { cwd: dir });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain('| <code>specs/lookups/sources.yaml:4:18</code> | error <code>yaml-tag</code> |');
    expect(plan.stderr).toBe('');

    const github = await startFakeGitHub();
    try {
      const ci = await runCli(['ci', 'github', 'specs'], {
        cwd: dir,
        env: pullRequestEnv(specs, github.url, { number: 3, headSha: 'a'.repeat(40) }),
      });
      expect(ci.stderr).toBe('');
      expect(ci.code).toBe(1);
      expect(github.checkRuns[0].annotations).toContainEqual(
        expect.objectContaining({
          path: 'specs/lookups/sources.yaml',
          start_line: 4,
          start_column: 18,
          title: 'yaml-tag',
        }),
      );
    } finally {
      await github.close();
    }
  });

  it('in GitOps, make the commit rejected once: the running set stays and the next poll does not recompile it', async () => {
    world = await startGitopsWorld();
    const { good, a } = await goodCommitLive(world);
    const bad = await world.commit({ 'lookups.yaml': TAGGED_LOOKUP }, 'a binary tag');
    expect(await a.sync.poll()).toBe('rejected');
    expect(await a.sync.poll()).toBe('current');
    expect((await statusOf(a)).rejected).toEqual([
      {
        commit: bad,
        rejected_at: expect.any(String),
        diagnostics: [
          expect.objectContaining({ file: 'specs/lookups.yaml', line: 4, col: 18, code: 'yaml-tag' }),
          expect.objectContaining({ file: 'specs/lookups.yaml', line: 4, col: 43, code: 'yaml-tag' }),
        ],
      },
    ]);
    expect(a.engine.specSet.commit).toBe(good);
  });
});
