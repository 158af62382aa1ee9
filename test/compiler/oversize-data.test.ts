/**
 * A data file over the 6 MiB data limit (a lookup's CSV, a test's event file, a record schema, a schema overlay) is
 * refused from its size, never read, as a spec over its limit is: from disk, from a Git ref (the base of a plan) and
 * from the GitOps mirror. The `file-too-large` diagnostic is at the spec line that names the file, with the limit and
 * how to raise it (JUNCTION_MAX_DATA_BYTES, the deployment's setting); `junction record` refuses such an event too.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import { MAX_DATA_BYTES, MAX_DATA_BYTES_CEILING, readSpecTree, tooLargeData } from '../../engine/compiler/spec-tree.js';
import { GitMirror } from '../../engine/gitops/git-mirror.js';
import { readSpecTreeAtRef } from '../../engine/gitops/read-tree-at-ref.js';
import { loadCases } from '../../engine/plan/spec-tests/load-cases.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import { createSpecRepo } from '../plan/spec-repo.js';
import { testConnectors } from './test-connectors.js';

const GIB = 1024 ** 3;
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((undo) => undo()));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-oversize-data-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A sparse file of `size` bytes: no disk used, but reading it would put every byte in memory. */
function sparseFile(path: string, size: number): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const fd = openSync(path, 'w');
  writeFileSync(fd, '{');
  closeSync(fd);
  execFileSync('truncate', ['-s', String(size), path]);
}

const RAISE =
  'or raise the limit with JUNCTION_MAX_DATA_BYTES (at most 50331648, 48 MiB) where specs are validated and on every engine';
const tooLarge = (what: string, size: number, fix: string, limit = '6291456 bytes (6 MiB)') =>
  `${what} has ${size} bytes; data files are limited to ${limit}: ${fix}, ${RAISE}`;
const LOOKUP_FIX = 'split the table into several lookups, or look its values up at run time with `resolve`';
const MIB = 1024 * 1024;

/** A lookup named `name` reading `<name>.csv`, and that CSV: `size` bytes of real rows. */
function lookupTable(specs: string, name: string, size: number): void {
  writeFileSync(
    join(specs, 'lookups', `${name}.yaml`),
    `apiVersion: junction/v1\nkind: Lookup\nname: ${name}\ncsv: { file: ${name}.csv, key_column: sku, value_column: warehouse }\n`,
  );
  writeFileSync(join(specs, 'lookups', `${name}.csv`), 'sku,warehouse\n'.padEnd(size, 'SKU-1,main\n'));
}

it('validate refuses 2 GiB data files from their size, each at the spec line that names it', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  const specs = join(repo.dir, 'specs');
  writeFileSync(
    join(specs, 'lookups', 'sources.yaml'),
    'apiVersion: junction/v1\nkind: Lookup\nname: sources\ncsv: { file: sources.csv, key_column: code, value_column: source }\n',
  );
  repo.edit('prices-to-shop.yaml', (yaml) =>
    yaml.replace('X-Signature, secret: "${env:HOOK_SECRET}" } }', '$&, record: schemas/price.json'),
  );
  sparseFile(join(specs, 'lookups', 'sources.csv'), 2 * GIB);
  sparseFile(join(specs, 'events', 'mug.json'), 2 * GIB);
  sparseFile(join(specs, 'schemas', 'price.json'), 2 * GIB);
  sparseFile(join(specs, 'schemas', 'overlays', 'shop', 'product.json'), 2 * GIB);
  // Named by nothing: left unread, and no problem.
  sparseFile(join(specs, 'export.json'), 2 * GIB);
  const result = await junctionInProcess(['validate', 'specs'], {}, { cwd: repo.dir });
  expect(result).toEqual({
    code: 1,
    stdout:
      `specs/lookups/sources.yaml:4:14  error  file-too-large  ${tooLarge('CSV file "sources.csv"', 2 * GIB, LOOKUP_FIX)}\n` +
      `specs/prices-to-shop.test.yaml:7:17  error  file-too-large  ${tooLarge('event_file "events/mug.json"', 2 * GIB, 'keep only the fields the integration reads')}\n` +
      `specs/prices-to-shop.yaml:4:110  error  file-too-large  ${tooLarge('record schema file schemas/price.json', 2 * GIB, 'declare only the fields the integration reads')}\n` +
      `specs/schemas/overlays/shop/product.json:1:1  error  file-too-large  ${tooLarge('the file', 2 * GIB, 'pull it again with `junction schema pull shop --entity product`')}\n`,
    stderr: '✗ 4 errors\n',
  });
}, 120_000);

it('the working tree keeps a data file over the limit unread, with its size, and reads one at the limit', async () => {
  const dir = tempDir();
  sparseFile(join(dir, 'huge.csv'), 1.5 * GIB);
  sparseFile(join(dir, 'edge.json'), MAX_DATA_BYTES);
  const tree = await readSpecTree(dir);
  expect(tree.files.map((f) => ({ path: f.path, read: f.bytes.length, oversize: f.oversize }))).toEqual([
    { path: 'edge.json', read: MAX_DATA_BYTES, oversize: undefined },
    { path: 'huge.csv', read: 0, oversize: 1.5 * GIB },
  ]);
});

it('a plan base read from Git keeps a data file over the limit unread, from the size Git lists', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  writeFileSync(join(repo.dir, 'specs', 'lookups', 'huge.csv'), Buffer.alloc(MAX_DATA_BYTES + 1, 'a'));
  repo.git('add', 'specs/lookups/huge.csv');
  repo.git('commit', '-q', '-m', 'a huge lookup table');
  const { tree } = await readSpecTreeAtRef(join(repo.dir, 'specs'), 'HEAD', 'specs');
  expect(tree.files.find((f) => f.path === 'lookups/huge.csv')).toEqual({
    path: 'lookups/huge.csv',
    bytes: Buffer.alloc(0),
    oversize: MAX_DATA_BYTES + 1,
  });
});

it('the GitOps mirror never asks Git for a listed data file over the limit', async () => {
  const gitDir = tempDir();
  execFileSync('git', ['init', '--bare', '-q', gitDir]);
  const mirror = new GitMirror({ repo: gitDir, branch: 'main', path: 'specs', dir: gitDir });
  // No such object: reading it would fail (git cat-file answers "missing").
  const listed = [{ path: 'lookups/huge.csv', id: '0'.repeat(40), bytes: 2 * GIB }];
  expect(await mirror.readFiles(listed, 'specs')).toEqual({
    displayRoot: 'specs',
    files: [{ path: 'lookups/huge.csv', bytes: Buffer.alloc(0), oversize: 2 * GIB }],
  });
});

it("a case whose event file is over the limit cannot run, and says why (a plan's base that does not validate)", () => {
  const test =
    'apiVersion: junction/v1\nkind: Test\nintegration: orders\ncases:\n  - { name: big, event_file: big.json, expect: { outcome: delivered } }\n';
  const integration =
    'apiVersion: junction/v1\nkind: Integration\nname: orders\nsource: { webhook: { verify: none } }\nkey: id\n' +
    'steps:\n  - { id: a, connection: shop, operation: orders.get, body: \'{ "id": id }\' }\n';
  const connection =
    'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: shop\nbase_url: https://shop.example.com\n';
  const tree = {
    displayRoot: 'specs',
    files: [
      { path: 'big.json', bytes: Buffer.alloc(0), oversize: MAX_DATA_BYTES + 1 },
      { path: 'orders.test.yaml', bytes: Buffer.from(test) },
      { path: 'orders.yaml', bytes: Buffer.from(integration) },
      { path: 'shop.yaml', bytes: Buffer.from(connection) },
    ],
  };
  const compiled = compileSpecTree(tree, { connectors: testConnectors(), engine: referenceEngine });
  expect(loadCases(compiled, tree).map((c) => ({ name: c.name, error: c.error }))).toEqual([
    {
      name: 'big',
      error: tooLarge('event_file "big.json"', MAX_DATA_BYTES + 1, 'keep only the fields the integration reads'),
    },
  ]);
});

it('JUNCTION_MAX_DATA_BYTES raises the limit: a 7 MiB table is refused by default and compiles under 8 MiB', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  const specs = join(repo.dir, 'specs');
  lookupTable(specs, 'stock', 7 * MIB);
  lookupTable(specs, 'bins', 9 * MIB);
  const refused = (name: string, size: number, limit?: string) =>
    `specs/lookups/${name}.yaml:4:14  error  file-too-large  ${tooLarge(`CSV file "${name}.csv"`, size, LOOKUP_FIX, limit)}\n`;
  expect(await junctionInProcess(['validate', 'specs'], {}, { cwd: repo.dir })).toEqual({
    code: 1,
    stdout: refused('bins', 9 * MIB) + refused('stock', 7 * MIB),
    stderr: '✗ 2 errors\n',
  });
  const raised = { JUNCTION_MAX_DATA_BYTES: String(8 * MIB) };
  expect(await junctionInProcess(['validate', 'specs'], raised, { cwd: repo.dir })).toEqual({
    code: 1,
    stdout: refused('bins', 9 * MIB, '8388608 bytes (8 MiB)'),
    stderr: '✗ 1 error\n',
  });
  rmSync(join(specs, 'lookups', 'bins.yaml'));
  expect(await junctionInProcess(['validate', 'specs'], raised, { cwd: repo.dir })).toMatchObject({ code: 0 });
  // The plan's base side is read with the same limit.
  repo.git('add', 'specs');
  repo.git('commit', '-q', '-m', 'a 7 MiB lookup table');
  const { tree } = await readSpecTreeAtRef(specs, 'HEAD', 'specs', 8 * MIB);
  expect(tree.maxDataBytes).toBe(8 * MIB);
  expect(tree.files.find((f) => f.path === 'lookups/stock.csv')?.bytes.length).toBe(7 * MIB);
}, 120_000);

it('a JUNCTION_MAX_DATA_BYTES that is no number of bytes, or over the ceiling, stops the command', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  for (const value of ['8MB', String(MAX_DATA_BYTES_CEILING + 1)])
    expect(
      await junctionInProcess(['validate', 'specs'], { JUNCTION_MAX_DATA_BYTES: value }, { cwd: repo.dir }),
    ).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `junction: JUNCTION_MAX_DATA_BYTES is "${value}": it takes a number of bytes from 1 to 50331648 (48 MiB, whose ` +
        'base64 is the largest message a NATS server takes), e.g. 8388608 for 8 MiB\n',
    });
});

it('at the ceiling, the message no longer offers to raise the limit', () => {
  expect(tooLargeData('CSV file "a.csv"', 60 * MIB, LOOKUP_FIX, MAX_DATA_BYTES_CEILING)).toBe(
    `CSV file "a.csv" has ${60 * MIB} bytes; data files are limited to 50331648 bytes (48 MiB): ${LOOKUP_FIX}`,
  );
});

it('junction record refuses an event file over the limit from its size, before reading it', async () => {
  const repo = createSpecRepo();
  cleanups.push(() => repo.remove());
  sparseFile(join(repo.dir, 'big.json'), 2 * GIB);
  const env = { JUNCTION_ALLOWED_SECRETS: 'SHOP_*,CRM_*,HOOK_SECRET' };
  const result = await junctionInProcess(['record', 'prices-to-shop', '--event', 'big.json'], env, { cwd: repo.dir });
  expect(result).toEqual({
    code: 2,
    stdout: '',
    stderr: `junction: ${tooLarge('the event file big.json', 2 * GIB, 'keep only the fields the integration reads')}\n`,
  });
  expect(repo.git('status', '--porcelain')).toBe('?? big.json');
});

it('the GitOps mirror reads a listed data file up to the limit it was given (JUNCTION_MAX_DATA_BYTES of `run`)', async () => {
  const gitDir = tempDir();
  execFileSync('git', ['init', '--bare', '-q', gitDir]);
  const table = Buffer.from('sku,warehouse\n'.padEnd(7 * MIB, 'SKU-1,main\n'));
  const id = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: gitDir, input: table }).toString().trim();
  const listed = [{ path: 'lookups/stock.csv', id, bytes: table.length }];
  const options = { repo: gitDir, branch: 'main', path: 'specs', dir: gitDir };
  expect(await new GitMirror(options).readFiles(listed, 'specs')).toEqual({
    displayRoot: 'specs',
    files: [{ path: 'lookups/stock.csv', bytes: Buffer.alloc(0), oversize: 7 * MIB }],
  });
  const raised = await new GitMirror({ ...options, maxDataBytes: 8 * MIB }).readFiles(listed, 'specs');
  // Compared as a whole, not byte by byte (a deep equality of 7 MiB takes minutes).
  expect({ ...raised, files: raised.files.map((f) => ({ ...f, bytes: f.bytes.equals(table) })) }).toEqual({
    displayRoot: 'specs',
    files: [{ path: 'lookups/stock.csv', bytes: true }],
    maxDataBytes: 8 * MIB,
  });
});
