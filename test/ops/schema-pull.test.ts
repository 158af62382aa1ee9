/**
 * `junction schema pull`: an org's custom fields validate with no connector change. The pull reads the emulators'
 * metadata endpoints (Salesforce describe, Magento product attributes and customer attribute metadata) into
 * `schemas/overlays/<connection>/<entity>.json`; validate and test then accept the custom field, and a misspelled one
 * is still `unknown-target-field` at its line:col, suggesting the pulled name. The pulled picklist and read-only flags
 * feed the field-metadata checks.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import {
  MAGENTO_EMULATOR_INTEGRATION,
  MAGENTO_EMULATOR_TOKEN,
  startMagentoEmulator,
} from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { formula, picklist } from '../../connectors/salesforce/schemas/sobject-schema.js';
import { junction } from './cli-in-process.js';
import { connectionYaml } from './ops-specs.js';

/** The secrets the specs here read, allowed as the engine would: the pull takes the engine's allowlist. */
const ALLOWED_SECRETS = ['--allow-secret', 'SF_*,SHOP_*,HOOK_SECRET'];

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

/** Diagnostics name files relative to the working directory. */
const shown = (dir: string) => relative(process.cwd(), dir);

/** Line:col of the first `text` in a file, as diagnostics count them. */
function positionOf(file: string, text: string): string {
  const lines = readFileSync(file, 'utf8').slice(0, readFileSync(file, 'utf8').indexOf(text)).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

function specDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-schema-pull-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const integration = (name: string, step: string, owns: string) => `apiVersion: junction/v1
kind: Integration
name: ${name}
source: { webhook: { verify: { hmac_sha256: { header: X-Sig, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
steps:
  - ${step}
owns: [${owns}]
`;

const ACCOUNT_BODY = `'{ "Magento_Customer_Id__c": $string(id), "Name": name, "Loyalty_Tier__c": tier }'`;
const accounts = (body = ACCOUNT_BODY) =>
  integration(
    'accounts',
    `{ id: account, connection: crm, operation: sobjects.upsert, params: { sobject: Account, external_id_field: Magento_Customer_Id__c }, body: ${body} }`,
    '{ connection: crm, object: Account, fields: [Name, Loyalty_Tier__c, Lifetime_Value__c] }',
  );
const ACCOUNTS_TEST = `apiVersion: junction/v1
kind: Test
integration: accounts
cases:
  - name: the loyalty tier reaches the account
    event: { id: 42, name: Ada Lovelace Ltd, tier: Gold }
    responses:
      account: { status: 201, body: { id: 001000000000042AAA, success: true, errors: [], created: true } }
    expect:
      outcome: delivered
      requests:
        - step: account
          method: PATCH
          path: /services/data/v60.0/sobjects/Account/Magento_Customer_Id__c/42
          body: { Name: Ada Lovelace Ltd, Loyalty_Tier__c: Gold }
`;

it('pulls Salesforce describe: a custom field validates and tests green, a typo or a bad value is still refused', async () => {
  const sf = await startSalesforceEmulator({
    customFields: {
      Account: {
        Loyalty_Tier__c: picklist(['Bronze', 'Silver', 'Gold'], 'Loyalty Tier', 'Loyalty programme tier'),
        Lifetime_Value__c: formula('number', 'Lifetime Value', 'Sum of paid orders'),
      },
    },
  });
  cleanup.push(() => sf.stop());
  const dir = specDir({
    'connections/crm.yaml': connectionYaml(
      'crm',
      'salesforce',
      sf.url,
      `auth: { type: oauth2_client_credentials, token_url: /services/oauth2/token, client_id: "\${env:SF_ID}", client_secret: "\${env:SF_SECRET}" }\n`,
    ),
    'accounts.yaml': accounts(),
    'accounts.test.yaml': ACCOUNTS_TEST,
  });
  Object.assign(process.env, {
    SF_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    SF_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
  });
  cleanup.push(() => void (delete process.env.SF_ID, delete process.env.SF_SECRET));
  const port = new URL(sf.url).port;

  // Before the pull, the connector's built-in Account has no such field.
  const before = await junction('validate', dir);
  expect(before.code).toBe(1);
  const at = positionOf(join(dir, 'accounts.yaml'), '"Loyalty_Tier__c"');
  expect(at).toBe('7:200');
  expect(before.stdout).toBe(
    `${shown(dir)}/accounts.yaml:${at}  error  unknown-target-field  \`Loyalty_Tier__c\` is not a field of Account (salesforce sobjects.upsert input)\n`,
  );

  const pulled = await junction(
    'schema',
    'pull',
    'crm',
    dir,
    '--entity',
    'Account',
    '--allow-private-host',
    `127.0.0.1:${port}`,
    ...ALLOWED_SECRETS,
  );
  expect(pulled.stderr).toContain('pulled from sObject describe');
  expect(pulled.code).toBe(0);
  expect(pulled.stdout).toMatch(/^✓ {2}Account: \d+ fields -> .*schemas\/overlays\/crm\/Account\.json\n$/);
  const overlay = JSON.parse(readFileSync(join(dir, 'schemas/overlays/crm/Account.json'), 'utf8'));
  expect(overlay).toMatchObject({
    connection: 'crm',
    connector: 'salesforce',
    entity: 'Account',
    pulled_from: ['GET /services/data/v60.0/sobjects/Account/describe'],
    required: ['Name'],
  });
  expect(overlay.fields.Loyalty_Tier__c).toEqual({
    type: 'string',
    title: 'Loyalty Tier',
    description: 'Loyalty Tier (picklist)',
    maxLength: 255,
    enum: ['Bronze', 'Silver', 'Gold'],
  });
  expect(overlay.fields.Lifetime_Value__c).toMatchObject({ type: 'number', readOnly: true, 'x-calculated': true });
  expect(overlay.fields.Magento_Customer_Id__c).toMatchObject({ 'x-external-id': true });
  expect(overlay.fields.Id).toMatchObject({ 'x-id-lookup': true, 'x-updateable': false });

  expect(await junction('validate', dir)).toMatchObject({ code: 0, stderr: `✓ ${dir}: no problems\n` });
  const tested = await junction('test', dir);
  expect(tested.code).toBe(0);

  // The same pull again changes nothing: the file is stable.
  const again = await junction(
    'schema',
    'pull',
    'crm',
    dir,
    '--entity',
    'Account',
    '--allow-private-host',
    `127.0.0.1:${port}`,
    ...ALLOWED_SECRETS,
  );
  expect(again.stdout).toContain('(unchanged)');

  writeFileSync(join(dir, 'accounts.yaml'), accounts(ACCOUNT_BODY.replace('Loyalty_Tier__c', 'Loyalty_Teir__c')));
  const typo = await junction('validate', dir);
  expect(typo.code).toBe(1);
  expect(typo.stdout).toBe(
    `${shown(dir)}/accounts.yaml:${at}  error  unknown-target-field  \`Loyalty_Teir__c\` is not a field of Account (salesforce sobjects.upsert input); did you mean \`Loyalty_Tier__c\`?\n`,
  );

  writeFileSync(
    join(dir, 'accounts.yaml'),
    accounts(ACCOUNT_BODY.replace('tier }', '"Platinum", "Lifetime_Value__c": 1 }')),
  );
  const metadata = await junction('validate', dir);
  expect(metadata.stdout).toContain(
    'error  invalid-value  "Platinum" is not a value of `Loyalty_Tier__c`, a restricted picklist: "Bronze", "Silver", "Gold"',
  );
  expect(metadata.stdout).toContain(
    'error  read-only-field  `Lifetime_Value__c` is computed by the vendor (a formula or roll-up) and cannot be written',
  );
});

it('pulls Magento attributes: a custom attribute code validates, a misspelled one is an unknown field', async () => {
  const shop = await startMagentoEmulator({
    attributes: [
      { entity_type: 'customer', attribute_code: 'loyalty_tier', label: 'Loyalty Tier' },
      { entity_type: 'catalog_product', attribute_code: 'care_instructions', label: 'Care Instructions' },
    ],
  });
  cleanup.push(() => shop.stop());
  const customers = (code: string) =>
    integration(
      'customers',
      `{ id: customer, connection: shop, operation: customers.update, body: '{ "id": id, "custom_attributes": [{ "attribute_code": "${code}", "value": tier }] }' }`,
      '{ connection: shop, object: customer, fields: [custom_attributes] }',
    );
  const dir = specDir({
    'connections/shop.yaml': connectionYaml(
      'shop',
      'magento',
      shop.url,
      `auth: { type: magento_token, token: "\${env:SHOP_TOKEN}" }\n`,
    ),
    'customers.yaml': customers('loyalty_tier'),
  });
  process.env.SHOP_TOKEN = MAGENTO_EMULATOR_TOKEN;
  cleanup.push(() => void delete process.env.SHOP_TOKEN);

  const pulled = await junction(
    'schema',
    'pull',
    'shop',
    dir,
    '--allow-private-host',
    `127.0.0.1:${new URL(shop.url).port}`,
    ...ALLOWED_SECRETS,
  );
  expect(pulled.code).toBe(0);
  expect(pulled.stdout).toMatch(/✓ {2}product: \d+ fields -> .*schemas\/overlays\/shop\/product\.json\n/);
  expect(pulled.stdout).toMatch(/✓ {2}customer: \d+ fields -> .*schemas\/overlays\/shop\/customer\.json\n/);
  const product = JSON.parse(readFileSync(join(dir, 'schemas/overlays/shop/product.json'), 'utf8'));
  expect(product.pulled_from).toEqual(['GET /rest/default/V1/products/attributes?searchCriteria']);
  // Top-level product fields (name, price, sku...) are not custom attributes; EAV ones are.
  expect(Object.keys(product.attributes.codes)).toEqual([
    'care_instructions',
    'description',
    'meta_description',
    'meta_keyword',
    'meta_title',
    'short_description',
    'size',
    'url_key',
  ]);
  const customer = JSON.parse(readFileSync(join(dir, 'schemas/overlays/shop/customer.json'), 'utf8'));
  expect(customer.attributes).toEqual({
    field: 'custom_attributes',
    key: 'attribute_code',
    value: 'value',
    codes: { loyalty_tier: { title: 'Loyalty Tier', description: 'Loyalty Tier (text)', 'x-frontend-input': 'text' } },
  });

  expect(await junction('validate', dir)).toMatchObject({ code: 0 });
  writeFileSync(join(dir, 'customers.yaml'), customers('loyalty_teir'));
  const typo = await junction('validate', dir);
  expect(typo.code).toBe(1);
  const at = positionOf(join(dir, 'customers.yaml'), '"loyalty_teir"');
  expect(at).toBe('7:129');
  expect(typo.stdout).toBe(
    `${shown(dir)}/customers.yaml:${at}  error  unknown-target-field  "loyalty_teir" is not an attribute of customer (magento customers.update, pulled from the system); did you mean \`loyalty_tier\`?\n`,
  );
});

it('refuses a malformed overlay with where and how to fix it', async () => {
  const dir = specDir({
    'connections/crm.yaml': connectionYaml('crm', 'salesforce', 'https://example.my.salesforce.com'),
    'schemas/overlays/crm/Account.json': '{ "connection": "crm", "entity": "Account", "connector": "magento" }\n',
    'schemas/overlays/crm/Contact.json': '{ "connection": "crm",\n  "entity": }\n',
    'schemas/overlays/erp/Account.json': '{}\n',
  });
  const result = await junction('validate', dir);
  expect(result.code).toBe(1);
  expect(result.stdout.split('\n').filter((l) => l.includes('invalid-schema-overlay'))).toEqual([
    `${shown(dir)}/schemas/overlays/crm/Account.json:1:1  error  invalid-schema-overlay  "connector" is "magento" but connection crm is salesforce; pull it again with \`junction schema pull crm\``,
    expect.stringMatching(
      new RegExp(
        `^${shown(dir)}/schemas/overlays/crm/Contact.json:2:13  error  invalid-schema-overlay  not valid JSON`,
      ),
    ),
    `${shown(dir)}/schemas/overlays/erp/Account.json:1:1  error  invalid-schema-overlay  no connection named "erp" (the folder names the connection); pull it again with \`junction schema pull erp\``,
  ]);
});

it('a full pull of the seed connections changes no verdict: the seed specs validate and their tests pass over it', async () => {
  // An org with country picklists: the seed specs' tests include one that writes the …CountryCode fields it adds.
  const [sf, shop] = await Promise.all([startSalesforceEmulator({ countryPicklists: true }), startMagentoEmulator()]);
  cleanup.push(
    () => sf.stop(),
    () => shop.stop(),
  );
  const dir = specDir({});
  cpSync('specs/magento-ff', dir, { recursive: true });
  const i = MAGENTO_EMULATOR_INTEGRATION;
  const env = {
    ...{ FF_URL: sf.url, FF_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId },
    ...{ FF_CLIENT_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret, MAGENTO_URL: shop.url },
    ...{ MAGENTO_CONSUMER_KEY: i.consumerKey, MAGENTO_CONSUMER_SECRET: i.consumerSecret },
    ...{ MAGENTO_ACCESS_TOKEN: i.accessToken, MAGENTO_ACCESS_TOKEN_SECRET: i.accessTokenSecret },
  };
  Object.assign(process.env, env);
  cleanup.push(() => Object.keys(env).forEach((k) => delete process.env[k]));
  const allow = ['--allow-private-host', `127.0.0.1:${new URL(sf.url).port}`, '--allow-secret', 'FF_*,MAGENTO_*'];
  const ff = await junction('schema', 'pull', 'ff', dir, ...allow);
  expect(ff.code).toBe(0);
  expect(ff.stdout.split('\n').filter(Boolean)).toHaveLength(24);
  expect(ff.stdout).toContain('c2g__codaInvoice__c: 42 fields');
  expect(ff.stdout).toContain('c2g__codaCreditNote__c: 17 fields');
  const magento = await junction(
    'schema',
    'pull',
    'magento',
    dir,
    '--allow-private-host',
    `127.0.0.1:${new URL(shop.url).port}`,
    ...['--allow-secret', 'FF_*,MAGENTO_*'],
  );
  expect(magento.code).toBe(0);
  expect(await junction('validate', dir)).toMatchObject({ code: 0 });
  const tested = await junction('test', dir);
  expect(tested.stdout).toMatch(/\n\d+ passed, 0 failed\n$/);
  expect(tested.code).toBe(0);
});
