/** `junction plan --base <ref> [dir]`: what each changed integration would write, before and after the change. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { createConnectorRegistry } from '../../../connectors/index.js';
import { planDiff } from '../../plan/plan-diff.js';
import { TRANSFORM_ENGINES } from '../../transform/select-engine.js';
import type { TransformEngineName } from '../../transform/select-engine.js';
import { formatPlanMarkdown } from '../formats/plan-markdown.js';
import { planAgainstBase } from '../plan-against-base.js';

/** Registers `junction plan`. */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('dry-run every test case at a base ref and in the working tree, and diff the planned writes')
    .argument('[dir]', 'spec directory', 'specs')
    .requiredOption('--base <ref>', 'git ref to compare with (a branch, tag or commit)')
    .addOption(new Option('--format <format>', 'output format').choices(['markdown', 'json']).default('markdown'))
    .addOption(new Option('--transform-engine <engine>', 'JSONata engine').choices(TRANSFORM_ENGINES).default('junction'))
    .action(async (dir: string, opts: { base: string; format: 'markdown' | 'json'; transformEngine: TransformEngineName }) => {
      const { base, head } = await planAgainstBase(dir, opts.base, opts.transformEngine);
      const report = await planDiff(base, head, createConnectorRegistry());
      process.stdout.write(opts.format === 'json' ? JSON.stringify(report) + '\n' : formatPlanMarkdown(report, { base: opts.base, baseCommit: base.commit, planned: head.result.specSet !== undefined }));
      process.exitCode = head.result.specSet ? 0 : 1;
    });
}
