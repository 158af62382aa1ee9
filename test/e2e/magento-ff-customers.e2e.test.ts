/**
 * FinancialForce accounts becoming Magento customers, end to end through a real nats-server, the engine and the
 * vendor emulators, on the source FinancialForce really offers: the FF org's Account Change Data Capture events over
 * the Pub/Sub API, enriched with the account's fields and contacts. A sales user creates the account (no contact
 * yet: nothing to send), adds its contact, and finance sets the credit terms: that update creates the Magento
 * customer (contact name and e-mail, both addresses, group from credit terms, VAT number) and writes the new id
 * back. The customer poll then finds that customer and updates the same account (no second one), its change event is
 * Magento's rename and is not sent back, and a later VAT number change in FF reaches the customer. An account created
 * with its contact in one transaction (a converted lead) becomes a customer from its CREATE event alone.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import {
  changeEventEnriched,
  createSalesforceRecord,
  patchSalesforceRecord,
  salesforceTransaction,
} from '../runtime/helpers/vendor-engine.js';
import { expectFaultsUsed } from './helpers/faults.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('an FF account appears as a Magento customer from its change events, linked both ways, and settles', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  const account = () => ff.records('Account').find((a) => a.Id === Id)!;
  const customerWrites = () =>
    magento.requests
      .filter((r) => r.method !== 'GET' && r.path.includes('/V1/customers'))
      .map((r) => `${r.method} ${r.path}`);

  // A sales user creates the account: its CREATE event has no contact with an e-mail, so nothing goes to Magento.
  const Id = await createSalesforceRecord(ff.url, 'Account', {
    Name: 'Hopper Analytics Inc.',
    Phone: '+1 555 0199',
    BillingStreet: '1 Navy Way\nSuite 5',
    BillingCity: 'Arlington',
    BillingState: 'VA',
    BillingPostalCode: '22202',
    BillingCountry: 'US',
    c2g__CODAAccountTradingCurrency__c: 'USD',
  });
  // The event is enriched (the account read with its contacts) before it is stored: only then is the contact added.
  await changeEventEnriched(ff, Id);
  await createSalesforceRecord(ff.url, 'Contact', {
    AccountId: Id,
    FirstName: 'Grace',
    LastName: 'Hopper',
    Email: 'grace@hopper.example',
  });
  await expectDrained(h.nats.url);
  expect(customerWrites()).toEqual([]);

  // Finance sets the credit terms and VAT number: the update carries only those; enrichment reads the rest.
  await patchSalesforceRecord(ff.url, 'Account', Id, {
    c2g__CODADaysOffset1__c: 30,
    c2g__CODAVATRegistrationNumber__c: 'US-88',
  });
  await waitFor(() => account().Magento_Customer_Id__c !== undefined, 'the account linked to its new customer');
  const customers = () => [...magento.state.customers.values()].filter((c) => c.email === 'grace@hopper.example');
  const [created] = customers();
  // The exact create Magento received: the state FF holds as a code went as the region of the store's directory,
  // read once (GET /V1/directory/countries/US), its id Virginia's in a fresh store.
  const sent = magento.requests.filter((r) => r.path.includes('/V1/directory/') || r.method === 'POST');
  expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
    'GET /rest/default/V1/directory/countries/US',
    'POST /rest/default/V1/customers',
  ]);
  expect(sent[1].body).toEqual({
    customer: {
      email: 'grace@hopper.example',
      firstname: 'Grace',
      lastname: 'Hopper',
      website_id: 1,
      group_id: 4,
      taxvat: 'US-88',
      addresses: [
        {
          firstname: 'Grace',
          lastname: 'Hopper',
          company: 'Hopper Analytics Inc.',
          street: ['1 Navy Way', 'Suite 5'],
          city: 'Arlington',
          region: { region_id: 61, region_code: 'VA', region: 'Virginia' },
          postcode: '22202',
          country_id: 'US',
          telephone: '+1 555 0199',
          default_billing: true,
          default_shipping: true,
        },
      ],
    },
  });
  expect(created).toMatchObject({
    email: 'grace@hopper.example',
    firstname: 'Grace',
    lastname: 'Hopper',
    group_id: 4,
    taxvat: 'US-88',
    addresses: [
      {
        company: 'Hopper Analytics Inc.',
        street: ['1 Navy Way', 'Suite 5'],
        city: 'Arlington',
        region: { region: 'Virginia', region_code: 'VA', region_id: 61 },
        postcode: '22202',
        country_id: 'US',
        telephone: '+1 555 0199',
        default_billing: true,
        default_shipping: true,
      },
    ],
  });
  expect(account().Magento_Customer_Id__c).toBe(String(created.id));

  // The customer poll finds the new customer: the same account is updated, and that change is Magento's, not sent
  // back.
  await waitFor(() => account().Email__c === 'grace@hopper.example', 'the account updated from Magento');
  await expectDrained(h.nats.url);
  // A new VAT number in FF reaches the customer.
  await patchSalesforceRecord(ff.url, 'Account', Id, { c2g__CODAVATRegistrationNumber__c: 'US-89' });
  await waitFor(() => customers()[0]?.taxvat === 'US-89', 'the new VAT number in Magento');
  await expectDrained(h.nats.url);

  const accounts = ff.records('Account').filter((a) => a.Magento_Customer_Id__c === String(created.id));
  expect(accounts).toHaveLength(1);
  expect(accounts[0]).toMatchObject({ Id, Name: 'Hopper Analytics Inc.', Email__c: 'grace@hopper.example' });
  expect(customers()).toHaveLength(1);
  expect(customers()[0]).toMatchObject({ group_id: 4, taxvat: 'US-89', firstname: 'Grace' });
  expect(customerWrites()).toEqual([
    'POST /rest/default/V1/customers',
    `PUT /rest/default/V1/customers/${String(created.id)}`,
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

it("a state that is none of the country's regions is a dead letter naming it; the corrected account is sent", async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  const Id = '001000000000091AAA';
  ff.store.transaction(
    () => {
      ff.store.insert('Account', {
        Id,
        Name: 'Noether Algebra LLC',
        Phone: '+1 555 0191',
        BillingStreet: '7 Ring Rd',
        BillingCity: 'Bryn Mawr',
        BillingState: 'Pensylvania',
        BillingPostalCode: '19010',
        BillingCountry: 'United States',
        c2g__CODAAccountTradingCurrency__c: 'USD',
        c2g__CODADaysOffset1__c: 30,
      });
      ff.store.insert('Contact', {
        Id: '003000000000091AAA',
        AccountId: Id,
        FirstName: 'Emmy',
        LastName: 'Noether',
        Email: 'emmy@noether.example',
      });
    },
    () => true,
  );
  let deadLetters: Awaited<ReturnType<typeof h.engine.deadLetters.list>> = [];
  await waitFor(async () => (deadLetters = await h!.engine.deadLetters.list()).length === 1, 'the dead letter');
  expect(deadLetters).toEqual([
    expect.objectContaining({
      integration: 'ff-accounts-to-magento-customers',
      key: Id,
      step: 'create',
      reason: 'permanent',
      attempts: 1,
      error: {
        code: 'transform-error',
        message:
          `JSONata D3137: Account ${Id}: BillingState "Pensylvania" is not one of the regions of US in the Magento ` +
          'store (GET /V1/directory/countries/US), and the store requires a state for US: set BillingState to a ' +
          "region's name or code (or map the value in state-codes), then replay",
      },
    }),
  ]);
  // Nothing was written: Magento was only asked for its directory, and the account stays unlinked.
  expect(magento.requests.filter((r) => r.path.includes('/V1/customers') && r.method !== 'GET')).toEqual([]);
  expect(ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c).toBeUndefined();

  // Finance corrects the state: that change creates the customer, the state as Pennsylvania's region (51).
  await patchSalesforceRecord(ff.url, 'Account', Id, { BillingState: 'PA' });
  await waitFor(
    () => ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c !== undefined,
    'the account linked to its new customer',
  );
  await expectDrained(h.nats.url);
  const posts = magento.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/V1/customers'));
  expect(posts.map((r) => (r.body as { customer: { addresses: unknown[] } }).customer.addresses)).toEqual([
    [
      expect.objectContaining({
        city: 'Bryn Mawr',
        region: { region_id: 51, region_code: 'PA', region: 'Pennsylvania' },
        country_id: 'US',
      }),
    ],
  ]);
});

it('an account created with its contact in one transaction (a converted lead) becomes a customer at once', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  const sobjects = '/services/data/v60.0/sobjects';
  const [account, contact] = await salesforceTransaction(ff.url, [
    {
      method: 'POST',
      url: `${sobjects}/Account`,
      referenceId: 'account',
      body: {
        Name: 'Lamarr Patents',
        BillingCity: 'Vienna',
        BillingCountry: 'AT',
        c2g__CODAAccountTradingCurrency__c: 'USD',
        c2g__CODADaysOffset1__c: 60,
      },
    },
    {
      method: 'POST',
      url: `${sobjects}/Contact`,
      referenceId: 'contact',
      body: { AccountId: '@{account.id}', FirstName: 'Hedy', LastName: 'Lamarr', Email: 'hedy@lamarr.example' },
    },
  ]);
  expect([account.httpStatusCode, contact.httpStatusCode]).toEqual([201, 201]);
  const Id = String(account.body.id);
  // The account's CREATE event alone (the contact's is on another channel) carries the contact through enrichment.
  await waitFor(
    () => ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c !== undefined,
    'the account linked to its new customer',
  );
  await expectDrained(h.nats.url);
  const shoppers = [...magento.state.customers.values()].filter((c) => c.email === 'hedy@lamarr.example');
  expect(shoppers).toEqual([expect.objectContaining({ firstname: 'Hedy', lastname: 'Lamarr', group_id: 5 })]);
  expect(ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c).toBe(String(shoppers[0].id));
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

// Where the state is optional (Austria) and where Magento requires one (the US): the poll writes the customer's
// default shipping address (here the billing one) onto the account before the link, and the create's retry reads
// the account as the poll left it, so a state the poll did not carry would be a state-required dead letter.
it.each([
  { country: 'AT', street: '1 Ring St', city: 'Vienna', postcode: '1010', state: undefined, region: undefined },
  { country: 'US', street: '1 Harbor St', city: 'Boston', postcode: '02110', state: 'MA', region: 'Massachusetts' },
])(
  'a customer FF created is found by the customer poll while FF is down for the link: still one account ($country)',
  async ({ country, street, city, postcode, state, region }) => {
    h = await startSeedEngine(['magento-ff'], { fastPolls: true });
    const { magento, ff } = h.systems;
    const Id = '001000000000089AAA';
    const contact = { FirstName: 'Hedy', LastName: 'Lamarr', Email: 'hedy@lamarr.example' };
    // FF refuses the link (the new id written back) for a while: Magento has the customer, FF does not know it yet.
    ff.fail({ status: 503, times: 3, pathPrefix: `/services/data/v60.0/sobjects/Account/${Id}` });
    // The account is set up with its contact and terms in one transaction (a converted lead): one CREATE event.
    ff.store.transaction(
      () => {
        ff.store.insert('Account', {
          Id,
          Name: 'Lamarr Labs',
          Phone: '+43 1 4000 0100',
          BillingStreet: street,
          BillingCity: city,
          BillingState: state,
          BillingPostalCode: postcode,
          BillingCountry: country,
          c2g__CODAAccountTradingCurrency__c: 'USD',
          c2g__CODADaysOffset1__c: 30,
        });
        ff.store.insert('Contact', { Id: '003000000000089AAA', ...contact, AccountId: Id });
      },
      () => true,
    );
    await waitFor(
      () => ff.records('Account').find((a) => String(a.Id).startsWith(Id.slice(0, 15)))?.Email__c === contact.Email,
      'the account linked and updated from the polled customer',
    );
    await expectDrained(h.nats.url);
    await expectFaultsUsed(ff);
    expect(await h.engine.deadLetters.list()).toEqual([]);
    const [customer] = [...magento.state.customers.values()].filter((c) => c.email === contact.Email);
    const linked = ff.records('Account').filter((a) => a.Magento_Customer_Id__c === String(customer.id));
    // Magento owns the addresses once linked: its region's name goes back (no state where it has none)
    expect(
      linked.map((a) => ({
        Id: a.Id,
        Email__c: a.Email__c,
        BillingState: a.BillingState,
        ShippingStreet: a.ShippingStreet,
        ShippingState: a.ShippingState,
      })),
    ).toEqual([{ Id, Email__c: contact.Email, BillingState: region, ShippingStreet: street, ShippingState: region }]);
  },
);
