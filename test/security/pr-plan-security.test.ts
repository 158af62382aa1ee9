/**
 * Security item: the PR plan (`junction plan` and the `ci github` comment, which shows the same blocks) lists the
 * security-relevant changes on their own, first: hosts a connection starts talking to, environment variables a spec
 * starts reading, and webhooks whose signature check is removed or weakened, even when no recorded case writes
 * anything different. Secret values in CI's environment never reach the plan or the comment: a dry run resolves no
 * secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';

let repo: SpecRepo | undefined;
afterEach(() => {
  repo?.remove();
  repo = undefined;
});

const VERIFIED = 'verify: { hmac_sha256: { header: X-Signature, secret: "${env:HOOK_SECRET}" } }';
/** What CI's environment holds while it plans: none of it may appear in the PR comment. */
const CI_SECRETS = {
  GITHUB_TOKEN: 'ghs_9f8e7d6c5b4a39281706',
  SHOP_TOKEN: 'shop-token-5d41402abc4b2a76',
  HOOK_SECRET: 'whsec-7215ee9c7d9dc229',
  CRM_URL: 'https://crm.example.com/k-2c26b46b68ffc68f',
};
const STAMPED =
  'verify: { hmac_sha256: { header: X-Signature, secret: "${env:HOOK_SECRET}", timestamp: { header: X-Timestamp } } }';

describe('the PR plan', () => {
  it('lists new hosts, new secret references and removed verification in a section of their own', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace(VERIFIED, STAMPED));
    repo.git('commit', '-qam', 'replay protection for prices');
    const base = repo.git('rev-parse', 'HEAD');
    repo.edit('contacts-to-crm.yaml', (t) => t.replace(VERIFIED, 'verify: none'));
    repo.edit('prices-to-shop.yaml', (t) => t.replace(STAMPED, VERIFIED));
    repo.edit('connections/crm.yaml', (t) =>
      t.replace('base_url: ${env:CRM_URL}', 'base_url: https://collector.example.net/api'),
    );
    repo.edit('connections/shop.yaml', (t) => t.replace('${env:SHOP_TOKEN}', '${env:GITHUB_TOKEN}'));

    const markdown = await runCli(['plan', '--base', base, 'specs'], { cwd: repo.dir, env: CI_SECRETS });
    expect(markdown.stderr).toBe('');
    for (const value of Object.values(CI_SECRETS)) expect(markdown.stdout).not.toContain(value);
    const section = markdown.stdout
      .split('### 🔐 Security-relevant changes\n\n')[1]
      ?.split('\n\n')
      .slice(0, 2)
      .join('\n\n');
    expect(section).toBe(
      [
        'Check these on purpose: where data and credentials go, which secrets specs read, which webhooks are verified.',
        '',
        '| spec | change | detail |',
        '|---|---|---|',
        '| <code>crm</code> | new host | <code>collector.example.net</code> |',
        '| <code>shop</code> | new secret reference | <code>${env:GITHUB_TOKEN}</code> |',
        '| <code>contacts-to-crm</code> | signature check removed | <code>signature verification turned off (verify: none)</code> |',
        '| <code>prices-to-shop</code> | signature check weakened | <code>replay protection (signed timestamp) removed</code> |',
      ].join('\n'),
    );
    // Before any integration's data plan: a reviewer sees it first.
    expect(markdown.stdout.indexOf('Security-relevant')).toBeLessThan(
      markdown.stdout.indexOf('### ✏️ <code>contacts-to-crm</code>'),
    );
    expect(markdown.stdout).toContain('### ✏️ <code>contacts-to-crm</code>');

    const jsonText = (
      await runCli(['plan', '--base', base, 'specs', '--format', 'json'], { cwd: repo.dir, env: CI_SECRETS })
    ).stdout;
    for (const value of Object.values(CI_SECRETS)) expect(jsonText).not.toContain(value);
    const json = JSON.parse(jsonText);
    expect(json.security).toEqual([
      { kind: 'new-host', spec: 'crm', detail: 'collector.example.net' },
      { kind: 'new-secret', spec: 'shop', detail: '${env:GITHUB_TOKEN}' },
      { kind: 'verify-removed', spec: 'contacts-to-crm', detail: 'signature verification turned off (verify: none)' },
      { kind: 'verify-weakened', spec: 'prices-to-shop', detail: 'replay protection (signed timestamp) removed' },
    ]);
  });

  it('lists the hosts a connection option and webhook signing keys point at', async () => {
    repo = createSpecRepo();
    // The Salesforce access token goes to the Pub/Sub endpoint; Adobe's signing keys decide which events are real.
    repo.edit('connections/crm.yaml', (t) => `${t}options: { pubsub_url: "https://collector.example.net:7443" }\n`);
    repo.edit('contacts-to-crm.yaml', (t) =>
      t.replace(
        VERIFIED,
        'verify: { adobe_io_events: { client_id: my-project, public_key_base_url: "https://keys.example.org" } }',
      ),
    );
    const plan = await runCli(['plan', '--base', repo.base, 'specs', '--format', 'json'], { cwd: repo.dir });
    expect(JSON.parse(plan.stdout).security).toEqual([
      { kind: 'new-host', spec: 'crm', detail: 'collector.example.net:7443 (option pubsub_url)' },
      { kind: 'new-host', spec: 'contacts-to-crm', detail: 'keys.example.org (webhook signing keys)' },
    ]);
  });
});
