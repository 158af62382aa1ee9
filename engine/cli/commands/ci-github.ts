/**
 * `junction ci github [dir]`: validate, test and plan in one go, then report to GitHub: a check run with
 * annotations, one sticky PR comment, and the job summary. Exit 1 when the specs are invalid or a test fails.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { TransformEngineName } from '../../transform/select-engine.js';
import type { CiReportInput } from '../formats/ci-report-markdown.js';
import { DEFAULT_CHECK_NAME } from '../github/sticky-comment.js';
import { transformEngineOption } from '../transform-engine-option.js';
import { UsageError } from '../usage-error.js';

const FOLD_AFTER_CHANGES = 20;

interface Options {
  base?: string;
  name: string;
  transformEngine: TransformEngineName;
}

/** Registers `junction ci github` (under a `ci` parent command). */
export function registerCiGithubCommand(program: Command): void {
  const ci =
    program.commands.find((c) => c.name() === 'ci') ??
    program.command('ci').description('run the checks for a CI system and report to it');
  ci.command('github')
    .description(
      'validate, test and plan; report as a check run with annotations, a sticky PR comment and the job summary',
    )
    .argument('[dir]', 'spec directory', 'specs')
    .option('--base <ref>', 'git ref to plan against (default: the pull request base)')
    .option('--name <name>', 'check run name (each name keeps its own PR comment)', DEFAULT_CHECK_NAME)
    .addOption(transformEngineOption())
    .action(async (dir: string, opts: Options) => {
      // Loaded when the command runs, so `junction --help` does not pay for the compiler, Git and Octokit.
      const { Octokit } = await import('octokit');
      const { simpleGit } = await import('simple-git');
      const { compileEveryEnvironment, environmentDiagnostics, planEveryEnvironment, testEveryEnvironment } =
        await import('../environments.js');
      const { ciReportBlocks, ciTitle } = await import('../formats/ci-report-markdown.js');
      const { diagnosticAnnotations, repoPathMapper, testAnnotations } = await import('../github/annotations.js');
      const { readGitHubContext } = await import('../github/github-context.js');
      const { publishReport } = await import('../github/publish-report.js');
      const { planAgainstBase } = await import('../plan-against-base.js');
      const { compileDirectory, createWiring } = await import('../wiring.js');
      const context = await readGitHubContext(process.env);
      const wiring = createWiring({ transformEngine: opts.transformEngine });
      const head = await compileDirectory(wiring, dir);
      const compiles = compileEveryEnvironment(wiring, head.tree, head.result);
      const diagnostics = environmentDiagnostics(compiles);
      const tests = compiles.every((c) => c.result.specSet)
        ? (await testEveryEnvironment(wiring, head.tree, compiles)).reports
        : [];
      const input: CiReportInput = { diagnostics, tests };
      const baseRef = opts.base ?? context.baseSha;
      const based = baseRef ? await planAgainstBase(wiring, dir, baseRef, head).catch(unplanned) : undefined;
      if (typeof based === 'string') input.unplanned = based;
      else if (based && baseRef) {
        const { base } = based;
        const report = await planEveryEnvironment(wiring, base, head);
        // Small plans open; long ones fold per integration so the comment stays readable.
        const fold =
          report.integrations.reduce((n, i) => n + i.cases.reduce((m, c) => m + c.changes.length, 0), 0) >
          FOLD_AFTER_CHANGES;
        input.plan = {
          report,
          options: { base: baseRef, baseCommit: base.commit, planned: head.result.specSet !== undefined, fold },
        };
      }
      const failed =
        diagnostics.some((d) => d.severity === 'error') ||
        tests.some((t) => !t.passed) ||
        input.unplanned !== undefined;
      const toRepoPath = repoPathMapper(
        (await simpleGit({ baseDir: resolve(dir) }).revparse(['--show-toplevel'])).trim(),
      );
      const octokit = new Octokit({ auth: context.token, baseUrl: context.apiUrl });
      try {
        const log = await publishReport(octokit, context, {
          name: opts.name,
          conclusion: failed ? 'failure' : 'success',
          title: ciTitle(input),
          blocks: ciReportBlocks(input),
          annotations: [
            ...diagnosticAnnotations(diagnostics, toRepoPath),
            ...testAnnotations(tests, head.result.tests, toRepoPath),
          ],
        });
        process.stdout.write(log.map((line) => line + '\n').join(''));
      } catch (error) {
        const e = error as { status?: number; message?: string };
        process.stderr.write(
          `junction: GitHub API request failed${e.status ? ` (${e.status})` : ''}: ${e.message ?? String(error)}\n`,
        );
        process.exitCode = 1;
        return;
      }
      // The report is out; a base that could not be read is still the bad usage it was.
      if (input.unplanned) throw new UsageError(input.unplanned);
      process.exitCode = failed ? 1 : 0;
    });
}

/**
 * Why the plan could not be made, when the base commit cannot be read: the PR still gets validation and tests, and
 * says why there is no plan, instead of getting no report at all.
 */
function unplanned(error: unknown): string {
  if (!(error instanceof UsageError)) throw error;
  return error.message.includes('does not name a commit')
    ? `${error.message} (a shallow checkout needs fetch-depth: 0; a base rewritten since needs the branch updated)`
    : error.message;
}
