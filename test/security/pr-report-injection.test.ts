/**
 * Attack: a pull request's spec text and fixture values reach the sticky PR comment, the check run and the job
 * summary, which GitHub renders as Markdown. An image or link (`![x](https://attacker…)`, `[Approve](…)`) would
 * render in a comment the bot posts, `@user` or `@org/team` would notify people on every run, and `#123` would
 * cross-reference an issue. Through `junction ci github` against the fake GitHub API, none of them may stay live:
 * HTML is escaped, `](` loses its meaning, and a zero-width space follows each `@` and `#` that would start a
 * mention or a reference.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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

const ciEnv = () => pullRequestEnv(repo, github.url, { number: 9, headSha: 'b'.repeat(40) });

const PAYLOAD =
  '<details><img src=https://attacker.example/i.png> ' +
  '![x](https://attacker.example/p.png) [Approve](https://attacker.example/a) @octocat @acme/everyone #1';
const ZWSP = '&#8203;';
const NEUTRAL =
  '&lt;details&gt;&lt;img src=https://attacker.example/i.png&gt; ' +
  '![x&#93;(https://attacker.example/p.png) [Approve&#93;(https://attacker.example/a) ' +
  `@${ZWSP}octocat @${ZWSP}acme/everyone #${ZWSP}1`;

/** What GitHub would make live: HTML, an inline link or image, a mention, an issue reference. */
function liveMarkdown(markdown: string): string[] {
  // `&#93;` and `&#8203;` are the escapes themselves, not references.
  return markdown.match(/<(?:details|img)|\]\(|(?<![A-Za-z0-9])@[A-Za-z0-9]|(?<!&)#\d/g) ?? [];
}

describe('spec text in the PR report', () => {
  it('renders no image, link, mention or issue reference from a test name or a fixture value', async () => {
    // A field whose value is the payload (the plan's "after" cell and the failing test's "actual" cell), and a test
    // case named with it (the failing test's heading).
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"sku": sku,', `"sku": "${PAYLOAD}",`));
    repo.edit('prices-to-shop.test.yaml', (t) =>
      t.replace('name: price and stock reach the shop', `name: "price ${PAYLOAD}"`),
    );
    const ci = await runCli(['ci', 'github', 'specs'], { cwd: repo.dir, env: ciEnv() });
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(1);

    const [comment] = github.comments.get(9)!;
    expect(comment.body).toContain(
      `**prices-to-shop › price ${NEUTRAL}** (<code>specs/prices-to-shop.test.yaml</code>)`,
    );
    expect(comment.body).toContain(
      `| <code>requests[0].body.product.sku</code> | <code>"MUG-1"</code> | <code>"${NEUTRAL}"</code> |`,
    );
    expect(liveMarkdown(comment.body)).toEqual([]);
    const [run] = github.checkRuns;
    expect(liveMarkdown(`${run.output.summary}\n${run.output.text}`)).toEqual([]);
    expect(liveMarkdown(readFileSync(join(repo.dir, 'summary.md'), 'utf8'))).toEqual([]);
  });
});
