/**
 * Golden CLI scenarios: `junction validate` and `junction test` on the example specs and on broken copies of them,
 * as a pull request would break them — exact output lines, annotations and exit codes.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './run-cli.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A copy of specs/ in a temp dir, with `edit` applied to one file. */
function brokenCopy(file: string, edit: (text: string) => string): string {
  dir = mkdtempSync(join(tmpdir(), 'junction-cli-'));
  cpSync(join(REPO_ROOT, 'specs'), join(dir, 'specs'), { recursive: true });
  const path = join(dir, 'specs', file);
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

describe('junction validate', () => {
  it('accepts the example specs', async () => {
    expect(await runCli(['validate', 'specs'])).toEqual({ code: 0, stdout: '', stderr: '✓ specs: no problems\n' });
  });

  it('annotates a JSONata syntax error inside a block scalar at its line and column', async () => {
    const cwd = brokenCopy('magento-ff/magento-orders-to-ff-invoices.yaml', (t) => t.replace('"c2g__Quantity__c": qty_ordered,', '"c2g__Quantity__c": qty_ordered qty,'));
    const result = await runCli(['validate', 'specs', '--format', 'github'], { cwd });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('::error file=specs/magento-ff/magento-orders-to-ff-invoices.yaml,line=48,col=41,title=jsonata-syntax::JSONata S0202 Expected "}", got "qty"\n');
  });

  it('prints JSON diagnostics with repo-relative paths', async () => {
    const cwd = brokenCopy('magento-ff/connections/magento.yaml', (t) => t.replace('type: magento_token', 'type: magento_tokn'));
    const result = await runCli(['validate', 'specs', '--format', 'json'], { cwd });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([{ file: 'specs/magento-ff/connections/magento.yaml', line: 9, col: 9, severity: 'error', code: 'invalid-value', message: '`auth.type` must be one of none, bearer, basic, magento_token, oauth2_client_credentials' }]);
  });

  it('exits 2 on bad usage', async () => {
    const result = await runCli(['validate', 'no-such-dir']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'junction: spec directory "no-such-dir" does not exist or is not a directory\n' });
    expect((await runCli(['validate', 'specs', '--format', 'xml'])).code).toBe(2);
  });
});

describe('junction test', () => {
  it('passes on the example specs', async () => {
    const result = await runCli(['test', 'specs']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('18 passed, 0 failed');
  });

  it('fails a changed mapping with a diff by JSON path', async () => {
    const cwd = brokenCopy('magento-ff/ff-prices-stock-to-magento.yaml', (t) => t.replace('"quantity": quantity,', '"quantity": quantity * 2,'));
    const result = await runCli(['test', 'specs', '--format', 'json'], { cwd });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { passed: number; failed: number; cases: { name: string; differences: unknown[] }[] };
    expect(report).toMatchObject({ passed: 17, failed: 1 });
    expect(report.cases.find((c) => c.differences.length)).toMatchObject({
      name: 'price and stock per location reach Magento',
      differences: [{ path: 'requests[1].body.sourceItems[0].quantity', expected: 40, actual: 80 }],
    });
  });

  it('--update rewrites the failing expectations from the actual plan', async () => {
    const cwd = brokenCopy('magento-ff/ff-prices-stock-to-magento.yaml', (t) => t.replace('"quantity": quantity,', '"quantity": quantity * 2,'));
    expect((await runCli(['test', 'specs', '--update'], { cwd })).code).toBe(0);
    expect(readFileSync(join(cwd, 'specs/magento-ff/ff-prices-stock-to-magento.test.yaml'), 'utf8')).toContain('quantity: 80');
    expect((await runCli(['test', 'specs'], { cwd })).code).toBe(0);
  });
});
