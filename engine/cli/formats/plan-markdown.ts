/**
 * `junction plan` for people: a Markdown report of what each changed integration would write, before and after,
 * per test case and per field, plus the validation errors the change introduces. Used in the PR comment and the
 * job summary.
 */
import type { PlanReport } from '../../plan/diff/plan-diff.js';
import type { PlanChange } from '../../plan/diff/request-diff.js';
import type { SecurityChange } from '../../plan/diff/security-changes.js';
import type { RolloutRisk } from '../../plan/diff/rollout-risks.js';
import { guardWorkflowCommands } from './workflow-command-guard.js';

/** How to render a plan. */
export interface PlanMarkdownOptions {
  /** The base as the user named it (`origin/main`) and the commit it resolved to. */
  base: string;
  baseCommit?: string;
  /** Fold every integration into a closed `<details>` (long reports). */
  fold?: boolean;
  /** False when the working tree does not compile, so nothing could be planned. @default true */
  planned?: boolean;
}

const STATUS_ICON = { added: '🆕', removed: '🗑️', changed: '✏️' } as const;
const MAX_CELL = 300;

/** The whole report as one Markdown document. */
export function formatPlanMarkdown(report: PlanReport, options: PlanMarkdownOptions): string {
  return guardWorkflowCommands(planMarkdownBlocks(report, options).join('\n'));
}

/**
 * The report as separate blocks (header, one per integration, problems), so a size-limited comment can drop whole
 * blocks.
 */
export function planMarkdownBlocks(report: PlanReport, options: PlanMarkdownOptions): string[] {
  const at = options.baseCommit ? ` (${options.baseCommit.slice(0, 7)})` : '';
  const errors = report.diagnostics.filter((d) => d.severity === 'error');
  const blocks = [
    [
      '## Junction plan',
      '',
      `Compared with \`${options.base}\`${at}. Every recorded test case runs before and after the change.`,
      '',
      summaryLine(report, errors.length, options.planned ?? true),
      '',
    ].join('\n'),
  ];
  if (report.security.length > 0) blocks.push(securityBlock(report.security));
  if (report.rollout.length > 0) blocks.push(rolloutBlock(report.rollout));
  for (const integration of report.integrations) {
    const lines: string[] = [];
    const changes = integration.cases.reduce((n, c) => n + c.changes.length, 0);
    const title = `${STATUS_ICON[integration.status]} <code>${escape(integration.name)}</code> — ${integration.status}, ${plural(changes, 'change')} in ${plural(integration.cases.length, 'case')}`;
    lines.push(options.fold ? `<details><summary>${title}</summary>` : `### ${title}`, '');
    if (integration.cases.length === 0)
      lines.push('The spec changed, but no recorded case plans a different write.', '');
    for (const c of integration.cases) {
      lines.push(`**${escape(c.name)}**`, '', '| request | field | before | after |', '|---|---|---|---|');
      for (const change of c.changes) lines.push(row(change));
      lines.push('');
    }
    if (options.fold) lines.push('</details>', '');
    blocks.push(lines.join('\n'));
  }
  if (report.diagnostics.length > 0) {
    const lines = [
      `### ❌ Validation problems introduced by this change`,
      '',
      '| location | code | message |',
      '|---|---|---|',
    ];
    for (const d of report.diagnostics)
      lines.push(
        `| <code>${escape(`${d.file}:${d.line}:${d.col}`)}</code> | ${d.severity} <code>${d.code}</code> | ${escape(d.message)} |`,
      );
    blocks.push(lines.join('\n') + '\n');
  }
  return blocks;
}

const SECURITY_LABEL = {
  'new-host': 'new host',
  'new-secret': 'new secret reference',
  'verify-removed': 'signature check removed',
  'verify-weakened': 'signature check weakened',
} as const;

/** First after the header: what a reviewer must look at even when no data changes. */
function securityBlock(changes: readonly SecurityChange[]): string {
  const lines = [
    `### 🔐 Security-relevant changes`,
    '',
    'Check these on purpose: where data and credentials go, which secrets specs read, which webhooks are verified.',
    '',
    '| spec | change | detail |',
    '|---|---|---|',
  ];
  for (const c of changes)
    lines.push(`| <code>${escape(c.spec)}</code> | ${SECURITY_LABEL[c.kind]} | <code>${escape(c.detail)}</code> |`);
  return lines.join('\n') + '\n';
}

/** Next to the security block: what the merge does to events already stored, which no test case shows. */
function rolloutBlock(risks: readonly RolloutRisk[]): string {
  const lines = [
    `### ⚠️ Roll out with care: record key changed`,
    '',
    "A record's new events will run under another key than its events still stored or parked. The engines keep " +
      "each record's order across the change: its new events wait behind those stored or parked under the old key " +
      'until none is left (`junction status` shows the drain), so they are delayed as long as that backlog takes. ' +
      'For no delay: stop what sends its events (the webhook sender, or the source system), wait until ' +
      '`junction status` shows lag 0 and nothing parked for it, merge, then restart the sender. ' +
      'See docs/runtime.md, "Changing an integration\'s key".',
    '',
    '| spec | key before | key after |',
    '|---|---|---|',
  ];
  for (const r of risks)
    lines.push(
      `| <code>${escape(r.spec)}</code> | <code>${escape(r.before)}</code> | <code>${escape(r.after)}</code> |`,
    );
  return lines.join('\n') + '\n';
}

function summaryLine(report: PlanReport, errors: number, planned: boolean): string {
  if (!planned)
    return `**The specs do not validate, so nothing could be planned.**${errors > 0 ? ` This change introduces ${plural(errors, 'validation error')}.` : ''}`;
  const counts = (['changed', 'added', 'removed'] as const)
    .map((s) => [s, report.integrations.filter((i) => i.status === s).length] as const)
    .filter(([, n]) => n > 0);
  const parts = counts.map(([s, n]) => `${n} ${s}`).join(', ');
  const writes =
    report.integrations.length === 0
      ? 'No integration changes what it writes.'
      : `**${plural(report.integrations.length, 'integration')}**: ${parts}.`;
  return errors > 0
    ? `${writes} **${plural(errors, 'validation error')} introduced: this change cannot merge.**`
    : writes;
}

function row(change: PlanChange): string {
  const request = change.request === null ? '(result)' : `<code>${escape(change.request)}</code>`;
  const field = change.path === '' ? '(whole request)' : `<code>${escape(change.path)}</code>`;
  return `| ${request} | ${field} | ${cell(change.before)} | ${cell(change.after)} |`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const json = JSON.stringify(value);
  return `<code>${escape(json.length > MAX_CELL ? json.slice(0, MAX_CELL) + '…' : json)}</code>`;
}

/**
 * Spec text (names, values, messages) for a Markdown table cell or heading of a report GitHub renders: HTML-escaped,
 * `|` would end the cell, newlines the row. What a PR could make live is defused too: `](` (an inline link or image,
 * `![x](https://attacker…)`, loaded through GitHub's image proxy on every view), and `@name` and `#123` (a mention
 * that notifies people, a reference that links an issue), which get a zero-width space after `@` or `#`, as
 * Dependabot does (docs/security.md, "Attacks on the config-as-code path").
 */
export function escape(text: string): string {
  return text.replace(MARKDOWN_LIVE, (c) => CELL_ESCAPES[c] ?? (/^[\r\n\u2028\u2029]/.test(c) ? ' ' : `${c}&#8203;`));
}

const MARKDOWN_LIVE = /[&<>|]|\]\(|[\r\n\u2028\u2029]+|(?<![A-Za-z0-9])@(?=[A-Za-z0-9])|#(?=\d)/g;
const CELL_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '|': '&#124;',
  '](': '&#93;(',
};

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
