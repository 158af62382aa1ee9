/**
 * `junction schema pull` for Infor M3: the site's MI transaction layouts, read from MRS001MI (LstTransactions,
 * LstFields) over loopback HTTP, become `schemas/overlays/<connection>/<PROGRAM>/<Transaction>.json` in a git spec
 * repository. A field the site's layout has and the built-in catalog lacks is unknown-target-field before the pull and
 * valid after it, and the spec's own test passes against it; a typo, a constant longer than the pulled length and a
 * missing pulled-mandatory field are still diagnostics at their line:col, and the emulator enforces the same layout.
 * A site that refuses MRS001MI fails the pull with what to do.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { M3_CATALOG } from '../../connectors/infor_m3/catalog/m3-catalog.js';
import { M3_EMULATOR_USER, startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import type { M3EmulatorOptions } from '../../connectors/infor_m3/emulator/index.js';
import { junction } from './cli-in-process.js';
import { connectionYaml } from './ops-specs.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

/** The site's CRS610MI/Add has two fields the catalog lacks: an optional loyalty tier and a mandatory sales region. */
const SITE: M3EmulatorOptions = {
  extraInputs: {
    'CRS610MI/Add': [
      ['LOTI', 'A', 10, false, 'Loyalty tier'],
      ['SREG', 'A', 3, true, 'Sales region'],
    ],
  },
};

const BODY = `'{ "CUTM": "TEMPLATE", "CUNM": name, "CUA1": street, "LOTI": tier, "SREG": "NE" }'`;
const customers = (body = BODY) => `apiVersion: junction/v1
kind: Integration
name: customers
source: { webhook: { verify: { hmac_sha256: { header: X-Sig, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
  - { id: customer, connection: m3, operation: CRS610MI/Add, body: ${body} }
owns: [{ connection: m3, object: customer, fields: ["*"] }]
`;

/** A spec test of `customers` whose expected request carries the two site fields. */
const CUSTOMERS_TEST = `apiVersion: junction/v1
kind: Test
integration: customers
cases:
  - name: a customer goes to M3 with its loyalty tier and sales region
    event: { id: 7, name: Ada, street: 1 Way, tier: GOLD }
    responses:
      customer: { status: 200, body: { results: [{ transaction: Add, records: [{ CUNO: "10077" }] }] } }
    expect:
      outcome: delivered
      requests:
        - step: customer
          method: GET
          path: /m3api-rest/v2/execute/CRS610MI/Add?CONO=100&CUTM=TEMPLATE&CUNM=Ada&CUA1=1+Way&LOTI=GOLD&SREG=NE
`;
const TEST_PASSED =
  '✓ customers › a customer goes to M3 with its loyalty tier and sales region\n\n1 passed, 0 failed\n';

const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=junction', '-c', 'user.email=dev@junction.local', ...args], {
    cwd: dir,
    encoding: 'utf8',
  });

async function site(options: M3EmulatorOptions) {
  const m3 = await startM3Emulator(options);
  cleanup.push(() => m3.stop());
  const dir = mkdtempSync(join(tmpdir(), 'junction-m3-schema-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  const files = {
    'connections/m3.yaml': connectionYaml(
      'm3',
      'infor_m3',
      m3.url,
      'auth: { type: basic, username: "${env:M3_USER}", password: "${env:M3_PASSWORD}" }\noptions: { company: 100 }\n',
    ),
    'customers.yaml': customers(),
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'specs');
  Object.assign(process.env, { M3_USER: M3_EMULATOR_USER.username, M3_PASSWORD: M3_EMULATOR_USER.password });
  cleanup.push(() => void (delete process.env.M3_USER, delete process.env.M3_PASSWORD));
  const pull = (...args: string[]) =>
    junction(
      'schema',
      'pull',
      'm3',
      dir,
      ...args,
      '--allow-private-host',
      `127.0.0.1:${new URL(m3.url).port}`,
      // The secrets the specs read, allowed as the engine would: the pull takes the engine's allowlist.
      '--allow-secret',
      'M3_*,HOOK_SECRET',
    );
  return { m3, dir, pull };
}

/** Line:col of the first `text` in a file, as diagnostics count them. */
function positionOf(file: string, text: string): string {
  const content = readFileSync(file, 'utf8');
  const lines = content.slice(0, content.indexOf(text)).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

it("pulls the site's layout of each transaction the specs call; validate then holds bodies to it", async () => {
  const { m3, dir, pull } = await site(SITE);
  const spec = join(dir, 'customers.yaml');
  const file = `${relative(process.cwd(), dir)}/customers.yaml`;
  const fieldAt = (name: string) => positionOf(spec, `"${name}"`);
  // The create has no find, to stay short: validate warns about it first, every time.
  const unguarded = `${file}:${positionOf(spec, 'CRS610MI/Add')}  warning  unguarded-create  step \`customer\` creates a record (CRS610MI/Add) with no \`find\`: a lost answer (a timeout, a dropped connection, a worker killed mid-call) or two attempts of one event at once (a broker redelivery) can create it twice, since the target is not known to honour the Idempotency-Key the engine sends; add \`find:\` with a read or query of connection m3 that finds the record by a reference the create stores (docs/runtime.md "Creates that never duplicate")\n`;

  // Before the pull, the built-in catalog (M3H5's CRS610MI/Add) has neither field.
  const before = await junction('validate', dir);
  expect(before.code).toBe(1);
  expect(before.stdout).toBe(
    unguarded +
      `${file}:${fieldAt('LOTI')}  error  unknown-target-field  \`LOTI\` is not a field of customer (infor_m3 CRS610MI/Add input)\n` +
      `${file}:${fieldAt('SREG')}  error  unknown-target-field  \`SREG\` is not a field of customer (infor_m3 CRS610MI/Add input); did you mean \`YREF\`?\n`,
  );

  // No --entity: the transactions the specs call on m3.
  const pulled = await pull();
  expect(pulled.stderr).toBe(
    'pulled from MI transaction layouts (MRS001MI/LstTransactions, MRS001MI/LstFields); commit the files with your specs\n',
  );
  expect(pulled.code).toBe(0);
  const fields = M3_CATALOG['CRS610MI/Add'].inputs.length + 2;
  expect(pulled.stdout).toBe(`✓  CRS610MI/Add: ${fields} fields -> ${dir}/schemas/overlays/m3/CRS610MI/Add.json\n`);
  const text = readFileSync(join(dir, 'schemas/overlays/m3/CRS610MI/Add.json'), 'utf8');
  const overlay = JSON.parse(text);
  expect(overlay).toMatchObject({
    connection: 'm3',
    connector: 'infor_m3',
    entity: 'CRS610MI/Add',
    pulled_from: [
      'GET /m3api-rest/v2/execute/MRS001MI/LstTransactions?MINM=CRS610MI',
      'GET /m3api-rest/v2/execute/MRS001MI/LstFields?MINM=CRS610MI&TRNM=Add&TRTP=I',
    ],
    required: ['CUA1', 'CUNM', 'CUTM', 'SREG'],
  });
  expect(Object.keys(overlay.fields)).toHaveLength(fields);
  expect(overlay.fields.LOTI).toEqual({
    type: ['string', 'number'],
    description: 'Loyalty tier (up to 10 characters)',
    maxLength: 10,
  });
  expect(overlay.fields.CUNM).toEqual({
    type: ['string', 'number'],
    description: 'Customer name (up to 36 characters)',
    maxLength: 36,
  });
  // Stable and diff-friendly: keys sorted at every level, two-space indent, one trailing newline.
  expect(text.startsWith('{\n  "connection": "m3",\n  "connector": "infor_m3",\n  "entity": "CRS610MI/Add",\n')).toBe(
    true,
  );
  expect(Object.keys(overlay.fields)).toEqual(Object.keys(overlay.fields).sort());
  expect(git(dir, 'status', '--porcelain')).toBe('?? schemas/\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'pulled M3 layouts');

  // A second pull finds nothing new and changes nothing in the repository.
  const again = await pull();
  expect(again.stdout).toBe(
    `=  CRS610MI/Add: ${fields} fields -> ${dir}/schemas/overlays/m3/CRS610MI/Add.json (unchanged)\n`,
  );
  expect(git(dir, 'status', '--porcelain')).toBe('');

  expect(await junction('validate', dir)).toMatchObject({ code: 0, stdout: unguarded });

  // The spec's own test runs against the pulled layout too: the site's fields go out as the mapping writes them.
  writeFileSync(join(dir, 'customers.test.yaml'), CUSTOMERS_TEST);
  const tested = await junction('test', dir);
  expect({ code: tested.code, stdout: tested.stdout }).toEqual({ code: 0, stdout: TEST_PASSED });
  rmSync(join(dir, 'customers.test.yaml'));

  // A typo is still unknown, with the pulled name suggested.
  writeFileSync(spec, customers(BODY.replace('"LOTI"', '"LOTY"')));
  expect((await junction('validate', dir)).stdout).toBe(
    unguarded +
      `${file}:${fieldAt('LOTY')}  error  unknown-target-field  \`LOTY\` is not a field of customer (infor_m3 CRS610MI/Add input); did you mean \`LOTI\`?\n`,
  );

  // A constant longer than the pulled length, and the pulled mandatory field left out.
  writeFileSync(spec, customers(BODY.replace('tier', '"GOLD-PLATINUM"').replace(', "SREG": "NE"', '')));
  const checks = await junction('validate', dir);
  expect(checks.code).toBe(1);
  expect(checks.stdout).toBe(
    unguarded +
      `${file}:${positionOf(spec, '{ "CUTM"')}  error  missing-required-field  step \`customer\` never sets \`SREG\`, which infor_m3 CRS610MI/Add requires for customer\n` +
      `${file}:${positionOf(spec, '"GOLD-PLATINUM"')}  error  value-does-not-fit  "GOLD-PLATINUM" does not fit \`LOTI\` (infor_m3 CRS610MI/Add input): it is 13 characters, and the field holds at most 10\n`,
  );

  // The emulator enforces the layout it reported: the same two mistakes, refused by "M3".
  const add = async (fields: Record<string, string>) => {
    const query = new URLSearchParams({ CONO: '100', CUTM: 'TEMPLATE', CUNM: 'Ada', CUA1: '1 Way', ...fields });
    const auth = Buffer.from(`${M3_EMULATOR_USER.username}:${M3_EMULATOR_USER.password}`).toString('base64');
    const response = await fetch(`${m3.url}/m3api-rest/v2/execute/CRS610MI/Add?${query}`, {
      headers: { authorization: `Basic ${auth}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  expect(await add({ LOTI: 'GOLD-PLATINUM', SREG: 'NE' })).toEqual({
    status: 400,
    body: { errorMessage: 'Input field LOTI is longer than 10', errorType: 'InputFieldTooLong', errorField: 'LOTI' },
  });
  const missing = await add({ LOTI: 'GOLD' });
  expect(missing.body.results).toEqual([
    expect.objectContaining({
      errorMessage: expect.stringMatching(/^Sales region must be entered +$/),
      errorField: 'SREG',
    }),
  ]);
  const added = await add({ LOTI: 'GOLD', SREG: 'NE' });
  expect(added.body.nrOfFailedTransactions).toBe(0);
  const customer = [...m3.state.tables.customer.values()].find((c) => c.CUNM === 'Ada');
  expect(customer).toMatchObject({ LOTI: 'GOLD', SREG: 'NE' });
});

it('names the transactions to pull with --entity; one the site does not have is skipped, a path is refused', async () => {
  const { dir, pull } = await site(SITE);
  const named = await pull('--entity', 'CRS620MI/AddSupplier', 'CRS610MI/Nope', 'XYZ999MI/Add');
  expect(named.code).toBe(0);
  const suppliers = M3_CATALOG['CRS620MI/AddSupplier'].inputs.length;
  expect(named.stdout).toBe(
    `✓  CRS620MI/AddSupplier: ${suppliers} fields -> ${dir}/schemas/overlays/m3/CRS620MI/AddSupplier.json\n` +
      '-  CRS610MI/Nope: m3 has no such entity (skipped)\n' +
      '-  XYZ999MI/Add: m3 has no such entity (skipped)\n',
  );
  const overlay = JSON.parse(readFileSync(join(dir, 'schemas/overlays/m3/CRS620MI/AddSupplier.json'), 'utf8'));
  expect(overlay.required).toHaveLength(23);

  const escape = await pull('--entity', '../../outside');
  expect(escape.code).toBe(1);
  expect(escape.stderr).toBe(
    'junction: pulling the field metadata of m3 failed: "../../outside" is not an entity name (a name such as Account, or PROGRAM/Transaction)\n',
  );
});

it('fails with what to do on a site that does not expose MRS001MI, and writes nothing', async () => {
  const { m3, dir, pull } = await site({ ...SITE, miRepository: false });
  const refused = await pull();
  expect(refused.code).toBe(1);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toBe(
    'junction: pulling the field metadata of m3 failed: this M3 site does not let the connection run ' +
      'MRS001MI/LstTransactions (M3 answered: M3: Transaction LstTransactions does not exist in program MRS001MI ' +
      "(TransactionNotFound)). The pull reads each transaction's layout from MRS001MI, M3's MI repository " +
      'interface: ask the M3 administrator to let the API user run MRS001MI LstTransactions and LstFields, then pull ' +
      'again. Until then validate checks M3 bodies against the built-in catalog (connectors/infor_m3/metadata).\n',
  );
  expect(existsSync(join(dir, 'schemas'))).toBe(false);

  // The control turns MRS001MI on, as an administrator would.
  const on = await fetch(`${m3.url}/__emulator/mi-repository`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ available: true }),
  });
  expect(on.status).toBe(204);
  expect((await pull()).code).toBe(0);
  expect(existsSync(join(dir, 'schemas/overlays/m3/CRS610MI/Add.json'))).toBe(true);
});
