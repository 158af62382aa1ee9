/**
 * State and Country/Territory Picklists in the Salesforce emulator, as Salesforce Help and the API guide describe
 * them: without them an address's Country is free text and no `…CountryCode` field exists; with them Country takes
 * only an integration value (the standard name unless the admin changed it), the code field takes an available ISO
 * code, and each write keeps the two in step. Then the seed flow `magento-customers-to-ff-accounts`: the bodies its
 * account and address steps build, sent through the real client, are saved by both kinds of org (names by default,
 * codes where ff-org-features says so), where the ISO code it sent before is refused by an org with the picklists.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { connectionTo, emulatorSecurity, registry, rejection } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

let sf: SalesforceEmulator;
let client: ConnectionClient;
const start = async (options: Parameters<typeof startSalesforceEmulator>[0] = {}) => {
  sf = await startSalesforceEmulator(options);
  client = createConnectionClient({
    connection: connectionTo(salesforce, sf.url),
    connector: registry.get('salesforce')!,
    env: salesforce.env,
    security: emulatorSecurity(sf.url),
  });
};
afterEach(async () => {
  await client?.close();
  await sf?.stop();
});

const create = async (sobject: string, body: Record<string, unknown>) =>
  ((await client.call('sobjects.create', { params: { sobject }, body })) as unknown as { result: { id: string } })
    .result.id;
const update = (sobject: string, body: Record<string, unknown>) =>
  client.call('sobjects.update', { params: { sobject }, body });
const invalid = (vendorCode: string, message: string, field: string) => ({
  code: 'validation',
  disposition: 'permanent',
  status: 400,
  vendorCode,
  field,
  message,
});
const badCountry = (label: string, field: string) =>
  invalid(
    'FIELD_INTEGRITY_EXCEPTION',
    "There's a problem with this country, even though it may appear correct. Please select a country/territory from the list of valid countries.: " +
      label,
    field,
  );
const countries = (id: string) => {
  const { BillingCountry, BillingCountryCode, ShippingCountry, ShippingCountryCode } = sf.store.get('Account', id)!;
  return { BillingCountry, BillingCountryCode, ShippingCountry, ShippingCountryCode };
};

describe('an org without state and country/territory picklists', () => {
  it('keeps Country as the text sent and has no code fields: a write with one is INVALID_FIELD', async () => {
    await start();
    const id = await create('Account', { Name: 'Grace', BillingCountry: 'US', ShippingCountry: 'Atlantis' });
    expect(countries(id)).toEqual({
      BillingCountry: 'US',
      BillingCountryCode: undefined,
      ShippingCountry: 'Atlantis',
      ShippingCountryCode: undefined,
    });
    expect(await rejection(create('Account', { Name: 'Ada', BillingCountryCode: 'US' }))).toEqual(
      invalid('INVALID_FIELD', "No such column 'BillingCountryCode' on sobject of type Account", 'BillingCountryCode'),
    );
    const address = { ParentId: id, Name: 'HQ', CountryCode: 'US' };
    expect(await rejection(create('ContactPointAddress', address))).toEqual(
      invalid('INVALID_FIELD', "No such column 'CountryCode' on sobject of type ContactPointAddress", 'CountryCode'),
    );
    const described = (await client.call('sobjects.describe', { params: { sobject: 'Account' }, body: undefined }))
      .result as { fields: { name: string }[] };
    expect(described.fields.map((f) => f.name).filter((n) => n.includes('Country'))).toEqual([
      'BillingCountry',
      'ShippingCountry',
    ]);
  });
});

describe('an org with state and country/territory picklists', () => {
  it('takes an integration value (the standard name) or a code, fills in the other, and refuses anything else', async () => {
    await start({ countryPicklists: true });
    const id = await create('Account', { Name: 'Grace', BillingCountry: 'United States', ShippingCountryCode: 'AT' });
    expect(countries(id)).toEqual({
      BillingCountry: 'United States',
      BillingCountryCode: 'US',
      ShippingCountry: 'Austria',
      ShippingCountryCode: 'AT',
    });
    // An ISO code in the text field is no integration value; nothing is saved.
    expect(await rejection(update('Account', { Id: id, BillingCountry: 'DE' }))).toEqual(
      badCountry('Billing Country', 'BillingCountry'),
    );
    expect(await rejection(update('Account', { Id: id, ShippingCountryCode: 'XX' }))).toEqual(
      invalid(
        'FIELD_INTEGRITY_EXCEPTION',
        "The ShippingCountryCode field contains XX, which isn't an available country/territory. Your administrator can add it for you.",
        'ShippingCountryCode',
      ),
    );
    // An update whose code and text disagree saves nothing; a create takes the code's integration value.
    expect(await rejection(update('Account', { Id: id, BillingCountryCode: 'DE', BillingCountry: 'France' }))).toEqual(
      badCountry('Billing Country', 'BillingCountry'),
    );
    expect(countries(id)).toMatchObject({ BillingCountry: 'United States', ShippingCountryCode: 'AT' });
    const other = await create('Account', { Name: 'Ada', BillingCountryCode: 'DE', BillingCountry: 'France' });
    expect(countries(other)).toMatchObject({ BillingCountry: 'Germany', BillingCountryCode: 'DE' });
    // Removing the code removes the integration value.
    await update('Account', { Id: id, ShippingCountryCode: null });
    expect(countries(id)).toMatchObject({ ShippingCountry: null, ShippingCountryCode: null });
  });

  it("takes the admin's own integration values instead of the standard names; the code still works", async () => {
    await start({ countryPicklists: { integrationValues: { US: 'USA' } } });
    expect(await rejection(create('Account', { Name: 'Grace', BillingCountry: 'United States' }))).toEqual(
      badCountry('Billing Country', 'BillingCountry'),
    );
    const id = await create('Account', { Name: 'Grace', BillingCountryCode: 'US', ShippingCountry: 'USA' });
    expect(countries(id)).toEqual({
      BillingCountry: 'USA',
      BillingCountryCode: 'US',
      ShippingCountry: 'USA',
      ShippingCountryCode: 'US',
    });
    const parent = String(sf.records('Account')[0].Id);
    const address = await create('ContactPointAddress', { ParentId: parent, Name: 'HQ', CountryCode: 'GB' });
    expect(sf.store.get('ContactPointAddress', address)).toMatchObject({
      Country: 'United Kingdom',
      CountryCode: 'GB',
    });
  });
});

describe('magento-customers-to-ff-accounts against both kinds of org', () => {
  const SPECS = fileURLToPath(new URL('../../specs/magento-ff', import.meta.url));
  const customer = {
    id: 77,
    email: 'grace@example.com',
    firstname: 'Grace',
    lastname: 'Hopper',
    updated_at: '2026-11-21 10:00:00',
    addresses: [
      { id: 501, firstname: 'Grace', lastname: 'Hopper', street: ['1 Navy Way'], city: 'Arlington', postcode: '22202' },
      { id: 502, firstname: 'Grace', lastname: 'Hopper', street: ['Ring 1'], city: 'Wien', postcode: '1010' },
    ].map((a, i) => ({ ...a, country_id: i === 0 ? 'US' : 'AT', default_billing: i === 0, default_shipping: i === 1 })),
  };
  /** The bodies the flow's account step and first address step build, with ff-org-features as given. */
  const bodies = async (features: Record<string, unknown>) => {
    const specSet = await compiledSpecSet(createWiring({ env: {} }), SPECS);
    const plan = await dryRun(specSet, registry, {
      integration: 'magento-customers-to-ff-accounts',
      event: customer,
      lookups: { 'ff-org-features': features },
      responses: {
        account: { status: 201, body: { id: '001000000000077AAA', success: true, errors: [], created: true } },
        'contact.find': { status: 200, body: { totalSize: 0, done: true, records: [] } },
        contact: { status: 201, body: { id: '003000000000077AAA', success: true, errors: [] } },
        'address.find': { status: 200, body: { totalSize: 0, done: true, records: [] } },
      },
    });
    const sent = (step: string) => plan.bodies.find((b) => b.step === step)!.body as Record<string, unknown>;
    return { account: sent('account'), address: sent('address') };
  };
  const save = async ({ account, address }: { account: Record<string, unknown>; address: Record<string, unknown> }) => {
    const id = await create('Account', { ...account, Magento_Customer_Id__c: '77' });
    await create('ContactPointAddress', { ...address, ParentId: id });
    return id;
  };

  it('sends names by default: an org with the picklists and one without both save them', async () => {
    const sent = await bodies({ b2b_commerce_address_names: true, country_picklist_codes: false });
    expect(sent.account).toMatchObject({ BillingCountry: 'United States', ShippingCountry: 'Austria' });
    expect(sent.address).toMatchObject({ Country: 'United States' });
    await start({ countryPicklists: true });
    const id = await save(sent);
    expect(countries(id)).toEqual({
      BillingCountry: 'United States',
      BillingCountryCode: 'US',
      ShippingCountry: 'Austria',
      ShippingCountryCode: 'AT',
    });
    expect(sf.records('ContactPointAddress').map((a) => [a.Country, a.CountryCode])).toEqual([['United States', 'US']]);
    await client.close();
    await sf.stop();
    await start();
    const plain = await save(sent);
    expect(countries(plain)).toMatchObject({ BillingCountry: 'United States', ShippingCountry: 'Austria' });
    // What the flow sent before (Magento's code in the name field) an org with the picklists refuses.
    await client.close();
    await sf.stop();
    await start({ countryPicklists: true });
    expect(await rejection(create('Account', { Name: 'Grace Hopper', BillingCountry: 'US' }))).toEqual(
      badCountry('Billing Country', 'BillingCountry'),
    );
  });

  it('sends codes to the code fields where ff-org-features says so: an org with its own integration values saves them', async () => {
    const sent = await bodies({ b2b_commerce_address_names: true, country_picklist_codes: true });
    expect(sent.account).toMatchObject({ BillingCountryCode: 'US', ShippingCountryCode: 'AT' });
    expect(sent.account).not.toHaveProperty('BillingCountry');
    expect(sent.address).toMatchObject({ CountryCode: 'US' });
    expect(sent.address).not.toHaveProperty('Country');
    await start({ countryPicklists: { integrationValues: { US: 'USA' } } });
    const id = await save(sent);
    expect(countries(id)).toEqual({
      BillingCountry: 'USA',
      BillingCountryCode: 'US',
      ShippingCountry: 'Austria',
      ShippingCountryCode: 'AT',
    });
  });
});
