/**
 * A Magento customer's contact and every address reaching FinancialForce, end to end through a real nats-server, the
 * engine and the vendor emulators: the customer poll finds a customer with three addresses (default billing, default
 * shipping and a third one), and FF gets the account, one Contact (name, e-mail, the billing address's phone) and
 * three ContactPointAddress records in the account's address book. FF's answers to the contact create and the first
 * address create are lost after FF saved them: the finds look them up, so there is still one record of each. Then
 * the customer changes the name, deletes an address and adds another: the same contact is updated, the deleted
 * address leaves the address book (FF's answer to that delete lost too) and the new one joins it.
 * The other way, an address FinancialForce adds to the address book reaches the Magento customer with the account's
 * next change (its change event, enriched with the address book): Magento's own addresses stay as they were, with
 * their ids, and the customer poll links the FF record to the new Magento address instead of copying it.
 */
import { afterEach, expect, it } from 'vitest';
import { touch } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { createSalesforceRecord, patchSalesforceRecord } from '../runtime/helpers/vendor-engine.js';
import { answerLost, expectFaultsUsed } from './helpers/faults.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A stored address as Magento answers it: a default flag only where it is the customer's default (true). */
const address = (id: number, street: string[], city: string, postcode: string, extra: Row = {}): Row => ({
  id,
  firstname: 'Grace',
  lastname: 'Hopper',
  street,
  city,
  postcode,
  country_id: 'US',
  telephone: '+1 555 0100',
  ...extra,
});

it('every address and the contact of a Magento customer reach the FF account, once, and follow its changes', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  ff.fail(answerLost('/services/data/v60.0/sobjects/Contact', 'POST'));
  ff.fail(answerLost('/services/data/v60.0/sobjects/ContactPointAddress', 'POST'));
  const customer = touch({
    id: 880,
    email: 'grace@hopper.example',
    firstname: 'Grace',
    lastname: 'Hopper',
    group_id: 1,
    website_id: 1,
    default_billing: '881',
    default_shipping: '882',
    addresses: [
      address(881, ['1 Navy Way', 'Suite 5'], 'Arlington', '22202', {
        company: 'Hopper Analytics Inc.',
        region: { region: 'Virginia', region_code: 'VA', region_id: 61 },
        default_billing: true,
      }),
      address(882, ['9 Dock St'], 'Norfolk', '23510', { default_shipping: true }),
      address(883, ['77 Depot Rd'], 'Richmond', '23219'),
    ],
  });
  magento.state.customers.set(880, customer);

  const account = () => ff.records('Account').find((a) => a.Magento_Customer_Id__c === '880');
  const book = () =>
    ff
      .records('ContactPointAddress')
      .filter((a) => a.ParentId === account()?.Id)
      .map((a) => ({
        Magento_Address_Id__c: a.Magento_Address_Id__c,
        Name: a.Name,
        AddressType: a.AddressType,
        IsDefault: a.IsDefault,
        Street: a.Street,
        City: a.City,
        State: a.State,
        PostalCode: a.PostalCode,
        Country: a.Country,
        AddressFirstName: a.AddressFirstName,
        AddressLastName: a.AddressLastName,
        CompanyName: a.CompanyName,
      }))
      .sort((a, b) => String(a.Magento_Address_Id__c).localeCompare(String(b.Magento_Address_Id__c)));
  const contacts = () => ff.records('Contact').filter((c) => c.AccountId === account()?.Id);
  const cpa = (
    id: string,
    name: string,
    type: string,
    isDefault: boolean,
    street: string,
    city: string,
    zip: string,
  ) => ({
    Magento_Address_Id__c: id,
    Name: name,
    AddressType: type,
    IsDefault: isDefault,
    Street: street,
    City: city,
    State: undefined as unknown,
    PostalCode: zip,
    Country: 'United States',
    AddressFirstName: 'Grace',
    AddressLastName: 'Hopper',
    CompanyName: undefined as unknown,
  });

  await waitFor(() => book().length === 3 && contacts().length === 1, 'the contact and the three addresses in FF');
  await expectDrained(h.nats.url);
  await expectFaultsUsed(ff);
  expect(book()).toEqual([
    {
      ...cpa('881', '1 Navy Way, Arlington', 'Billing', true, '1 Navy Way\nSuite 5', 'Arlington', '22202'),
      State: 'Virginia',
      CompanyName: 'Hopper Analytics Inc.',
    },
    cpa('882', '9 Dock St, Norfolk', 'Shipping', true, '9 Dock St', 'Norfolk', '23510'),
    cpa('883', '77 Depot Rd, Richmond', 'Shipping', false, '77 Depot Rd', 'Richmond', '23219'),
  ]);
  const [contact] = contacts();
  expect(contact).toMatchObject({
    FirstName: 'Grace',
    LastName: 'Hopper',
    Email: 'grace@hopper.example',
    Phone: '+1 555 0100',
    Magento_Customer_Id__c: '880',
  });
  expect(account()).toMatchObject({ Name: 'Hopper Analytics Inc.', BillingCity: 'Arlington', ShippingCity: 'Norfolk' });

  // The customer marries, moves the depot and adds a second shipping address. FF deletes the depot's address, and
  // that answer is lost: the retry's delete finds the address gone, which is what the lost call did.
  ff.fail(answerLost('/services/data/v60.0/sobjects/ContactPointAddress/', 'DELETE'));
  const [billing, shipping] = customer.addresses as Row[];
  touch(
    Object.assign(customer, {
      lastname: 'Murray Hopper',
      addresses: [billing, shipping, address(884, ['3 Pier Ave'], 'Hampton', '23661')],
    }),
  );
  await waitFor(
    () => book().some((a) => a.Magento_Address_Id__c === '884') && contacts()[0]?.LastName === 'Murray Hopper',
    'the new address and name in FF',
  );
  await waitFor(() => book().length === 3, 'the deleted address gone from the address book');
  await expectDrained(h.nats.url);
  await expectFaultsUsed(ff);
  expect(book().map((a) => a.Magento_Address_Id__c)).toEqual(['881', '882', '884']);
  expect(book()[2]).toEqual(cpa('884', '3 Pier Ave, Hampton', 'Shipping', false, '3 Pier Ave', 'Hampton', '23661'));
  expect(contacts()).toEqual([expect.objectContaining({ Id: contact.Id, LastName: 'Murray Hopper' })]);
  expect(ff.records('Account').filter((a) => a.Magento_Customer_Id__c === '880')).toHaveLength(1);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

it('an address FF adds reaches the Magento customer beside the addresses Magento has, and is linked, not copied', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  const billing = address(891, ['1 Navy Way'], 'Arlington', '22202', { default_billing: true, default_shipping: true });
  const other = address(892, ['9 Dock St'], 'Norfolk', '23510');
  const customer = touch({
    id: 890,
    email: 'ada@hopper.example',
    firstname: 'Grace',
    lastname: 'Hopper',
    group_id: 1,
    website_id: 1,
    default_billing: '891',
    default_shipping: '891',
    addresses: [billing, other],
  });
  magento.state.customers.set(890, customer);
  const account = () => ff.records('Account').find((a) => a.Magento_Customer_Id__c === '890');
  const book = () => ff.records('ContactPointAddress').filter((a) => a.ParentId === account()?.Id);
  await waitFor(() => book().length === 2, 'the customer and its two addresses in FF');
  await expectDrained(h.nats.url);
  const addressWrites = () => magento.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/customers/890'));

  // Sales adds the customer's new depot to the address book, then updates the account's phone.
  const Id = String(account()!.Id);
  const depot = await createSalesforceRecord(ff.url, 'ContactPointAddress', {
    ParentId: Id,
    Name: 'Depot',
    AddressType: 'Shipping',
    Street: '77 Depot Rd\nGate 3',
    City: 'Richmond',
    State: 'VA',
    PostalCode: '23219',
    Country: 'United States',
    CompanyName: 'Hopper Depot',
  });
  await patchSalesforceRecord(ff.url, 'Account', Id, { Phone: '+1 555 0101' });
  await waitFor(() => (magento.state.customers.get(890)!.addresses as Row[]).length === 3, 'the depot in Magento');
  await waitFor(
    () => ff.records('ContactPointAddress').find((a) => a.Id === depot)?.Magento_Address_Id__c !== undefined,
    'the FF address linked to the new Magento address',
  );
  await expectDrained(h.nats.url);

  const [kept, kept2, added] = magento.state.customers.get(890)!.addresses as Row[];
  expect([kept, kept2]).toEqual([
    { ...billing, customer_id: 890 },
    { ...other, customer_id: 890 },
  ]);
  expect(added).toEqual({
    id: expect.any(Number),
    customer_id: 890,
    firstname: 'Grace',
    lastname: 'Hopper',
    company: 'Hopper Depot',
    street: ['77 Depot Rd', 'Gate 3'],
    city: 'Richmond',
    // The state FF holds as a code went as the region of the store's directory (docs/connectors.md).
    region: { region: 'Virginia', region_code: 'VA', region_id: 61 },
    region_id: 61,
    postcode: '23219',
    country_id: 'US',
    telephone: '+1 555 0101',
    // Sent as no default: Magento answers no flag for it (docs/connectors.md, the customer save row).
  });
  expect(
    book()
      .map((a) => [a.Id === depot, a.Magento_Address_Id__c])
      .sort(),
  ).toEqual(
    [
      [false, '891'],
      [false, '892'],
      [true, String(added.id)],
    ].sort(),
  );
  expect(addressWrites().map((r) => r.body)).toHaveLength(1);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});
