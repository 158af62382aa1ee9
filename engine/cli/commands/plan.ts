/** `junction plan --base <ref> [dir]`: what each changed integration would write, before and after the change. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { TransformEngineName } from '../../transform/select-engine.js';
import { formatPlanMarkdown } from '../formats/plan-markdown.js';
import { transformEngineOption } from '../transform-engine-option.js';

/** Registers `junction plan`. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description(
      'dry-run every test case at a base ref and in the working tree, and diff the planned writes (in every environment)',
    )
    .argument('[dir]', 'spec directory', 'specs')
    .requiredOption('--base <ref>', 'git ref to compare with (a branch, tag or commit)')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(transformEngineOption())
    .action(
      async (
        dir: string,
        opts: { base: string; format: 'markdown' | 'json'; transformEngine: TransformEngineName },
      ) => {
        // Loaded when the command runs, so `junction --help` does not pay for the compiler and Git.
        const { createWiring } = await import('../wiring.js');
        const { planAgainstBase } = await import('../plan-against-base.js');
        const { planEveryEnvironment } = await import('../environments.js');
        const wiring = createWiring({ transformEngine: opts.transformEngine });
        const { base, head } = await planAgainstBase(wiring, dir, opts.base);
        const report = await planEveryEnvironment(wiring, base, head);
        process.stdout.write(
          opts.format === 'json'
            ? JSON.stringify(report) + '\n'
            : formatPlanMarkdown(report, {
                base: opts.base,
                baseCommit: base.commit,
                planned: head.result.specSet !== undefined,
              }),
        );
        process.exitCode = head.result.specSet ? 0 : 1;
      },
    );
}
