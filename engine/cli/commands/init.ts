/**
 * `junction init [dir]`: scaffolds a spec repository that validates and tests green at once: a connection and an
 * integration over the generic http connector (no vendor account needed), a spec test with its event, the CI
 * workflow calling Junction's reusable one, a README and a .gitignore.
 */
import type { Command } from 'commander';

const PLACEHOLDER_REPO = 'OWNER/junction';

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('scaffold a spec repository: a connection, an integration, its spec test and the CI workflow')
    .argument('[dir]', 'directory to create the repository in', '.')
    .option(
      '--engine-repo <owner/name>',
      "the Junction engine's GitHub repository, for the CI workflow (default: the package's repository)",
    )
    .action(async (dir: string, opts: { engineRepo?: string }) => {
      const { engineRepoFromPackage, scaffoldSpecRepo } = await import('../init/scaffold.js');
      const engineRepo = opts.engineRepo ?? engineRepoFromPackage();
      const files = scaffoldSpecRepo(dir, { engineRepo: engineRepo ?? PLACEHOLDER_REPO });
      const lines = [
        `created a spec repository in ${dir}:`,
        ...files.map((f) => `  ${f}`),
        '',
        'next:',
        ...(dir === '.' ? [] : [`  cd ${dir}`]),
        '  junction validate        # every spec, each problem as file:line:col',
        '  junction test            # the spec test, as a dry run',
        '  git init && git add . && git commit -m "Junction specs"',
      ];
      if (!engineRepo)
        lines.push(
          '',
          `.github/workflows/specs.yml names ${PLACEHOLDER_REPO}: replace it with the GitHub repository of your Junction engine (or pass --engine-repo)`,
        );
      process.stdout.write(lines.join('\n') + '\n');
    });
}
