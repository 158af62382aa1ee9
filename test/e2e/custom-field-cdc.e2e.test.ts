/**
 * A custom field end to end, on the source Salesforce really offers: the org's admin adds `Loyalty_Tier__c` to
 * Account and the store has a `loyalty_tier` customer attribute. `junction schema pull` reads both into overlays,
 * `validate` and `test` accept the spec that carries the tier from the Account's Change Data Capture events to the
 * Magento customer (and still refuse a typo), and the engine delivers it: a REST update of the tier becomes a change
 * event whose changed fields name the custom field and carry its value (enrichment reads only the customer id).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MAGENTO_EMULATOR_TOKEN, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { picklist } from '../../connectors/salesforce/schemas/sobject-schema.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { patchSalesforceRecord, startVendorEngine } from '../runtime/helpers/vendor-engine.js';
import type { VendorEngine } from '../runtime/helpers/vendor-engine.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

const CONNECTIONS = {
  'connections/crm.yaml': `apiVersion: junction/v1
kind: Connection
name: crm
type: salesforce
base_url: \${env:SF_URL}
auth: { type: oauth2_client_credentials, token_url: /services/oauth2/token, client_id: "\${env:SF_ID}", client_secret: "\${env:SF_SECRET}" }
options: { pubsub_url: "\${env:SF_PUBSUB_URL}" }
`,
  'connections/shop.yaml': `apiVersion: junction/v1
kind: Connection
name: shop
type: magento
base_url: \${env:SHOP_URL}
auth: { type: magento_token, token: "\${env:SHOP_TOKEN}" }
`,
};

const spec = (attribute = 'loyalty_tier') => `apiVersion: junction/v1
kind: Integration
name: loyalty-to-magento
source:
  stream:
    connection: crm
    stream: change_events
    params: { topic: /data/AccountChangeEvent, enrich_fields: [Magento_Customer_Id__c] }
    start: earliest
key: Id
when: ChangeEventHeader.changeType = "UPDATE" and "Loyalty_Tier__c" in ChangeEventHeader.changedFields and $exists(Magento_Customer_Id__c)
steps:
  - id: customer
    connection: shop
    operation: customers.update
    body: '{ "id": $number(Magento_Customer_Id__c), "custom_attributes": [{ "attribute_code": "${attribute}", "value": Loyalty_Tier__c }] }'
owns: [{ connection: shop, object: customer, fields: [custom_attributes] }]
`;

/** The change events as the engine stores them: the record id, what changed, and the decoded header. */
const TEST = `apiVersion: junction/v1
kind: Test
integration: loyalty-to-magento
cases:
  - name: a new tier reaches the Magento customer's attribute
    event:
      Id: 001000000000042AAA
      Loyalty_Tier__c: Gold
      LastModifiedDate: "2026-12-01T10:00:00.000+0000"
      Magento_Customer_Id__c: "42"
      ChangeEventHeader: { entityName: Account, recordIds: [001000000000042AAA], changeType: UPDATE, changedFields: [Loyalty_Tier__c, LastModifiedDate], nulledFields: [], diffFields: [] }
    responses:
      customer: { status: 200, body: { id: 42 } }
    expect:
      outcome: delivered
      requests:
        - step: customer
          method: PUT
          path: /rest/default/V1/customers/42
          body: { customer: { id: 42, custom_attributes: [{ attribute_code: loyalty_tier, value: Gold }] } }
  - name: other changes to the account are not the tier's
    event:
      Id: 001000000000042AAA
      BillingCity: Leeds
      Magento_Customer_Id__c: "42"
      ChangeEventHeader: { entityName: Account, recordIds: [001000000000042AAA], changeType: UPDATE, changedFields: [BillingCity], nulledFields: [], diffFields: [] }
    expect: { outcome: skipped, requests: [] }
`;

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

it('Loyalty_Tier__c: pulled, validated, tested, and carried by the change events into Magento', async () => {
  const sf = await startSalesforceEmulator({
    pubsub: true,
    customFields: {
      Account: { Loyalty_Tier__c: picklist(['Bronze', 'Silver', 'Gold'], 'Loyalty Tier', 'Loyalty programme tier') },
    },
  });
  const shop = await startMagentoEmulator({
    attributes: [{ entity_type: 'customer', attribute_code: 'loyalty_tier', label: 'Loyalty Tier' }],
  });
  cleanup.push(
    () => sf.stop(),
    () => shop.stop(),
  );
  const env = {
    SF_URL: sf.url,
    SF_PUBSUB_URL: sf.pubsubUrl!,
    SF_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    SF_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    SHOP_URL: shop.url,
    SHOP_TOKEN: MAGENTO_EMULATOR_TOKEN,
  };
  Object.assign(process.env, env);
  cleanup.push(() => {
    for (const name of Object.keys(env)) delete process.env[name];
  });
  const dir = mkdtempSync(join(tmpdir(), 'junction-custom-field-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  write(dir, { ...CONNECTIONS, 'loyalty.yaml': spec(), 'loyalty.test.yaml': TEST });
  // The secrets and the loopback emulators the engine allows: the pull takes the engine's allowlist.
  const hosts = [
    ...[sf.url, shop.url].flatMap((u) => ['--allow-private-host', new URL(u).host]),
    ...['--allow-secret', 'SF_*,SHOP_*'],
  ];

  // Pull: the org's describe and the store's customer attributes, into the spec repository.
  expect(await junction('schema', 'pull', 'crm', dir, '--entity', 'Account', ...hosts)).toMatchObject({ code: 0 });
  expect(await junction('schema', 'pull', 'shop', dir, '--entity', 'customer', ...hosts)).toMatchObject({ code: 0 });
  const overlays = join(dir, 'schemas/overlays');
  const account = JSON.parse(readFileSync(join(overlays, 'crm/Account.json'), 'utf8'));
  expect(account.fields.Loyalty_Tier__c).toMatchObject({ type: 'string', enum: ['Bronze', 'Silver', 'Gold'] });

  // Validate and test: green; a misspelled attribute is still refused where it is written.
  expect(await junction('validate', dir)).toMatchObject({ code: 0 });
  const tested = await junction('test', dir);
  expect(tested.stdout + tested.stderr).toContain('2 passed');
  expect(tested.code).toBe(0);
  write(dir, { 'loyalty.yaml': spec('loyalty_teir') });
  const typo = await junction('validate', dir);
  expect(typo.code).toBe(1);
  expect(typo.stdout).toContain(
    `${relative(process.cwd(), dir)}/loyalty.yaml:16:95  error  unknown-target-field  "loyalty_teir" is not an ` +
      'attribute of customer (magento customers.update, pulled from the system); did you mean `loyalty_tier`?',
  );

  // The engine on the same tree (spec, connections, pulled overlays).
  const files: Record<string, string> = { ...CONNECTIONS, 'loyalty.yaml': spec() };
  for (const connection of readdirSync(overlays))
    for (const file of readdirSync(join(overlays, connection)))
      files[`schemas/overlays/${connection}/${file}`] = readFileSync(join(overlays, connection, file), 'utf8');
  const h: VendorEngine = await startVendorEngine(files, { ...env, SHOP_URL: shop.url });
  cleanup.push(() => h.dispose());
  const changes: { type: string; changed: string[]; tier: unknown }[] = [];
  sf.onChange((c) => changes.push({ type: c.type, changed: c.changed, tier: c.record.Loyalty_Tier__c }));

  sf.store.insert('Account', { Id: '001000000000042AAA', Name: 'Ada Lovelace Ltd', Magento_Customer_Id__c: '42' });
  await patchSalesforceRecord(sf.url, 'Account', '001000000000042AAA', { Loyalty_Tier__c: 'Gold' });
  await waitFor(
    () => (shop.state.customers.get(42)?.custom_attributes as unknown[] | undefined)?.length === 1,
    'the tier reached Magento',
  );
  await expectDrained(h.nats.url);
  expect(shop.state.customers.get(42)).toMatchObject({
    custom_attributes: [{ attribute_code: 'loyalty_tier', value: 'Gold' }],
    email: 'ada@example.com',
  });
  expect(changes.map((c) => c.type)).toEqual(['CREATE', 'UPDATE']);
  expect(changes[1]).toEqual({ type: 'UPDATE', changed: ['Loyalty_Tier__c', 'LastModifiedDate'], tier: 'Gold' });
  // The enrichment read asked only for the customer id: the tier came in the change event itself.
  const reads = sf.requests.filter((r) => r.path.endsWith('/query')).map((r) => r.query.q);
  // (One read per batch: the create and the update may come in one batch or two.)
  expect(reads.length).toBeGreaterThan(0);
  expect(new Set(reads)).toEqual(
    new Set(["SELECT Id, Magento_Customer_Id__c FROM Account WHERE Id IN ('001000000000042AAA')"]),
  );
  expect(await h.engine.deadLetters.list({})).toEqual([]);
}, 120_000);
