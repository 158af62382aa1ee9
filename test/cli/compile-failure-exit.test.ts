/**
 * Exit codes through the real binary: specs that do not compile are a problem found (exit 1, each error at
 * path:line:col) for every command that compiles a spec directory before it works, as `validate` reports them; a
 * command used wrongly (no such directory, a file given for one) stays exit 2.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const ERROR =
  'specs/shop.yaml:4:7  unknown-connector  unknown connector type "magento_tokn"; known: salesforce, magento, infor_m3, http';
/** No broker named anywhere: a command that connected before compiling would fail on that instead. */
const ENV = { JUNCTION_NATS_URL: '', JUNCTION_ALLOWED_SECRETS: undefined };

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'junction-compile-exit-'));
  mkdirSync(join(cwd, 'specs'));
  writeFileSync(
    join(cwd, 'specs/shop.yaml'),
    'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: magento_tokn\nbase_url: https://shop.example\n',
  );
  writeFileSync(join(cwd, 'event.json'), '{"id": 1}');
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const junction = (...args: string[]) => runCli(args, { cwd, env: ENV });

it.each([
  ['check', ['check', 'specs']],
  ['check --offline', ['check', 'specs', '--offline']],
  ['run', ['run', 'specs', '--port', '0', '--operator-port', '0']],
  ['record', ['record', 'orders', '--event', 'event.json']],
  ['backfill', ['backfill', 'orders', 'specs', '--dry-run']],
  ['reconcile', ['reconcile', 'orders', 'specs']],
  ['xref match', ['xref', 'match', 'customer', 'specs']],
])(
  '%s: specs that do not compile exit 1 with each error at path:line:col',
  async (_name, args) => {
    expect(await junction(...args)).toEqual({
      code: 1,
      stdout: '',
      stderr: `junction: specs in specs do not compile:\n${ERROR}\n`,
    });
  },
  60_000,
);

it('schema pull: a connection that does not compile exits 1 with its error; a name no spec has stays exit 2', async () => {
  expect(await junction('schema', 'pull', 'shop', 'specs')).toEqual({
    code: 1,
    stdout: '',
    stderr: `junction: no connection named "shop" compiles in specs (connections: none):\n${ERROR}\n`,
  });
  const clean = join(cwd, 'clean');
  mkdirSync(clean, { recursive: true });
  writeFileSync(
    join(clean, 'shop.yaml'),
    'apiVersion: junction/v1\nkind: Connection\nname: shop\ntype: http\nbase_url: https://shop.example\n',
  );
  expect(await junction('schema', 'pull', 'shopp', 'clean')).toEqual({
    code: 2,
    stdout: '',
    stderr: 'junction: no connection named "shopp" compiles in clean (connections: shop)\n',
  });
}, 60_000);

it('check used wrongly exits 2: a directory that does not exist, a spec file given for its directory', async () => {
  const missing = await junction('check', 'nope', '--offline');
  expect(missing.code).toBe(2);
  expect(missing.stdout).toBe('');
  expect(missing.stderr).toBe(
    `junction: spec directory "nope" (${join(cwd, 'nope')}) does not exist or is not a directory: pass the directory ` +
      'that holds the spec YAML files (`junction init <dir>` creates a spec repository)\n',
  );
  const file = await junction('check', 'specs/shop.yaml', '--offline');
  expect(file).toEqual({
    code: 2,
    stdout: '',
    stderr:
      'junction: "specs/shop.yaml" is a file; pass the spec directory that holds it (its specs are checked together)\n',
  });
}, 60_000);
