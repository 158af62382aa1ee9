/** `junction status`: spec sync (branch, commits, rejections, workers) and health per integration, from a running engine. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { UsageError } from '../usage-error.js';

interface StatusBody {
  commit: string;
  active_commit?: string;
  tracked_branch?: string;
  last_seen_commit?: string;
  pinned?: string | null;
  rejected?: { commit: string; diagnostics: { file: string; line: number; col: number; code: string; message: string }[] }[];
  workers?: { id: string; commit: string; applied_at: string }[];
  integrations: { name: string; lag: number; deadLetters: number; counts: Record<string, number> }[];
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('show spec sync and integration health of a running engine')
    .option('--url <url>', 'engine base URL', process.env.JUNCTION_URL ?? 'http://127.0.0.1:8080')
    .addOption(new Option('--format <format>', 'output format').choices(['stylish', 'json']).default('stylish'))
    .action(async (opts: { url: string; format: 'stylish' | 'json' }) => {
      let body: StatusBody;
      try {
        const res = await fetch(new URL('/api/status', opts.url));
        body = (await res.json()) as StatusBody;
      } catch (error) {
        throw new UsageError(`no engine answered at ${opts.url} (${(error as Error).message}); pass --url`);
      }
      const summary = {
        active_commit: body.active_commit ?? body.commit,
        tracked_branch: body.tracked_branch,
        last_seen_commit: body.last_seen_commit,
        pinned: body.pinned ?? null,
        rejected: body.rejected ?? [],
        workers: body.workers ?? [],
        integrations: body.integrations.map((i) => ({ name: i.name, health: i.deadLetters > 0 ? 'dead-letters' : 'ok', lag: i.lag, dead_letters: i.deadLetters, ...i.counts })),
      };
      if (opts.format === 'json') return void process.stdout.write(JSON.stringify(summary) + '\n');
      const lines = [`active commit   ${summary.active_commit}${summary.pinned ? `  (pinned)` : ''}`];
      if (summary.tracked_branch) lines.push(`tracked branch  ${summary.tracked_branch}, last seen ${summary.last_seen_commit ?? '–'}`);
      for (const r of summary.rejected) {
        lines.push(`rejected        ${r.commit}`);
        for (const d of r.diagnostics) lines.push(`  ${d.file}:${d.line}:${d.col}  ${d.code}  ${d.message}`);
      }
      for (const w of summary.workers) lines.push(`worker          ${w.id}  ${w.commit}  applied ${w.applied_at}`);
      for (const i of summary.integrations) lines.push(`integration     ${i.name.padEnd(36)} ${i.health.padEnd(12)} lag ${i.lag}  dead letters ${i.dead_letters}`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
