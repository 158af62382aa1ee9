/**
 * Environments (`kind: Environment`): `junction validate` and `junction test` check the specs with their own values
 * and in every environment, an environment's mistakes are reported at its line:col, a test file can pin the
 * environments its expectations belong to, and an unknown `--env` is refused by name.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileDirectory, compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';

let repo: SpecRepo | undefined;
afterEach(() => repo?.remove());

/** The fixture specs with a `staging` environment whose stock sources have other codes. */
function withStaging(extra: Record<string, string> = {}): SpecRepo {
  repo = createSpecRepo();
  const files: Record<string, string> = {
    'environments/staging.yaml': [
      'apiVersion: junction/v1',
      'kind: Environment',
      'name: staging',
      'connections:',
      '  shop: { base_url: "${env:STAGING_SHOP_URL}" }',
      'lookups:',
      '  sources:',
      '    entries: { WH-1: staging_main }',
      '',
    ].join('\n'),
    ...extra,
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(repo.dir, 'specs', file, '..'), { recursive: true });
    writeFileSync(join(repo.dir, 'specs', file), text);
  }
  return repo;
}

describe('environments', () => {
  it('reports an environment that names no connection or lookup, and a bad value, at its line:col', async () => {
    const { dir } = withStaging({
      'environments/production.yaml': [
        'apiVersion: junction/v1',
        'kind: Environment',
        'name: production',
        'connections:',
        '  shopp: { base_url: "https://shop.example.com" }',
        '  crm: { base_url: "ftp://crm.example.com" }',
        'lookups:',
        '  source: { default: main }',
        '',
      ].join('\n'),
    });
    const result = await junctionInProcess(['validate', 'specs'], {}, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'specs/environments/production.yaml:5:3  error  unknown-connection  environment production sets connections "shopp", which no Connection spec defines; did you mean `shop`?',
    );
    expect(result.stdout).toContain(
      'specs/environments/production.yaml:8:3  error  unknown-lookup  environment production sets lookups "source", which no Lookup spec defines; did you mean `sources`?',
    );
    expect(result.stdout).toContain(
      'specs/environments/production.yaml:6:20  error  invalid-format  `connections.crm.base_url` is not valid (Base URL of the system\'s API: a literal https URL or an environment reference), got "ftp://crm.example.com"',
    );
  });

  it('runs every test file in every environment unless the file names its environments', async () => {
    const { dir } = withStaging();
    const failing = await junctionInProcess(['test', 'specs', '--integration', 'prices-to-shop'], {}, { cwd: dir });
    expect(failing.code).toBe(1);
    // The default values pass; staging maps WH-1 elsewhere and has no WH-2, so the pinned request differs there.
    expect(failing.stdout).toContain('✓ prices-to-shop › price and stock reach the shop\n');
    expect(failing.stdout).toContain('✗ prices-to-shop › price and stock reach the shop [env staging]');
    expect(failing.stdout).toContain('✓ prices-to-shop › inactive products are skipped [env staging]');

    repo!.edit('prices-to-shop.test.yaml', (t) =>
      t.replace('integration: prices-to-shop\n', 'integration: prices-to-shop\nenvironments: [default]\n'),
    );
    const passing = await junctionInProcess(['test', 'specs', '--integration', 'prices-to-shop'], {}, { cwd: dir });
    expect(passing.stdout).not.toContain('[env staging]');
    expect(passing.code).toBe(0);
  });

  it('compiles the set with the selected environment, and refuses an environment it does not define', async () => {
    const { dir } = withStaging();
    const env = { STAGING_SHOP_URL: 'https://staging.shop.example.com' };
    const staging = await compiledSpecSet(createWiring({ env, environment: 'staging' }), join(dir, 'specs'));
    expect(staging.connections.get('shop')!.baseUrl).toBe('${env:STAGING_SHOP_URL}');
    expect(Object.fromEntries(staging.lookups.get('sources')!.entries)).toEqual({ 'WH-1': 'staging_main' });
    const own = (await compileDirectory(createWiring(), join(dir, 'specs'))).result;
    expect(own.environments).toEqual(['staging']);
    expect(Object.fromEntries(own.specSet!.lookups.get('sources')!.entries)).toEqual({
      'WH-1': 'main_warehouse',
      'WH-2': 'city_store',
    });
    await expect(compiledSpecSet(createWiring({ environment: 'stagin' }), join(dir, 'specs'))).rejects.toThrow(
      'unknown-environment  no environment named "stagin"; did you mean `staging`?',
    );
  });
});
