/**
 * Golden CLI scenarios: `junction validate` and `junction test` on the fixture specs and on PR-like broken copies
 * of them — exact output lines, annotations and exit codes. The example specs in specs/ must pass too.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSpecRepo } from '../plan/spec-repo.js';
import type { SpecRepo } from '../plan/spec-repo.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { REPO_ROOT } from './run-cli.js';

let repo: SpecRepo | undefined;
afterEach(() => repo?.remove());

/** The fixture specs in a temp Git repo, with a transform broken three ways as a careless PR would. */
function brokenTransforms(): SpecRepo {
  repo = createSpecRepo();
  repo.edit('contacts-to-crm.yaml', (t) => t.replace('"LastName": lastname,', '"LastName": lastname lastname,'));
  repo.edit('prices-to-shop.yaml', (t) =>
    t.replace(
      '"price": $round(price, 2)\n',
      '"price": $round(price, 2),\n        "name": name,\n        "special_price": price * 0.9\n',
    ),
  );
  return repo;
}

const BROKEN_ANNOTATIONS = [
  '::error file=specs/contacts-to-crm.yaml,line=11,col=98,title=jsonata-syntax::JSONata S0202 Expected "}", got ' +
    '"lastname"; a comma may be missing before this (between entries, items or arguments), or an operator (& joins ' +
    'strings, and/or combine conditions); a field name that holds a space is quoted with ` (`first name`)',
  '::error file=specs/prices-to-shop.yaml,line=15,col=9,title=unowned-field-write::step `price` writes `name`, which `owns` does not list for product on shop; the ownership filter would drop it. Add it to `owns` or remove it from the body',
  '::error file=specs/prices-to-shop.yaml,line=16,col=9,title=unknown-target-field::`special_price` is not a field of product (magento products.update input)',
];

describe('junction validate', () => {
  it('accepts the example specs and the fixture specs', async () => {
    expect(await junctionInProcess(['validate', 'specs'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '✓ specs: no problems\n',
    });
    expect(await junctionInProcess(['validate', 'test/plan/fixtures/specs'])).toEqual({
      code: 0,
      stdout: '',
      stderr: '✓ test/plan/fixtures/specs: no problems\n',
    });
  });

  it('annotates a JSONata syntax error, an unowned write and an unknown field at their line and column', async () => {
    const { dir } = brokenTransforms();
    const result = await junctionInProcess(['validate', 'specs', '--format', 'github'], {}, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(BROKEN_ANNOTATIONS.join('\n') + '\n');
  });

  it('prints JSON diagnostics with repo-relative paths', async () => {
    repo = createSpecRepo();
    repo.edit('connections/shop.yaml', (t) => t.replace('type: magento_token', 'type: magento_tokn'));
    const result = await junctionInProcess(['validate', 'specs', '--format', 'json'], {}, { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: 'specs/connections/shop.yaml',
        line: 7,
        col: 15,
        severity: 'error',
        code: 'invalid-value',
        message:
          '`auth.type` must be one of none, bearer, basic, magento_token, magento_admin_token, oauth2_client_credentials, oauth1, oauth2_password',
      },
    ]);
  });

  it('reports a spec that is a symbolic link as unreadable and never shows what it points at', async () => {
    repo = createSpecRepo();
    const secret = join(repo.dir, 'outside.yaml');
    writeFileSync(secret, 'token: s3cr3t-outside-the-specs\n');
    symlinkSync(secret, join(repo.dir, 'specs', 'leak.yaml'));
    const result = await junctionInProcess(['validate', 'specs', '--format', 'json'], {}, { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual([
      {
        file: 'specs/leak.yaml',
        line: 1,
        col: 1,
        severity: 'error',
        code: 'file-unreadable',
        message:
          'cannot read the file (a symbolic link, which is not followed): check its permissions, or replace the link with the file itself',
      },
    ]);
    expect(result.stdout + result.stderr).not.toContain('s3cr3t');
  });

  it('exits 2 on bad usage', async () => {
    const result = await junctionInProcess(['validate', 'no-such-dir']);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `junction: spec directory "no-such-dir" (${join(REPO_ROOT, 'no-such-dir')}) does not exist or is not a ` +
        'directory: pass the directory that holds the spec YAML files (`junction init <dir>` creates a spec ' +
        'repository)\n',
    });
    expect((await junctionInProcess(['validate', 'specs', '--format', 'xml'])).code).toBe(2);
  });

  it('refuses a file, and a directory with no spec in it, instead of passing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'junction-no-specs-'));
    try {
      // Only what validate does not read: a hidden folder's YAML and a text file.
      mkdirSync(join(dir, '.github/workflows'), { recursive: true });
      writeFileSync(join(dir, '.github/workflows/ci.yml'), 'on: push\n');
      writeFileSync(join(dir, 'notes.txt'), 'specs go here\n');
      for (const command of ['validate', 'test'])
        expect(await junctionInProcess([command, dir])).toEqual({
          code: 2,
          stdout: '',
          stderr: `junction: spec directory ${JSON.stringify(dir)} holds no spec file (*.yaml or *.yml; hidden folders and node_modules are not read): pass the directory of your specs\n`,
        });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await junctionInProcess(['validate', 'specs/README.md'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'junction: "specs/README.md" is a file; pass the spec directory that holds it (its specs are checked together)\n',
    });
  });
});

describe('junction test', () => {
  it('passes on the example specs', async () => {
    const result = await junctionInProcess(['test', 'specs']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed$/);
  });

  it('passes on the fixture specs', async () => {
    const result = await junctionInProcess(['test', 'test/plan/fixtures/specs']);
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '✓ contacts-to-crm › a customer becomes a contact',
        '✓ prices-to-shop › price and stock reach the shop',
        '✓ prices-to-shop › inactive products are skipped',
        '',
        '3 passed, 0 failed',
        '',
      ].join('\n'),
    });
  });

  it('refuses to test specs that do not validate, printing the problems first', async () => {
    const { dir } = brokenTransforms();
    const result = await junctionInProcess(['test', 'specs'], {}, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout.split('\n').map((l) => l.split('  ').slice(0, 3).join('  '))).toEqual([
      'specs/contacts-to-crm.yaml:11:98  error  jsonata-syntax',
      'specs/prices-to-shop.yaml:15:9  error  unowned-field-write',
      'specs/prices-to-shop.yaml:16:9  error  unknown-target-field',
      '',
    ]);
    expect(result.stderr).toBe('✗ the specs do not validate (3 errors); fix them before testing\n');
  });

  it('fails a changed mapping with a diff by JSON path', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const result = await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        '✓ contacts-to-crm › a customer becomes a contact',
        '✗ prices-to-shop › price and stock reach the shop',
        '    requests[1].body.sourceItems[0].quantity',
        '      expected: 40',
        '      actual:   80',
        '✓ prices-to-shop › inactive products are skipped',
        '',
        '2 passed, 1 failed',
        '',
      ].join('\n'),
    );
  });

  it('fails a write the static checks cannot see: fields outside the schema and `owns` in the actual plan', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) =>
      t.replace(
        /body: \|\n\s+\{\n\s+"sku": sku,\n\s+"price": \$round\(price, 2\)\n\s+\}\n/,
        `body: '$merge([{ "sku": sku, "price": $round(price, 2) }, { "name": name, "colour": "blue" }])'\n`,
      ),
    );
    expect((await junctionInProcess(['validate', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
    const result = await junctionInProcess(['test', 'specs', '--format', 'json'], {}, { cwd: repo.dir });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      passed: number;
      failed: number;
      cases: { name: string; differences: unknown[]; field_problems: unknown[] }[];
    };
    expect(report).toMatchObject({ passed: 2, failed: 1 });
    expect(report.cases[1]).toMatchObject({
      name: 'price and stock reach the shop',
      differences: [],
      field_problems: [
        {
          path: 'steps.price.body.name',
          expected: '(not written: `owns` does not list it)',
          actual: '(written, then dropped by the ownership filter)',
        },
        {
          path: 'steps.price.body.colour',
          expected: '(not a field of magento products.update input)',
          actual: '(written, then dropped by the ownership filter)',
        },
      ],
    });
  });

  it('exits 1 on an unknown --integration, with a did-you-mean', async () => {
    expect(await junctionInProcess(['test', 'test/plan/fixtures/specs', '--integration', 'prices-to-shops'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'junction: no integration named "prices-to-shops" in test/plan/fixtures/specs; did you mean "prices-to-shop"?\n',
    });
  });

  it('lists integrations without tests, and fails on them with --require-tests', async () => {
    repo = createSpecRepo();
    rmSync(join(repo.dir, 'specs/contacts-to-crm.test.yaml'));
    const expected = [
      '✓ prices-to-shop › price and stock reach the shop',
      '✓ prices-to-shop › inactive products are skipped',
      '- contacts-to-crm: no tests',
      '',
      '2 passed, 0 failed, 1 untested',
      '',
    ].join('\n');
    expect(await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).toEqual({
      code: 0,
      stdout: expected,
      stderr: '',
    });
    expect(await junctionInProcess(['test', 'specs', '--require-tests'], {}, { cwd: repo.dir })).toEqual({
      code: 1,
      stdout: expected,
      stderr: '✗ --require-tests: 1 integration has no test case; add a <name>.test.yaml beside each\n',
    });
    const json = await junctionInProcess(
      ['test', 'specs', '--format', 'json', '--integration', 'contacts-to-crm'],
      {},
      {
        cwd: repo.dir,
      },
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ passed: 0, failed: 0, cases: [], untested: ['contacts-to-crm'] });
  });

  it('a case asserts the record key: a different key, or a key expression that gives none, fails the case', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.test.yaml', (t) =>
      t
        .replace('      outcome: delivered\n', '      outcome: delivered\n      key: MUG-1\n')
        .replace('{ outcome: skipped, requests: [] }', '{ outcome: skipped, key: OLD-1, requests: [] }'),
    );
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
    repo.edit('prices-to-shop.yaml', (t) => t.replace('key: sku', 'key: $lowercase(sku)'));
    const changed = await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir });
    expect([changed.code, changed.stdout]).toEqual([
      1,
      [
        '✓ contacts-to-crm › a customer becomes a contact',
        '✗ prices-to-shop › price and stock reach the shop',
        '    key',
        '      expected: "MUG-1"',
        '      actual:   "mug-1"',
        '✗ prices-to-shop › inactive products are skipped',
        '    key',
        '      expected: "OLD-1"',
        '      actual:   "old-1"',
        '',
        '1 passed, 2 failed',
        '',
      ].join('\n'),
    ]);
    repo.edit('prices-to-shop.yaml', (t) => t.replace('key: $lowercase(sku)', 'key: code'));
    const none = await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir });
    const why =
      'the key expression `code` gave no scalar value for this event (ingest answers 400 unidentifiable-event: ' +
      'nothing is stored or written)';
    const lines = none.stdout.split('\n');
    expect([none.code, ...lines.slice(0, 5), ...lines.slice(-3)]).toEqual([
      1,
      '✓ contacts-to-crm › a customer becomes a contact',
      '✗ prices-to-shop › price and stock reach the shop',
      '    key',
      '      expected: "MUG-1"',
      `      actual:   "(none: ${why})"`,
      '',
      '1 passed, 2 failed',
      '',
    ]);
  }, 120_000);

  it("a case asserts the dead letter's message exactly, and --update writes the message it gets", async () => {
    repo = createSpecRepo();
    const refused = (message: string) =>
      [
        '  - name: a price Magento refuses is a dead letter',
        '    event: { sku: MUG-1, price: -1, active: true, stock: [] }',
        '    responses:',
        `      price: { status: 400, body: { message: 'The "%1" attribute value is invalid.', parameters: [ price ] } }`,
        '    expect:',
        '      outcome: dead_lettered',
        '      error_code: validation',
        `      error_message: '${message}'`,
        '',
      ].join('\n');
    repo.edit('prices-to-shop.test.yaml', (t) => t + refused('The "price" attribute value is invalid.'));
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
    repo.edit('prices-to-shop.test.yaml', (t) => t.replace("value is invalid.'\n", "value is wrong.'\n"));
    const changed = await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir });
    expect([changed.code, changed.stdout]).toEqual([
      1,
      [
        '✓ contacts-to-crm › a customer becomes a contact',
        '✓ prices-to-shop › price and stock reach the shop',
        '✓ prices-to-shop › inactive products are skipped',
        '✗ prices-to-shop › a price Magento refuses is a dead letter',
        '    error_message',
        '      expected: "The \\"price\\" attribute value is wrong."',
        '      actual:   "The \\"price\\" attribute value is invalid."',
        '',
        '3 passed, 1 failed',
        '',
      ].join('\n'),
    ]);
    expect((await junctionInProcess(['test', 'specs', '--update'], {}, { cwd: repo.dir })).code).toBe(0);
    const text = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    expect(text).toContain(`error_message: The "price" attribute value is invalid.\n`);
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
  });

  it('--update rewrites the failing expectations from the actual plan and keeps comments', async () => {
    repo = createSpecRepo();
    repo.edit('prices-to-shop.yaml', (t) => t.replace('"quantity": qty,', '"quantity": qty * 2,'));
    const update = await junctionInProcess(['test', 'specs', '--update'], {}, { cwd: repo.dir });
    expect(update.code).toBe(0);
    expect(update.stderr).toBe('updated specs/prices-to-shop.test.yaml\n');
    const text = readFileSync(join(repo.dir, 'specs/prices-to-shop.test.yaml'), 'utf8');
    expect(text).toContain('# the everyday case: one price, two stock locations');
    expect(text).toContain('quantity: 80');
    expect(repo.git('diff', '--stat', '--', 'specs/prices-to-shop.test.yaml')).toMatch(/1 file changed/);
    expect((await junctionInProcess(['test', 'specs'], {}, { cwd: repo.dir })).code).toBe(0);
  });
});
